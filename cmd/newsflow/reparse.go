package main

import (
	"cmp"
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
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/pagebody"
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
	asJSON := fs.Bool("json", false, `print one JSON object: {"sent":N,"expired":N,"dry_run":bool,"since":"24h0m0s"}`)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: newsflow reparse [--since 24h] [flags]\n\n")
		fs.PrintDefaults()
	}
	if extra, err := parseFlags(fs, args, stdout); err != nil || len(extra) > 0 {
		return cmp.Or(err, fmt.Errorf("reparse: unexpected arguments %q (see 'newsflow reparse -h')", extra))
	}
	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	n, expired, err := reparse(ctx, js, time.Now().Add(-*since), *dryRun)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(reparseResult{Sent: n, Expired: expired, DryRun: *dryRun, Since: since.String()})
	}
	verb := "sent"
	if *dryRun {
		verb = "would send"
	}
	fmt.Fprintf(stdout, "%s %d retained pages to the parser\n", verb, n)
	if expired > 0 {
		fmt.Fprintf(stdout, "skipped %d retained pages whose bodies have expired from the object store\n", expired)
	}
	return nil
}

// reparseResult is what `reparse --json` prints: pages sent (or, with
// dry_run, that would be sent), pages skipped because their bodies
// expired, and the window as a duration string.
type reparseResult struct {
	Sent    int    `json:"sent"`
	Expired int    `json:"expired"`
	DryRun  bool   `json:"dry_run"`
	Since   string `json:"since"`
}

// reparse republishes every original (not itself a reparse) page fetched
// since start, and returns how many it sent, and how many it skipped
// because their bodies, kept in the object store, have expired (the
// parser could only dead-letter them).
func reparse(ctx context.Context, js jetstream.JetStream, start time.Time, dryRun bool) (sent, expired int, err error) {
	pub := bus.NewPublisher(js)
	bodies := pagebody.NewStore(js)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	// scanStream stops at the stream's last page now (what this run
	// publishes comes after) and also works on a cluster, where an ordered
	// consumer's Next meets "no responders".
	err = crawlview.Scan(ctx, js, schema.StreamPages, crawlview.ScanOptions{FilterSubject: schema.SubjectPagesFetched, StartTime: &start}, func(msg jetstream.Msg) error {
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		page, err := pagebody.Unmarshal(msg.Data())
		switch {
		case err != nil || page.Reparse != "":
			// Not a page the parser could read, or a reparse already.
		case page.BodyRef != "" && !hasBody(ctx, bodies, page.BodyRef):
			expired++
		default:
			page.Reparse = run
			if !dryRun {
				body, header := pagebody.Payload(page)
				out := bus.Out{Subject: schema.SubjectPagesFetched, ID: fmt.Sprintf("reparse:%s:%d", run, meta.Sequence.Stream), Body: body, Header: header}
				if err := pub.Publish(ctx, out, msg.Headers().Get(schema.HeaderTraceID)); err != nil {
					return err
				}
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return sent, expired, fmt.Errorf("read pages: %w", err)
	}
	return sent, expired, nil
}

// hasBody reports whether the object store still holds a page's body. An
// error looking counts as yes: the parser decides.
func hasBody(ctx context.Context, bodies *pagebody.Store, ref string) bool {
	ok, err := bodies.Has(ctx, ref)
	return ok || err != nil
}
