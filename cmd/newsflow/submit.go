package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// runSubmit publishes seed URLs to crawl.urls, one CrawlRequest each with a
// fresh trace id, and prints "trace_id url" per URL.
func runSubmit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-submit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: newsflow submit [flags] URL... (or - to read URLs from stdin, one per line)\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	urls := fs.Args()
	if len(urls) == 1 && urls[0] == "-" {
		urls = nil
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				urls = append(urls, line)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	}
	if len(urls) == 0 {
		fs.Usage()
		return errors.New("no URL to submit")
	}
	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	return submit(ctx, bus.NewPublisher(js), urls, stdout)
}

// submit validates and publishes each URL; it stops at the first failure.
func submit(ctx context.Context, pub *bus.Publisher, urls []string, stdout io.Writer) error {
	now := time.Now().UTC()
	for _, u := range urls {
		req := schema.CrawlRequest{V: schema.Version, URL: u, Origin: u, SubmittedAt: now, TraceID: bus.NewTraceID()}
		if err := req.Validate(); err != nil {
			return fmt.Errorf("%s: %w", u, err)
		}
		out := bus.Out{Subject: schema.SubjectCrawlURLs, ID: "submit:" + req.TraceID, Body: req}
		if err := pub.Publish(ctx, out, req.TraceID); err != nil {
			return fmt.Errorf("%s: %w", u, err)
		}
		fmt.Fprintf(stdout, "%s %s\n", req.TraceID, u)
	}
	return nil
}
