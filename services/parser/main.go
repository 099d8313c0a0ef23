// Command parser turns fetched pages (pages.fetched) into structured
// articles (articles.parsed) and feeds in-scope links back to crawl.urls.
// Run with -h for its flags and environment variables.
package main

import (
	"github.com/newsflow/newsflow/pkg/cli"
	"github.com/newsflow/newsflow/services/parser/service"
)

func main() {
	cli.Main(cli.Service[service.Config]{
		Name:     "parser",
		Load:     service.LoadConfig,
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
	})
}
