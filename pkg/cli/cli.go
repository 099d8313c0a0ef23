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
	"go.uber.org/zap/zapcore"

	"github.com/newsflow/newsflow/pkg/buildinfo"
	"github.com/newsflow/newsflow/pkg/logging"
	"github.com/newsflow/newsflow/pkg/ops"
)

// Service describes one binary: how it loads its configuration (a pure
// function of args and the environment), which log level that asks for,
// how it runs until its context is cancelled, and its garbage collector
// defaults.
type Service[C any] struct {
	Name     string
	Load     func(args []string, getenv func(string) string) (C, error)
	LogLevel func(C) string
	Run      func(ctx context.Context, cfg C, log *zap.Logger) error
	// GC is the binary's default GOGC and GOMEMLIMIT, applied by Run
	// when the environment sets neither (ApplyGC).
	GC GC
}

// Main runs the service until SIGINT or SIGTERM and exits: 0 on a clean
// shutdown or -h, 1 otherwise, with the error as one JSON log line on
// stderr (a `jq` over the logs keeps working).
func Main[C any](s Service[C]) {
	if Version(os.Stdout, s.Name, os.Args[1:]) {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, s, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		Fatal(os.Stderr, s.Name, err)
		os.Exit(1)
	}
}

// Version prints "NAME VERSION (rev ..., go...)" on w and returns true
// when args ask for the version: -version, --version or version.
func Version(w io.Writer, name string, args []string) bool {
	if len(args) != 1 || (args[0] != "-version" && args[0] != "--version" && args[0] != "version") {
		return false
	}
	fmt.Fprintf(w, "%s %s\n", name, buildinfo.Read())
	return true
}

// Fatal writes err as the one log line of a service that cannot go on:
// level "fatal", message "exit".
func Fatal(w io.Writer, service string, err error) {
	log, lerr := logging.NewTo(w, service, "info")
	if lerr != nil {
		fmt.Fprintf(w, "%s: %v\n", service, err)
		return
	}
	// The caller exits: zap must not (its own fatal hook would skip the
	// caller's deferred work).
	noStack := zap.AddStacktrace(zap.LevelEnablerFunc(func(zapcore.Level) bool { return false }))
	if ce := log.WithOptions(zap.WithFatalHook(returnHook{}), noStack).Check(zapcore.FatalLevel, "exit"); ce != nil {
		ce.Write(zap.Error(err))
	}
}

// returnHook lets a fatal entry return after it is written.
type returnHook struct{}

func (returnHook) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {}

// Run is Main without the exit: `healthcheck URL` probes URL; anything else
// loads the configuration, applies s.GC, builds the logger on logOut and
// runs the service.
func Run[C any](ctx context.Context, s Service[C], args []string, getenv func(string) string, logOut io.Writer) error {
	if len(args) == 2 && args[0] == "healthcheck" {
		return ops.Probe(ctx, args[1])
	}
	cfg, err := s.Load(args, getenv)
	if err != nil {
		return err
	}
	ApplyGC(s.GC, getenv)
	log, err := logging.NewTo(logOut, s.Name, s.LogLevel(cfg))
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return s.Run(ctx, cfg, log)
}
