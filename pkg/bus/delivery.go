package bus

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Meta is what a stage tells the runner about one of its inputs, as data:
// the URL it is about (log lines, dead-letter records), the trace id it
// carries (used when the message has no trace header) and fields for
// every log line about it (depth, page type).
type Meta struct {
	URL     string
	TraceID string
	Fields  []zap.Field
}

// Report is what became of a handled input, for its one log line: the
// outcome word ("fetched", "duplicate", "parsed", "indexed") and the
// stage's own facts (status, bytes, page type, links queued).
type Report struct {
	Outcome string
	Fields  []zap.Field
	// Each holds, for a BatchRunner's Write, the fields of each input's
	// own line, in the batch's order, after Fields (what became of that
	// input: inserted or updated, its story). Ignored unless it has one
	// entry per input.
	Each [][]zap.Field
}

// Binding is what a stage host hands a runner: where its messages come
// from and go, and where it reports.
type Binding struct {
	Consumer  jetstream.Consumer
	Publisher *Publisher
	Log       *zap.Logger
	Metrics   *Metrics
}

// Retry bounds the delay before a message is handled again: Base doubled
// per attempt, capped at Max, jittered (see Backoff).
type Retry struct {
	Base, Max time.Duration
}

// Delay returns the delay after the given attempt (1 for the first).
func (r Retry) Delay(attempt int) time.Duration { return Backoff(attempt, r.Base, r.Max) }

// Delivery is the part of a runner that Runner and BatchRunner share: it
// opens a message (decode, trace id, attempt) and settles it (ack; retry
// with backoff; terminate with a dead-letter record and the reason). The
// stage's knowledge comes in as data: Decode, Describe and Reject.
type Delivery[In any] struct {
	// Stage names the runner in logs, metrics, dead letters and default
	// message ids ("fetcher").
	Stage string
	// Decode turns a payload into an input; its error terminates the
	// message as invalid. Required.
	Decode func(data []byte) (In, error)
	// Describe says what an input is about. Optional.
	Describe func(In) Meta
	// Reject returns the outputs that record a terminated message (an
	// outcome on crawl.outcome, say), published with its dead-letter
	// record before it is terminated. Optional.
	Reject func(Rejection[In]) []Out
	// Retry bounds the redelivery delay of a message that failed
	// transiently (default 1s to 2m).
	Retry Retry

	// Consumer, Publisher, Log and Metrics are set by Bind (the stage
	// host does it) or by hand. Consumer, Publisher and Log are required;
	// Metrics defaults to a set registered nowhere.
	Consumer  jetstream.Consumer
	Publisher *Publisher
	Log       *zap.Logger
	Metrics   *Metrics
}

// Bind sets the consumer, publisher, logger and metrics from b. Fields b
// leaves nil are kept.
func (d *Delivery[In]) Bind(b Binding) {
	if b.Consumer != nil {
		d.Consumer = b.Consumer
	}
	if b.Publisher != nil {
		d.Publisher = b.Publisher
	}
	if b.Log != nil {
		d.Log = b.Log
	}
	if b.Metrics != nil {
		d.Metrics = b.Metrics
	}
}

// Name returns the stage's name.
func (d *Delivery[In]) Name() string { return d.Stage }

var errUnbound = errors.New("Consumer, Publisher, Decode and Log are required")

// prepare checks the required fields and fills defaults.
func (d *Delivery[In]) prepare() error {
	if d.Consumer == nil || d.Publisher == nil || d.Decode == nil || d.Log == nil {
		return errUnbound
	}
	if d.Retry.Base <= 0 {
		d.Retry.Base = time.Second
	}
	if d.Retry.Max <= 0 {
		d.Retry.Max = 2 * time.Minute
	}
	if d.Metrics == nil {
		d.Metrics = unregisteredMetrics()
	}
	d.Log = d.Log.With(zap.String("stage", d.Stage))
	return nil
}

// delivered is one message in hand: its input and what the runner knows
// of it.
type delivered[In any] struct {
	msg     jetstream.Msg
	in      In
	meta    Meta
	traceID string
	attempt int
	// last: MaxDeliver is reached, a failure now dead-letters it.
	last   bool
	stream string
	seq    uint64
	start  time.Time
}

