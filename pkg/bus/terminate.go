package bus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Fate says why the runner gave up on a message. Its String is the word
// of the dead-letter record, the log line's outcome and, at the fetcher,
// the crawl.outcome.
type Fate int

const (
	// FateInvalid: the payload could not be decoded or validated.
	FateInvalid Fate = iota + 1
	// FateFailed: the handler returned a permanent error or panicked.
	FateFailed
	// FateDeadLetter: a transient error persisted until MaxDeliver.
	FateDeadLetter
)

func (f Fate) String() string {
	switch f {
	case FateInvalid:
		return "invalid"
	case FateFailed:
		return "failed"
	case FateDeadLetter:
		return "dead_letter"
	}
	return "unknown"
}

// Rejection describes a message the runner terminates, for the stage's
// Reject hook. In is nil when the payload could not be decoded.
type Rejection[In any] struct {
	Data    []byte
	In      *In
	TraceID string
	Fate    Fate
	Reason  string
	Attempt int
}

// terminate records the fate of m (its dead-letter record and the Reject
// hook's outputs) and terminates it with the reason. If the record cannot
// be published the message is redelivered instead, so no fate goes
// unrecorded. in is nil for an undecodable message.
func (d *Delivery[In]) terminate(ctx context.Context, m *delivered[In], in *In, fate Fate, err error) {
	rej := Rejection[In]{Data: m.msg.Data(), In: in, TraceID: m.traceID, Fate: fate, Reason: reason(fate, err, m.attempt), Attempt: m.attempt}
	outs := []Out{deadLetter(d.Stage, m.msg, rej, m.meta.URL)}
	if d.Reject != nil {
		outs = append(outs, d.Reject(rej)...)
	}
	fields := []zap.Field{zap.String("reason", rej.Reason)}
	if stack := stackOf(err); stack != nil {
		fields = append(fields, zap.ByteString("stack", stack))
	}
	tctx := WithTraceID(ctx, m.traceID)
	if perr := publishAll(tctx, d.Publisher, d.Metrics, d.Stage, outs, m.traceID, idPrefix(d.Stage, m.seq)+":rejected"); perr != nil {
		d.retry(m, d.Retry.Delay(m.attempt), append(fields, zap.NamedError("publish_error", perr))...)
		return
	}
	_ = d.Publisher.term(m.msg, rej.Reason)
	result, log := "terminated", d.Log.Warn
	if fate == FateDeadLetter {
		result, log = "dead_lettered", d.Log.Error
	}
	d.Metrics.Messages.WithLabelValues(d.Stage, result).Inc()
	log("rejected", line(m, fate.String(), fields...)...)
}

// term terminates msg so it is never redelivered, with its reason where
// the server understands one (see Features.TermReason): an older server
// would ignore a terminate that carries a reason and redeliver the
// message until MaxDeliver. The reason is in the dead-letter record and
// the log either way.
func (p *Publisher) term(msg jetstream.Msg, reason string) error {
	if p.Features().TermReason {
		return msg.TermWithReason(truncate(reason, 256))
	}
	return msg.Term()
}

// deadLetter builds the dead-letter record of a terminated message.
func deadLetter[In any](stage string, msg jetstream.Msg, rej Rejection[In], url string) Out {
	dl := schema.DeadLetter{
		V: schema.Version, Stage: stage, Subject: msg.Subject(), Fate: rej.Fate.String(), URL: url,
		Reason: rej.Reason, Attempts: rej.Attempt, TraceID: rej.TraceID, At: time.Now().UTC(), Data: rej.Data,
	}
	if len(dl.Data) > schema.MaxDeadLetterData {
		dl.Data, dl.Truncated = dl.Data[:schema.MaxDeadLetterData], true
	}
	if md, err := msg.Metadata(); err == nil {
		dl.Stream, dl.Consumer, dl.Seq = md.Stream, md.Consumer, md.Sequence.Stream
	}
	return Out{
		Subject: schema.DeadLetterSubject(stage),
		ID:      "dl:" + stage + ":" + dl.Stream + ":" + itoa(dl.Seq),
		Body:    dl,
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
