package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// runReparse sends the pages retained in the PAGES stream since a point in
// time through the parser again, marked as reparses: after an extractor
// upgrade the articles are re-extracted and updated in place by the
// indexer, without refetching and without following links again.
func runReparse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reparse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-reparse")
	since := fs.Duration("since", 24*time.Hour, "re-extract pages fetched within this duration")
	dryRun := fs.Bool("dry-run", false, "count the pages without sending them")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: newsflow reparse [--since 24h] [flags]\n\n")
		fs.PrintDefaults()
	}
	if extra, err := parseFlags(fs, args, stdout); err != nil || len(extra) > 0 {
		return cmpErr(err, fmt.Errorf("reparse: unexpected arguments %q (see 'newsflow reparse -h')", extra))
	}
	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	n, err := reparse(ctx, js, time.Now().Add(-*since), *dryRun)
	if err != nil {
		return err
	}
	verb := "sent"
	if *dryRun {
		verb = "would send"
	}
	fmt.Fprintf(stdout, "%s %d retained pages to the parser\n", verb, n)
	return nil
}

// reparse republishes every original (not itself a reparse) page fetched
// since start, and returns how many it sent.
func reparse(ctx context.Context, js jetstream.JetStream, start time.Time, dryRun bool) (int, error) {
	// Stop at the stream's last page now: what this run publishes comes
	// after. scanStream also works on a cluster, where an ordered
	// consumer's Next meets "no responders".
	pub := bus.NewPublisher(js)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	sent := 0
	err := scanStream(ctx, js, schema.StreamPages, scanOptions{FilterSubject: schema.SubjectPagesFetched, StartTime: &start}, func(msg jetstream.Msg) error {
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		var page schema.FetchedPage
		if json.Unmarshal(msg.Data(), &page) == nil && page.V == schema.Version && page.Reparse == "" {
			page.Reparse = run
			if !dryRun {
				out := bus.Out{Subject: schema.SubjectPagesFetched, ID: fmt.Sprintf("reparse:%s:%d", run, meta.Sequence.Stream), Body: page}
				if err := pub.Publish(ctx, out, msg.Headers().Get(schema.HeaderTraceID)); err != nil {
					return err
				}
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return sent, fmt.Errorf("read pages: %w", err)
	}
	return sent, nil
}