// open reads msg's delivery metadata and trace id and decodes it. An
// undecodable message is terminated as invalid and open returns false.
func (d *Delivery[In]) open(ctx context.Context, msg jetstream.Msg, maxDeliver int) (*delivered[In], bool) {
	m := &delivered[In]{msg: msg, attempt: 1, start: time.Now()}
	if md, err := msg.Metadata(); err == nil {
		m.attempt, m.stream, m.seq = int(md.NumDelivered), md.Stream, md.Sequence.Stream
	}
	m.last = maxDeliver > 0 && m.attempt >= maxDeliver
	header := msg.Headers().Get(schema.HeaderTraceID)
	in, err := d.Decode(msg.Data())
	if err != nil {
		d.Metrics.Rejected.WithLabelValues(d.Stage, rejectClass(err)).Inc()
		m.traceID = traceOf(header, "", m.stream, m.seq)
		m.meta.Fields = []zap.Field{zap.String("payload", schema.Preview(msg.Data(), 64)), zap.Int("bytes", len(msg.Data()))}
		d.terminate(ctx, m, nil, FateInvalid, err)
		return nil, false
	}
	m.in = in
	if d.Describe != nil {
		m.meta = d.Describe(in)
	}
	m.traceID = traceOf(header, m.meta.TraceID, m.stream, m.seq)
	return m, true
}

// traceOf picks a message's trace id: its header, else the one its input
// carries, else one derived from its stream position, the same on every
// redelivery (a plain `nats pub` carries none), else a fresh one.
func traceOf(header, carried, stream string, seq uint64) string {
	switch {
	case header != "":
		return header
	case carried != "":
		return carried
	case seq > 0:
		return streamTraceID(stream, seq)
	}
	return NewTraceID()
}

// context returns ctx carrying what a handler may ask of its message:
// trace id, attempt, stream sequence, whether it is the last attempt.
func (m *delivered[In]) context(ctx context.Context) context.Context {
	return WithLastAttempt(WithSequence(WithAttempt(WithTraceID(ctx, m.traceID), m.attempt), m.seq), m.last)
}

// publish publishes a handled message's outputs. An output without an ID
// gets stage:seq:index, the same on every redelivery, so the stream drops
// the repeat.
func (d *Delivery[In]) publish(ctx context.Context, m *delivered[In], outs []Out) error {
	return publishAll(ctx, d.Publisher, d.Metrics, d.Stage, outs, m.traceID, idPrefix(d.Stage, m.seq))
}

// idPrefix starts the Nats-Msg-Id of every output of the input message
// seq: "<stage>:<seq>", then ":<index>" or ":rejected:<index>". InputSeq
// reads it back.
func idPrefix(stage string, seq uint64) string {
	return stage + ":" + itoa(seq)
}

// InputSeq returns the stream sequence of the input message an output of
// a runner is about, read from the output's Nats-Msg-Id, and false for an
// id the runners did not make. Two outputs of one input share it (the
// ledger counts a stage's records of one input once).
func InputSeq(msgID string) (uint64, bool) {
	parts := strings.SplitN(msgID, ":", 3)
	if len(parts) != 3 {
		return 0, false
	}
	seq, err := strconv.ParseUint(parts[1], 10, 64)
	return seq, err == nil
}

// ack acknowledges a handled message and writes its log line. It does
// not wait for the server's confirmation (DoubleAck would cost a reply
// message and a round trip per message): at-least-once holds without it.
// An ack that is lost (the connection drops, the server restarts) means a
// redelivery after AckWait, and a redelivery is safe by construction: its
// outputs carry the same Nats-Msg-Id, which the streams drop as
// duplicates, and what a handler writes on the side (the fetcher's
// seen-set, the indexer's rows) recognises a message it already handled.
// The ack is sent before the next message is handled, in order with the
// outputs' publishes on the same connection.
func (d *Delivery[In]) ack(m *delivered[In], r Report) {
	if err := m.msg.Ack(); err != nil {
		// The outputs are out; the redelivery publishes them again under
		// the same ids, which the stream drops as duplicates.
		d.Log.Warn("ack failed", line(m, "ack_failed", zap.Error(err))...)
		return
	}
	d.Metrics.Messages.WithLabelValues(d.Stage, "acked").Inc()
	outcome := r.Outcome
	if outcome == "" {
		outcome = "handled"
	}
	d.Log.Info(outcome, line(m, outcome, r.Fields...)...)
}

// fail settles a message whose handling returned err: a redelivery after
// a backoff, or, for a permanent error or on the last attempt, a
// termination with a dead-letter record.
func (d *Delivery[In]) fail(ctx context.Context, m *delivered[In], err error) {
	s := settle(err, m.attempt, m.last, d.Retry)
	if s.fate != 0 {
		d.terminate(ctx, m, &m.in, s.fate, err)
		return
	}
	d.retry(m, s.delay, zap.Error(err))
}

// retry hands a message back for redelivery after delay.
func (d *Delivery[In]) retry(m *delivered[In], delay time.Duration, fields ...zap.Field) {
	_ = m.msg.NakWithDelay(delay)
	d.Metrics.Messages.WithLabelValues(d.Stage, "retried").Inc()
	d.Log.Warn("retrying", line(m, "retrying", append(fields, zap.Duration("delay", delay))...)...)
}

// returnToServer hands a message back at once, at shutdown: not a retry.
func returnToServer(msg jetstream.Msg) { _ = msg.Nak() }
