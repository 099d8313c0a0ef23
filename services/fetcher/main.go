// Command fetcher fetches the URLs on crawl.urls politely and safely
// (robots.txt, per-host rate across replicas, address guard, size and time
// limits) and publishes pages.fetched and one crawl.outcome per URL.
// Run with -h for its flags and environment variables.
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
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/services/fetcher/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fetcher:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	if len(args) == 2 && args[0] == "healthcheck" {
		return ops.Probe(ctx, args[1])
	}
	cfg, err := service.LoadConfig(args, getenv)
	if err != nil {
		return err
	}
	log, err := logging.New("fetcher", cfg.Common.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return service.Run(ctx, cfg, log)
}
