package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
)

const submitUsage = `Usage: newsflow submit [flags] URL...
       newsflow submit [flags] -      (URLs from stdin, one per line; # starts a comment)

Publishes each URL to crawl.urls as a seed with a fresh trace id and prints
"TRACE_ID URL" per URL (with --json, one {"trace_id","url"} object per line).
`

// runSubmit publishes seed URLs to crawl.urls, one CrawlRequest each with a
// fresh trace id, and prints "trace_id url" per URL.
func runSubmit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-submit")
	asJSON := fs.Bool("json", false, "print one JSON object per submitted URL")
	fs.Usage = usageFunc(fs, submitUsage)
	urls, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
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
		return errors.New("submit: no URL to submit (see 'newsflow submit -h')")
	}
	// Check every URL before publishing any, so a typo on line 90 does not
	// leave 89 URLs submitted and the rest not.
	reqs, err := crawlview.CrawlRequests(urls, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	nc, js, err := connect(ctx, conn)
	if err != nil {
		return err
	}
	defer nc.Close()
	report := func(r schema.CrawlRequest) error {
		if *asJSON {
			return json.NewEncoder(stdout).Encode(struct {
				TraceID string `json:"trace_id"`
				URL     string `json:"url"`
			}{r.TraceID, r.URL})
		}
		_, err := fmt.Fprintf(stdout, "%s %s\n", r.TraceID, r.URL)
		return err
	}
	return crawlview.Submit(ctx, bus.NewPublisher(js), reqs, report)
}

// submit validates and publishes each URL, printing "trace_id url" lines
// on stdout; it stops at the first failure. `newsflow up` and the tests
// submit their seeds with it.
func submit(ctx context.Context, pub *bus.Publisher, urls []string, stdout io.Writer) error {
	reqs, err := crawlview.CrawlRequests(urls, time.Now().UTC())
	if err != nil {
		return err
	}
	return crawlview.Submit(ctx, pub, reqs, func(r schema.CrawlRequest) error {
		_, err := fmt.Fprintf(stdout, "%s %s\n", r.TraceID, r.URL)
		return err
	})
}
