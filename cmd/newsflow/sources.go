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

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/sources"
)

const sourcesUsage = `Usage:
  newsflow sources add URL [--every 10m] [--kind feed|sitemap|page]
  newsflow sources list [--json]
  newsflow sources remove URL

Registered feeds, sitemaps and pages (a home or section page watched for
new stories) are queued by the parsers when due and fetched with ETag /
If-Modified-Since. The registry lives in JetStream KV.
`

// runSources manages the registry of re-polled feeds, sitemaps and pages.
func runSources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, sourcesUsage)
		return errors.New("sources: add, list or remove?")
	}
	sub := args[0]
	fs := flag.NewFlagSet("sources "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-sources")
	every := fs.Duration("every", 10*time.Minute, "add: re-poll interval")
	kind := fs.String("kind", "", "add: feed, sitemap or page (default: guessed from the URL)")
	asJSON := fs.Bool("json", false, "list: one JSON source per line")
	fs.Usage = func() { fmt.Fprint(stderr, sourcesUsage); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, args[1:])
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
			return fmt.Errorf("sources list: unexpected arguments %v", pos)
		}
	default:
		fmt.Fprint(stderr, sourcesUsage)
		return fmt.Errorf("sources: unknown subcommand %q", sub)
	}

	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	reg, err := sources.Open(ctx, js, 1)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		s, err := reg.Add(ctx, pos[0], *every, *kind)
		if err != nil {
			return fmt.Errorf("sources add: %w", err)
		}
		fmt.Fprintf(stdout, "added %s %s every %v\n", s.Kind, s.URL, s.Every)
	case "remove":
		if err := reg.Remove(ctx, pos[0]); err != nil {
			return fmt.Errorf("sources remove: %w", err)
		}
		fmt.Fprintf(stdout, "removed %s\n", pos[0])
	case "list":
		list, err := reg.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			for _, s := range list {
				if err := enc.Encode(s); err != nil {
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

// parseInterspersed parses flags that may come before or after the
// positional arguments ("add URL --every 10m").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
