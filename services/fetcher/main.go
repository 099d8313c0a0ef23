// Command fetcher fetches the URLs on crawl.urls politely and safely
// (robots.txt, per-host rate across replicas, address guard, size and time
// limits) and publishes pages.fetched and one crawl.outcome per URL.
// Run with -h for its flags and environment variables.
package main

import (
	"github.com/newsflow/newsflow/pkg/cli"
	"github.com/newsflow/newsflow/services/fetcher/service"
)

func main() {
	cli.Main(cli.Service[service.Config]{
		Name:     "fetcher",
		Load:     service.LoadConfig,
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
	})
}
