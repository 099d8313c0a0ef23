// Command indexer consumes parsed articles from NATS JetStream, stores
// them (SQLite by default, PostgreSQL at scale) and serves the search API
// and the operator page over HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/logging"
	"github.com/newsflow/newsflow/services/indexer/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := service.LoadConfig(args, getenv)
	if err != nil {
		return err
	}
	log, err := logging.New(service.Name, cfg.Common.LogLevel)
	if err != nil {
		return err
	}
	defer log.Sync()
	return service.Run(ctx, cfg, log)
}
