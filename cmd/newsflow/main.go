// Command newsflow is the operator's tool: it runs the whole pipeline
// embedded (`newsflow up`), serves the demo news site, submits URLs,
// extracts pages from files, searches a running indexer and inspects a
// running cluster.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/buildinfo"
	"github.com/newsflow/newsflow/pkg/cli"
)

const usage = `Usage: newsflow COMMAND [flags] [args]

Commands:
  setup       create or update the streams, consumers and buckets (as the NATS admin)
  up          run NATS, the fetcher, the parser and the indexer in one process
  demo-site   serve the generated demo news site and print its base URL
  submit      publish URLs to crawl.urls of a running cluster
  search      query a running indexer
  extract     extract articles from HTML files (one JSON line per input)
  eval        score the extractor on the development set
  sources     register, list and remove feeds, sitemaps and pages the parsers re-poll
  reparse     re-extract retained pages (after an extractor upgrade) without refetching
  ledger      account for every URL accepted on crawl.urls
  deadletters list or retry the messages the stages gave up on
  version     print the build's version

Run 'newsflow COMMAND -h' for the flags of a command. The commands that
talk to a cluster take the services' NATS flags (-nats-url, -nats-user,
-nats-password, -nats-creds, ...; env NATS_URL, NATS_USER, ...) and give up
after -timeout (default 5s) without an answer.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		if len(os.Args) > 1 && os.Args[1] == "up" {
			// up writes JSON logs (on stderr with --log -): its fatal
			// error is one more JSON line, so a jq over them keeps going.
			cli.Fatal(os.Stderr, "newsflow", err)
		} else {
			fmt.Fprintln(os.Stderr, "newsflow:", err)
		}
		os.Exit(1)
	}
}

// errInterrupted is returned by a client command stopped by a signal.
var errInterrupted = errors.New("interrupted")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	// The commands that only talk to a cluster stop at once on SIGINT or
	// SIGTERM, whatever they are waiting for.
	client := func(f func() error) error { return untilDone(ctx, f) }
	switch cmd {
	case "up":
		return runUp(ctx, rest, stdout, stderr)
	case "setup":
		return runSetup(ctx, rest, stdout, stderr)
	case "demo-site":
		return runDemoSite(ctx, rest, stdout, stderr)
	case "submit":
		return client(func() error { return runSubmit(ctx, rest, stdin, stdout, stderr) })
	case "search":
		return client(func() error { return runSearch(ctx, rest, stdout, stderr) })
	case "extract":
		return runExtract(ctx, rest, stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "sources":
		return client(func() error { return runSources(ctx, rest, stdout, stderr) })
	case "reparse":
		return client(func() error { return runReparse(ctx, rest, stdout, stderr) })
	case "ledger":
		return client(func() error { return runLedger(ctx, rest, stdout, stderr) })
	case "deadletters":
		return client(func() error { return runDeadLetters(ctx, rest, stdout, stderr) })
	case "version", "-version", "--version":
		return runVersion(rest, stdout)
	case "help":
		if len(rest) == 1 && rest[0] != "help" {
			return run(ctx, []string{rest[0], "-h"}, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// untilDone runs f and returns its error, or errInterrupted as soon as ctx
// is cancelled: a command blocked in a connection attempt, which takes no
// context, must not outlive the operator's Ctrl-C.
func untilDone(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // finished (or noticed) in the meantime
			return err
		default:
			return errInterrupted
		}
	}
}

// runVersion prints the build: "newsflow VERSION (rev ..., go...)", or
// JSON with --json.
func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the build information as JSON")
	fs.Usage = usageFunc(fs, "Usage: newsflow version [--json]\n\nPrints the version, VCS revision and Go version of this build.\n")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("version: unexpected arguments %q", pos)
	}
	info := buildinfo.Read()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(info)
	}
	_, err = fmt.Fprintf(stdout, "newsflow %s\n", info)
	return err
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
