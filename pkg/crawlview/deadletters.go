package crawlview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// DeadEntry is one entry of the DEADLETTERS stream: a stage's record, or a
// max-deliveries advisory resolved to its original message.
type DeadEntry struct {
	ID      uint64 // sequence in DEADLETTERS
	Record  schema.DeadLetter
	FromAdv bool // from an advisory: the original is still in its stream
}

// ErrNoDeadLetter is returned by RetryID for an id that is not (or no
// longer) in the DEADLETTERS stream.
var ErrNoDeadLetter = errors.New("no such dead letter")

// ErrNotRetryable is wrapped by Retry when the original payload cannot be
// sent again (gone, or cut short in its record).
var ErrNotRetryable = errors.New("cannot be retried")

// MaxDeliveriesAdvisory is the part of JetStream's max-deliveries advisory
// (stored in DEADLETTERS) that is read.
type MaxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

// DeadLetters returns the entries of the DEADLETTERS stream in order, an
// advisory resolved to its original message when that is still stored.
// limit > 0 stops after that many entries (the oldest first). Each
// request is bounded by timeout.
func DeadLetters(ctx context.Context, js jetstream.JetStream, timeout time.Duration, limit int) ([]DeadEntry, error) {
	entries, err := scanDead(ctx, js, timeout, limit)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if err := resolve(ctx, js, timeout, &entries[i]); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// DeadLetter returns the entry id of the DEADLETTERS stream, or an error
// wrapping ErrNoDeadLetter.
func DeadLetter(ctx context.Context, js jetstream.JetStream, timeout time.Duration, id uint64) (DeadEntry, error) {
	raw, err := RetryRead(ctx, timeout, func(ctx context.Context) (*jetstream.RawStreamMsg, error) {
		st, err := js.Stream(ctx, schema.StreamDeadLetters)
		if err != nil {
			return nil, err
		}
		return st.GetMsg(ctx, id)
	})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return DeadEntry{}, fmt.Errorf("dead letter %d: %w", id, ErrNoDeadLetter)
	}
	if err != nil {
		return DeadEntry{}, fmt.Errorf("dead letter %d: %w", id, err)
	}
	e, ok := decodeDead(id, raw.Subject, raw.Data, raw.Time)
	if !ok {
		return DeadEntry{}, fmt.Errorf("dead letter %d: unreadable record: %w", id, ErrNoDeadLetter)
	}
	return e, resolve(ctx, js, timeout, &e)
}

// scanDead reads the DEADLETTERS stream, at most limit entries when
// limit > 0, without resolving advisories.
func scanDead(ctx context.Context, js jetstream.JetStream, timeout time.Duration, limit int) ([]DeadEntry, error) {
	var entries []DeadEntry
	err := Scan(ctx, js, schema.StreamDeadLetters, ScanOptions{Batch: 64, Timeout: timeout}, func(m jetstream.Msg) error {
		e, ok, err := deadEntry(m)
		if err != nil || !ok {
			return err
		}
		entries = append(entries, e)
		if limit > 0 && len(entries) >= limit {
			return ErrStop
		}
		return nil
	})
	return entries, err
}

func deadEntry(m jetstream.Msg) (DeadEntry, bool, error) {
	meta, err := m.Metadata()
	if err != nil {
		return DeadEntry{}, false, err
	}
	e, ok := decodeDead(meta.Sequence.Stream, m.Subject(), m.Data(), meta.Timestamp)
	return e, ok, nil
}

// decodeDead reads one DEADLETTERS message; ok is false for one that is
// neither a record nor an advisory.
func decodeDead(id uint64, subject string, data []byte, at time.Time) (DeadEntry, bool) {
	e := DeadEntry{ID: id}
	if strings.HasPrefix(subject, schema.SubjectMaxDeliveriesAdvisory) {
		var adv MaxDeliveriesAdvisory
		if json.Unmarshal(data, &adv) != nil {
			return e, false
		}
		e.FromAdv = true
		e.Record = schema.DeadLetter{Stream: adv.Stream, Consumer: adv.Consumer, Seq: adv.StreamSeq, Stage: adv.Consumer,
			Fate: "dead_letter", Attempts: adv.Deliveries, Reason: "reached MaxDeliver without being handled (crashed or timed out on every attempt)", At: at}
		return e, true
	}
	if json.Unmarshal(data, &e.Record) != nil {
		return e, false
	}
	return e, true
}

// resolve fills an advisory's subject, payload and trace id from its
// original message, when that is still stored.
func resolve(ctx context.Context, js jetstream.JetStream, timeout time.Duration, e *DeadEntry) error {
	if !e.FromAdv {
		return nil
	}
	om, err := RetryRead(ctx, timeout, func(ctx context.Context) (*jetstream.RawStreamMsg, error) {
		orig, err := js.Stream(ctx, e.Record.Stream)
		if err != nil {
			return nil, err
		}
		return orig.GetMsg(ctx, e.Record.Seq)
	})
	switch {
	case err == nil:
		e.Record.Subject, e.Record.Data = om.Subject, om.Data
		e.Record.TraceID = om.Header.Get(schema.HeaderTraceID)
		// Every payload of the pipeline (a request, a page, an article)
		// names its URL.
		var named struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(om.Data, &named) == nil {
			e.Record.URL = named.URL
		}
	case errors.Is(err, jetstream.ErrMsgNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
		// The original is gone (retried, or aged out).
	default:
		return fmt.Errorf("dead letter %d: original %s #%d: %w", e.ID, e.Record.Stream, e.Record.Seq, err)
	}
	return nil
}

// Retry publishes the original payload to its subject again (a new
// message, so the stage sees it afresh), then removes the dead letter
// and, for an advisory, the stuck original. It returns an error wrapping
// ErrNotRetryable when the payload is gone or was cut short.
func Retry(ctx context.Context, js jetstream.JetStream, e DeadEntry) error {
	if e.Record.Subject == "" {
		return fmt.Errorf("the original message is gone: %w", ErrNotRetryable)
	}
	if e.Record.Truncated {
		return fmt.Errorf("only the first bytes of this payload were kept: %w", ErrNotRetryable)
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
