package crawlview

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Bounds of Trace when TraceOptions leaves them zero.
const (
	DefaultTraceWindow  = 24 * time.Hour
	DefaultTraceMaxRead = 50_000
)

// TraceOptions bound one trace lookup.
type TraceOptions struct {
	Window  time.Duration // how far back the streams are read (default a day)
	MaxRead int           // the most messages read per stream
	Timeout time.Duration // bounds each request
}

// Journey is what the bus holds about one URL or trace id: the fetcher's
// outcomes, the parser's records and the dead letters that match. (The
// indexer's row is in the store, not on the bus.)
type Journey struct {
	// URL is the URL asked for, or the one the trace id's outcomes name.
	URL      string   `json:"url"`
	TraceIDs []string `json:"trace_ids"`
	Outcomes []Step   `json:"outcomes"`
	Parsed   []Step   `json:"parsed"`
	Dead     []Dead   `json:"dead_letters"`
	// Truncated says a stream held more than MaxRead messages in the
	// window: older steps may be missing.
	Truncated bool `json:"truncated"`
}

// Step is one message of a URL's journey.
type Step struct {
	Stream   string    `json:"stream"`
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	TraceID  string    `json:"trace_id,omitempty"`
	Outcome  string    `json:"outcome,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Status   int       `json:"status,omitempty"`
	URL      string    `json:"url,omitempty"`
	PageType string    `json:"page_type,omitempty"`
}

// Dead is a dead letter as the operator page shows it.
type Dead struct {
	ID        uint64    `json:"id"`
	Stage     string    `json:"stage"`
	Stream    string    `json:"stream"`
	Seq       uint64    `json:"seq"`
	Subject   string    `json:"subject"`
	Fate      string    `json:"fate"`
	Reason    string    `json:"reason"`
	Attempts  int       `json:"attempts"`
	URL       string    `json:"url,omitempty"`
	TraceID   string    `json:"trace_id,omitempty"`
	At        time.Time `json:"at"`
	Preview   string    `json:"preview"`
	Retryable bool      `json:"retryable"`
	Advisory  bool      `json:"advisory"`
}

// View returns the entry as the page shows it: a preview of the payload
// rather than the payload.
func (e DeadEntry) View() Dead {
	r := e.Record
	return Dead{ID: e.ID, Stage: r.Stage, Stream: r.Stream, Seq: r.Seq, Subject: r.Subject, Fate: r.Fate, Reason: r.Reason,
		Attempts: r.Attempts, URL: r.URL, TraceID: r.TraceID, At: r.At.UTC(), Preview: schema.Preview(r.Data, 200),
		Retryable: r.Subject != "" && !r.Truncated, Advisory: e.FromAdv}
}

// Trace follows a URL (or, with traceID, one trace) across the stages:
// the OUTCOMES records of the URL or trace, the ARTICLES records of the
// trace ids found (read by their headers only) and the dead letters that
// name the URL or a trace id. Give url or traceID.
func Trace(ctx context.Context, js jetstream.JetStream, rawURL, traceID string, o TraceOptions) (Journey, error) {
	o.Window = cmp.Or(o.Window, DefaultTraceWindow)
	o.MaxRead = cmp.Or(o.MaxRead, DefaultTraceMaxRead)
	since := time.Now().Add(-o.Window)
	j := Journey{URL: rawURL, TraceIDs: []string{}, Outcomes: []Step{}, Parsed: []Step{}, Dead: []Dead{}}
	norm, _ := urlnorm.Normalize(rawURL)
	sameURL := func(u string) bool {
		if u == "" || rawURL == "" {
			return false
		}
		if u == rawURL {
			return true
		}
		n, err := urlnorm.Normalize(u)
		return err == nil && norm != "" && n == norm
	}
	traces := map[string]bool{}
	addTrace := func(id string) {
		if id != "" && !traces[id] {
			traces[id] = true
			j.TraceIDs = append(j.TraceIDs, id)
		}
	}
	addTrace(traceID)

	read := 0
	err := Scan(ctx, js, schema.StreamOutcomes, ScanOptions{StartTime: &since, Timeout: o.Timeout}, func(m jetstream.Msg) error {
		if read++; read > o.MaxRead {
			j.Truncated = true
			return ErrStop
		}
		var out schema.Outcome
		if json.Unmarshal(m.Data(), &out) != nil {
			return nil
		}
		if !sameURL(out.URL) && !(out.TraceID != "" && out.TraceID == traceID) {
			return nil
		}
		if j.URL == "" {
			j.URL = out.URL
		}
		addTrace(out.TraceID)
		meta, _ := m.Metadata()
		j.Outcomes = append(j.Outcomes, Step{Stream: schema.StreamOutcomes, Seq: seqOf(meta), At: out.At.UTC(), TraceID: out.TraceID,
			Outcome: out.Outcome, Reason: out.Reason, Status: out.Status, URL: out.URL})
		return nil
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return j, err
	}

	if len(traces) > 0 {
		read = 0
		err = Scan(ctx, js, schema.StreamArticles, ScanOptions{StartTime: &since, HeadersOnly: true, Timeout: o.Timeout}, func(m jetstream.Msg) error {
			if read++; read > o.MaxRead {
				j.Truncated = true
				return ErrStop
			}
			id := m.Headers().Get(schema.HeaderTraceID)
			if !traces[id] {
				return nil
			}
			meta, _ := m.Metadata()
			st := Step{Stream: schema.StreamArticles, Seq: seqOf(meta), TraceID: id, PageType: m.Headers().Get(schema.HeaderPageType)}
			if meta != nil {
				st.At = meta.Timestamp.UTC()
			}
			j.Parsed = append(j.Parsed, st)
			return nil
		})
		if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return j, err
		}
	}

	// Advisories name their original by sequence only: each costs a
	// request to resolve, so only the newest MaxResolve are.
	dead, err := scanDead(ctx, js, o.Timeout, o.MaxRead)
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return j, err
	}
	if len(dead) >= o.MaxRead {
		j.Truncated = true
	}
	resolved := 0
	for i := len(dead) - 1; i >= 0; i-- {
		e := &dead[i]
		if e.FromAdv {
			if resolved >= MaxResolve {
				j.Truncated = true
				continue
			}
			resolved++
			if err := resolve(ctx, js, o.Timeout, e); err != nil {
				return j, err
			}
		}
	}
	for _, e := range dead {
		if sameURL(e.Record.URL) || (e.Record.TraceID != "" && traces[e.Record.TraceID]) {
			j.Dead = append(j.Dead, e.View())
		}
	}
	return j, nil
}

// MaxResolve bounds the max-deliveries advisories a trace resolves to
// their original message.
const MaxResolve = 200

func seqOf(meta *jetstream.MsgMetadata) uint64 {
	if meta == nil {
		return 0
	}
	return meta.Sequence.Stream
}
