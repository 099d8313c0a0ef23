// Package cli is the main of every Newsflow service binary: signals,
// the `healthcheck URL` subcommand used by container healthchecks,
// configuration, the logger and the exit code. It depends on pkg/logging
// and pkg/ops only.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/logging"
	"github.com/newsflow/newsflow/pkg/ops"
)

// Service describes one binary: how it loads its configuration (a pure
// function of args and the environment), which log level that asks for,
// and how it runs until its context is cancelled.
type Service[C any] struct {
	Name     string
	Load     func(args []string, getenv func(string) string) (C, error)
	LogLevel func(C) string
	Run      func(ctx context.Context, cfg C, log *zap.Logger) error
}

// Main runs the service until SIGINT or SIGTERM and exits: 0 on a clean
// shutdown or -h, 1 with the error on stderr otherwise.
func Main[C any](s Service[C]) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, s, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", s.Name, err)
		os.Exit(1)
	}
}

// Run is Main without the exit: `healthcheck URL` probes URL; anything else
// loads the configuration, builds the logger on logOut and runs the service.
func Run[C any](ctx context.Context, s Service[C], args []string, getenv func(string) string, logOut io.Writer) error {
	if len(args) == 2 && args[0] == "healthcheck" {
		return ops.Probe(ctx, args[1])
	}
	cfg, err := s.Load(args, getenv)
	if err != nil {
		return err
	}
	log, err := logging.NewTo(logOut, s.Name, s.LogLevel(cfg))
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return s.Run(ctx, cfg, log)
}
