package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// deadEntry is one entry of the DEADLETTERS stream: a stage's record, or a
// max-deliveries advisory resolved to its original message.
type deadEntry struct {
	ID      uint64 // sequence in DEADLETTERS
	Record  schema.DeadLetter
	FromAdv bool // from an advisory: the original is still in its stream
}

// maxDeliveriesAdvisory is the part of JetStream's advisory we use.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

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
	entries, err := readDeadLettersWith(ctx, js, conn.Timeout)
	if err != nil {
		return fmt.Errorf("deadletters: %w", err)
	}
	if sub == "list" {
		return listDeadLetters(stdout, entries, *asJSON)
	}
	n := 0
	for _, e := range entries {
		if *all || ids[e.ID] {
			if err := retryDeadLetter(ctx, js, e); err != nil {
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
func readDeadLetters(ctx context.Context, js jetstream.JetStream) ([]deadEntry, error) {
	return readDeadLettersWith(ctx, js, defaultTimeout)
}

// readDeadLettersWith returns every entry of the DEADLETTERS stream, an
// advisory resolved to its original message when that is still stored.
func readDeadLettersWith(ctx context.Context, js jetstream.JetStream, timeout time.Duration) ([]deadEntry, error) {
	var entries []deadEntry
	err := scanStream(ctx, js, schema.StreamDeadLetters, scanOptions{Batch: 64, Timeout: timeout}, func(m jetstream.Msg) error {
		meta, err := m.Metadata()
		if err != nil {
			return err
		}
		e := deadEntry{ID: meta.Sequence.Stream}
		if strings.HasPrefix(m.Subject(), schema.SubjectMaxDeliveriesAdvisory) {
			var adv maxDeliveriesAdvisory
			if json.Unmarshal(m.Data(), &adv) != nil {
				return nil
			}
			e.FromAdv = true
			e.Record = schema.DeadLetter{Stream: adv.Stream, Consumer: adv.Consumer, Seq: adv.StreamSeq, Stage: adv.Consumer,
				Fate: "dead_letter", Attempts: adv.Deliveries, Reason: "reached MaxDeliver without being handled (crashed or timed out on every attempt)", At: meta.Timestamp}
		} else if err := json.Unmarshal(m.Data(), &e.Record); err != nil {
			return nil
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		if !e.FromAdv {
			continue
		}
		om, err := retryRead(ctx, timeout, func(ctx context.Context) (*jetstream.RawStreamMsg, error) {
			orig, err := js.Stream(ctx, e.Record.Stream)
			if err != nil {
				return nil, err
			}
			return orig.GetMsg(ctx, e.Record.Seq)
		})
		switch {
		case err == nil:
			entries[i].Record.Subject, entries[i].Record.Data = om.Subject, om.Data
			entries[i].Record.TraceID = om.Header.Get(schema.HeaderTraceID)
		case errors.Is(err, jetstream.ErrMsgNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			// The original is gone (retried, or aged out).
		default:
			return nil, fmt.Errorf("dead letter %d: original %s #%d: %w", e.ID, e.Record.Stream, e.Record.Seq, err)
		}
	}
	return entries, nil
}

func listDeadLetters(w io.Writer, entries []deadEntry, asJSON bool) error {
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

// retryDeadLetter publishes the original payload to its subject again (a
// new message, so the stage sees it afresh), then removes the dead letter
// and, for an advisory, the stuck original.
func retryDeadLetter(ctx context.Context, js jetstream.JetStream, e deadEntry) error {
	if e.Record.Subject == "" {
		return errors.New("the original message is gone: nothing to retry")
	}
	if e.Record.Truncated {
		return errors.New("only the first bytes of this payload were kept: it cannot be retried")
	}
	msg := &nats.Msg{Subject: e.Record.Subject, Data: e.Record.Data, Header: nats.Header{}}
	if e.Record.TraceID != "" {
		msg.Header.Set(schema.HeaderTraceID, e.Record.TraceID)
	}
	if _, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(fmt.Sprintf("retry:%d:%d", e.ID, time.Now().UnixNano()))); err != nil {
		return err
	}
	if e.FromAdv {
		if orig, err := js.Stream(ctx, e.Record.Stream); err == nil {
			_ = orig.DeleteMsg(ctx, e.Record.Seq)
		}
	}
	dl, err := js.Stream(ctx, schema.StreamDeadLetters)
	if err != nil {
		return err
	}
	return dl.DeleteMsg(ctx, e.ID)
}
