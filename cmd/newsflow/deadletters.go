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
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
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

func runDeadLetters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "Usage: newsflow deadletters list | retry ID... | retry --all [flags]\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("deadletters: list or retry?")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("deadletters "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-deadletters")
	all := fs.Bool("all", false, "retry: every dead letter")
	asJSON := fs.Bool("json", false, "list: one JSON record per line")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	if err := fs.Parse(rest); err != nil {
		return err
	}
	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	entries, err := readDeadLetters(ctx, js)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return listDeadLetters(stdout, entries, *asJSON)
	case "retry":
		ids := map[uint64]bool{}
		for _, a := range fs.Args() {
			id, err := strconv.ParseUint(a, 10, 64)
			if err != nil {
				return fmt.Errorf("retry: %q is not a dead-letter id", a)
			}
			ids[id] = true
		}
		if !*all && len(ids) == 0 {
			return errors.New("retry: give dead-letter ids or --all")
		}
		n := 0
		for _, e := range entries {
			if *all || ids[e.ID] {
				if err := retryDeadLetter(ctx, js, e); err != nil {
					return fmt.Errorf("retry %d: %w", e.ID, err)
				}
				delete(ids, e.ID)
				n++
			}
		}
		for id := range ids {
			return fmt.Errorf("retry: no dead letter %d", id)
		}
		fmt.Fprintf(stdout, "retried %d dead letter(s)\n", n)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("deadletters: unknown subcommand %q", sub)
}

// readDeadLetters returns every entry of the DEADLETTERS stream.
func readDeadLetters(ctx context.Context, js jetstream.JetStream) ([]deadEntry, error) {
	st, err := js.Stream(ctx, schema.StreamDeadLetters)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	state := st.CachedInfo().State
	var entries []deadEntry
	if state.Msgs == 0 {
		return nil, nil
	}
	for seq := state.FirstSeq; seq <= state.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("dead letter %d: %w", seq, err)
		}
		e := deadEntry{ID: seq}
		if strings.HasPrefix(m.Subject, schema.SubjectMaxDeliveriesAdvisory) {
			var adv maxDeliveriesAdvisory
			if json.Unmarshal(m.Data, &adv) != nil {
				continue
			}
			e.FromAdv = true
			e.Record = schema.DeadLetter{Stream: adv.Stream, Consumer: adv.Consumer, Seq: adv.StreamSeq, Stage: adv.Consumer,
				Fate: "dead_letter", Attempts: adv.Deliveries, Reason: "reached MaxDeliver without being handled (crashed or timed out on every attempt)", At: m.Time}
			if orig, err := js.Stream(ctx, adv.Stream); err == nil {
				if om, err := orig.GetMsg(ctx, adv.StreamSeq); err == nil {
					e.Record.Subject, e.Record.Data = om.Subject, om.Data
					e.Record.TraceID = om.Header.Get(schema.HeaderTraceID)
				}
			}
		} else if err := json.Unmarshal(m.Data, &e.Record); err != nil {
			continue
		}
		entries = append(entries, e)
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
