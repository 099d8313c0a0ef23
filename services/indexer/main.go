// Command indexer consumes parsed articles from NATS JetStream, stores
// them (SQLite by default, PostgreSQL at scale) and serves the search API
// and the operator page over HTTP.
package main

import (
	"github.com/newsflow/newsflow/pkg/cli"
	"github.com/newsflow/newsflow/services/indexer/service"
)

func main() {
	cli.Main(cli.Service[service.Config]{
		Name:     "indexer",
		Load:     service.LoadConfig,
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
	})
}
