// Command newsflow is the operator's tool: it runs the whole pipeline
// embedded (`newsflow up`), serves the demo news site, submits URLs,
// extracts pages from files, searches a running indexer and inspects a
// running cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
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
  sources     register, list and remove feeds and sitemaps re-polled by the fetcher
  reparse     re-extract retained pages (after an extractor upgrade) without refetching
  ledger      account for every URL accepted on crawl.urls
  deadletters list or retry the messages the stages gave up on

Run 'newsflow COMMAND -h' for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsflow:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return runUp(ctx, rest, stdout, stderr)
	case "setup":
		return runSetup(ctx, rest, stdout, stderr)
	case "demo-site":
		return runDemoSite(ctx, rest, stdout, stderr)
	case "submit":
		return runSubmit(ctx, rest, stdin, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, stdout, stderr)
	case "extract":
		return runExtract(ctx, rest, stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "sources":
		return runSources(ctx, rest, stdout, stderr)
	case "reparse":
		return runReparse(ctx, rest, stdout, stderr)
	case "ledger":
		return runLedger(ctx, rest, stdout, stderr)
	case "deadletters":
		return runDeadLetters(ctx, rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
