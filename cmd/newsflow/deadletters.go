package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
)

const deadLettersUsage = `Usage:
  newsflow deadletters list [--json] [flags]
  newsflow deadletters retry ID... | --all [flags]

list shows the messages the stages gave up on, with their reasons (and
those JetStream reported at max deliveries). retry sends each original
payload back to its subject and removes its dead letter.
`

func runDeadLetters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, deadLettersUsage)
		return errors.New("deadletters: list or retry? (see 'newsflow deadletters -h')")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, deadLettersUsage)
		return nil
	case "list", "retry":
	default:
		return fmt.Errorf("deadletters: unknown subcommand %q, want list or retry (see 'newsflow deadletters -h')", sub)
	}
	fs := flag.NewFlagSet("deadletters "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-deadletters")
	asJSON := fs.Bool("json", false, "print JSON: one record per line (list), the count (retry)")
	var all *bool
	if sub == "retry" {
		all = fs.Bool("all", false, "retry every dead letter")
	}
	fs.Usage = usageFunc(fs, deadLettersUsage)
	pos, err := parseFlags(fs, rest, stdout)
	if err != nil {
		return err
	}
	ids := map[uint64]bool{}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return fmt.Errorf("deadletters list: unexpected arguments %q", pos)
		}
	case "retry":
		for _, a := range pos {
			id, err := strconv.ParseUint(a, 10, 64)
			if err != nil {
				return fmt.Errorf("deadletters retry: %q is not a dead-letter id", a)
			}
			ids[id] = true
		}
		if *all == (len(ids) > 0) {
			return errors.New("deadletters retry: give dead-letter ids or --all (see 'newsflow deadletters -h')")
		}
	}

	nc, js, err := connect(ctx, conn)
	if err != nil {
		return err
	}
	defer nc.Close()
	entries, err := crawlview.DeadLetters(ctx, js, conn.Timeout, 0)
	if err != nil {
		return fmt.Errorf("deadletters: %w", err)
	}
	if sub == "list" {
		return listDeadLetters(stdout, entries, *asJSON)
	}
	n := 0
	for _, e := range entries {
		if *all || ids[e.ID] {
			if err := crawlview.Retry(ctx, js, e); err != nil {
				return fmt.Errorf("deadletters retry %d: %w", e.ID, err)
			}
			delete(ids, e.ID)
			n++
		}
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(map[string]int{"retried": n}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "retried %d dead letter(s)\n", n)
	}
	for id := range ids {
		return fmt.Errorf("deadletters retry: no dead letter %d", id)
	}
	return nil
}

// readDeadLetters returns every entry of the DEADLETTERS stream, each
// request bounded by defaultTimeout.
func readDeadLetters(ctx context.Context, js jetstream.JetStream) ([]crawlview.DeadEntry, error) {
	return crawlview.DeadLetters(ctx, js, defaultTimeout, 0)
}

func listDeadLetters(w io.Writer, entries []crawlview.DeadEntry, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, e := range entries {
			if err := enc.Encode(struct {
				ID uint64 `json:"id"`
				schema.DeadLetter
			}{e.ID, e.Record}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTAGE\tFATE\tATTEMPTS\tAT\tURL / PAYLOAD\tREASON")
	for _, e := range entries {
		what := e.Record.URL
		if what == "" {
			what = schema.Preview(e.Record.Data, 40)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.Record.Stage, e.Record.Fate, e.Record.Attempts,
			e.Record.At.UTC().Format(time.RFC3339), what, e.Record.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d dead letter(s)\n", len(entries))
	return nil
}
