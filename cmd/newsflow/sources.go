package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
)

const sourcesUsage = `Usage:
  newsflow sources add URL [--every 10m] [--kind feed|sitemap|page] [flags]
  newsflow sources list [--json] [flags]
  newsflow sources remove URL [flags]

Registered feeds, sitemaps and pages (a home or section page watched for
new stories) are re-polled on a schedule: when one is due, a parser queues
it on crawl.urls and the fetcher fetches it with ETag / If-Modified-Since.
The registry lives in the JetStream KV bucket "sources".
`

// sourceJSON is a source as `sources list --json` prints it: intervals
// as Go durations ("10m0s"), times in RFC 3339.
type sourceJSON struct {
	URL          string    `json:"url"`
	Kind         string    `json:"kind"`
	Every        string    `json:"every"`
	Added        time.Time `json:"added"`
	NextDue      time.Time `json:"next_due"`
	LastPolled   time.Time `json:"last_polled,omitzero"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
}

func toJSON(s sources.Source) sourceJSON {
	return sourceJSON{URL: s.URL, Kind: s.Kind, Every: s.Every.String(), Added: s.Added, NextDue: s.NextDue,
		LastPolled: s.LastPolled, ETag: s.ETag, LastModified: s.LastModified}
}

// runSources manages the registry of re-polled feeds, sitemaps and pages.
func runSources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, sourcesUsage)
		return errors.New("sources: add, list or remove? (see 'newsflow sources -h')")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, sourcesUsage)
		return nil
	case "add", "list", "remove":
	default:
		return fmt.Errorf("sources: unknown subcommand %q, want add, list or remove (see 'newsflow sources -h')", sub)
	}
	fs := flag.NewFlagSet("sources "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-sources")
	every := fs.Duration("every", 10*time.Minute, "add: re-poll interval")
	kind := fs.String("kind", "", "add: feed, sitemap or page (default: guessed from the URL)")
	asJSON := fs.Bool("json", false, "print JSON: one source per line")
	fs.Usage = usageFunc(fs, sourcesUsage)
	pos, err := parseFlags(fs, args[1:], stdout)
	if err != nil {
		return err
	}
	switch sub {
	case "add", "remove":
		if len(pos) != 1 {
			return fmt.Errorf("sources %s: want exactly one URL, got %d", sub, len(pos))
		}
	case "list":
		if len(pos) != 0 {
			return fmt.Errorf("sources list: unexpected arguments %q", pos)
		}
	}

	nc, js, err := connect(ctx, conn)
	if err != nil {
		return err
	}
	defer nc.Close()
	reg, err := openRegistry(ctx, js, sub != "add", conn.Timeout)
	if err != nil {
		return fmt.Errorf("sources %s: %w", sub, err)
	}
	enc := json.NewEncoder(stdout)
	switch sub {
	case "add":
		s, err := reg.Add(ctx, pos[0], *every, *kind)
		if err != nil {
			return fmt.Errorf("sources add: %w", err)
		}
		if *asJSON {
			return enc.Encode(toJSON(s))
		}
		fmt.Fprintf(stdout, "added %s %s every %v\n", s.Kind, s.URL, s.Every)
	case "remove":
		if reg == nil {
			return fmt.Errorf("sources remove: %w", sources.ErrNotFound)
		}
		if err := reg.Remove(ctx, pos[0]); err != nil {
			return fmt.Errorf("sources remove: %w", err)
		}
		if *asJSON {
			return enc.Encode(map[string]string{"removed": pos[0]})
		}
		fmt.Fprintf(stdout, "removed %s\n", pos[0])
	case "list":
		var list []sources.Source
		if reg != nil {
			if list, err = reg.List(ctx); err != nil {
				return fmt.Errorf("sources list: %w", err)
			}
		}
		if *asJSON {
			for _, s := range list {
				if err := enc.Encode(toJSON(s)); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tEVERY\tNEXT DUE\tLAST POLLED\tURL")
		for _, s := range list {
			last := "-"
			if !s.LastPolled.IsZero() {
				last = s.LastPolled.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\n", s.Kind, s.Every, s.NextDue.Format(time.RFC3339), last, s.URL)
		}
		return tw.Flush()
	}
	return nil
}

// openRegistry opens the sources registry without changing the bucket's
// replicas: an existing bucket keeps its own (a cluster's parsers create
// it with theirs), a new one takes the CRAWL stream's. With existing, a
// missing bucket is no error: it returns nil (nothing is registered).
func openRegistry(ctx context.Context, js jetstream.JetStream, existing bool, timeout time.Duration) (*sources.Registry, error) {
	replicas := 0
	info, err := crawlview.StreamInfo(ctx, js, "KV_"+sources.Bucket, timeout)
	switch {
	case err == nil:
		replicas = info.Config.Replicas
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, err
	case existing:
		return nil, nil
	default:
		crawl, err := crawlview.StreamInfo(ctx, js, schema.StreamCrawl, timeout)
		if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, err
		}
		if err == nil {
			replicas = crawl.Config.Replicas
		}
	}
	return sources.Open(ctx, js, replicas)
}
