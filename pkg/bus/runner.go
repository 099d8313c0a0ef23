package bus

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Handler is one pipeline stage. It neither acks, publishes nor logs: the
// runner does all three. No outputs and a nil error means "filtered".
type Handler[In any] func(ctx context.Context, in In) ([]Out, error)

// Fate says why the runner gave up on a message.
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

// Runner pulls messages of one durable consumer and runs a Handler on each
// with a pool of workers. Build it with a struct literal; Consumer,
// Publisher, Decode, Handle and Log are required.
type Runner[In any] struct {
	Stage     string
	Consumer  jetstream.Consumer
	Publisher *Publisher
	// Decode turns a payload into an input; its error terminates the message.
	Decode func(data []byte) (In, error)
	Handle Handler[In]
	// Trace returns the trace id carried inside an input, used when the
	// message has no trace header. Optional.
	Trace func(In) string
	// Fields describe an input in log lines (url, host...). Optional.
	Fields func(In) []zap.Field
	// Reject returns the outputs that record a terminated message (an
	// outcome on crawl.outcome, say), published before the message is
	// terminated. Optional.
	Reject func(Rejection[In]) []Out
	// Done is the log message of a handled input without an Outcome
	// output, e.g. "parsed". Defaults to "handled".
	Done string
	// Workers handling messages at once. Defaults to 1.
	Workers int
	// RetryBase and RetryMax bound the redelivery backoff (1s and 2m).
	RetryBase, RetryMax time.Duration
	// ShutdownGrace is how long in-flight work may finish after the
	// context is cancelled before it is abandoned (and redelivered). 10s.
	ShutdownGrace time.Duration
	Log           *zap.Logger
	Metrics       *Metrics
}

// Run handles messages until ctx is cancelled, then stops pulling, lets
// in-flight work finish within ShutdownGrace and returns. Messages still
// buffered are returned to the server with a nak.
func (r *Runner[In]) Run(ctx context.Context) error {
	if r.Consumer == nil || r.Publisher == nil || r.Decode == nil || r.Handle == nil || r.Log == nil {
		return errors.New("runner: Consumer, Publisher, Decode, Handle and Log are required")
	}
	r.defaults()
	info := r.Consumer.CachedInfo()
	ackWait, maxDeliver := info.Config.AckWait, info.Config.MaxDeliver

	it, err := r.Consumer.Messages(jetstream.PullMaxMessages(2 * r.Workers))
	if err != nil {
		return fmt.Errorf("consume %s: %w", info.Name, err)
	}
	// Work keeps running for a grace period after ctx is cancelled.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	var wg sync.WaitGroup
	for range r.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				msg, err := it.Next()
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				if err != nil {
					r.Log.Debug("pull interrupted", zap.Error(err))
					select {
					case <-ctx.Done():
					case <-time.After(200 * time.Millisecond):
					}
					continue
				}
				if ctx.Err() != nil {
					// Shutting down: hand buffered work back at once.
					_ = msg.Nak()
					continue
				}
				r.handle(workCtx, msg, ackWait, maxDeliver)
			}
		}()
	}

	<-ctx.Done()
	it.Drain()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(r.ShutdownGrace):
		r.Log.Warn("shutdown grace elapsed, abandoning in-flight work", zap.Duration("grace", r.ShutdownGrace))
		cancelWork()
		<-done
	}
	return nil
}

func (r *Runner[In]) defaults() {
	if r.Workers <= 0 {
		r.Workers = 1
	}
	if r.RetryBase <= 0 {
		r.RetryBase = time.Second
	}
	if r.RetryMax <= 0 {
		r.RetryMax = 2 * time.Minute
	}
	if r.ShutdownGrace <= 0 {
		r.ShutdownGrace = 10 * time.Second
	}
	if r.Done == "" {
		r.Done = "handled"
	}
	if r.Metrics == nil {
		r.Metrics = unregisteredMetrics()
	}
	r.Log = r.Log.With(zap.String("stage", r.Stage))
}

// handle runs one message through decode, handler, publish and ack.
func (r *Runner[In]) handle(ctx context.Context, msg jetstream.Msg, ackWait time.Duration, maxDeliver int) {
	start := time.Now()
	r.Metrics.InFlight.WithLabelValues(r.Stage).Inc()
	defer r.Metrics.InFlight.WithLabelValues(r.Stage).Dec()

	attempt := 1
	var seq uint64
	stream := ""
	if meta, err := msg.Metadata(); err == nil {
		attempt = int(meta.NumDelivered)
		seq = meta.Sequence.Stream
		stream = meta.Stream
	}
	newTrace := func() string {
		if seq > 0 {
			return streamTraceID(stream, seq)
		}
		return NewTraceID()
	}
	traceID := msg.Headers().Get(schema.HeaderTraceID)
	data := msg.Data()

	in, err := r.Decode(data)
	if err != nil {
		r.Metrics.Rejected.WithLabelValues(r.Stage, rejectClass(err)).Inc()
		if traceID == "" {
			traceID = newTrace()
		}
		r.terminate(ctx, msg, Rejection[In]{Data: data, TraceID: traceID, Fate: FateInvalid, Reason: err.Error(), Attempt: attempt},
			zap.String("payload", schema.Preview(data, 64)), zap.Int("bytes", len(data)))
		return
	}
	if traceID == "" && r.Trace != nil {
		traceID = r.Trace(in)
	}
	if traceID == "" {
		traceID = newTrace()
	}
	fields := []zap.Field{zap.String("trace_id", traceID), zap.Int("attempt", attempt)}
	if r.Fields != nil {
		fields = append(fields, r.Fields(in)...)
	}

	hctx := WithSequence(WithAttempt(WithTraceID(ctx, traceID), attempt), seq)
	stopKeepAlive := keepAlive(msg, ackWait)
	outs, err := r.safeHandle(hctx, in)
	if err == nil {
		err = r.publishAll(hctx, outs, traceID, fmt.Sprintf("%s:%d", r.Stage, seq))
	}
	stopKeepAlive()
	took := time.Since(start)
	r.Metrics.HandleSeconds.WithLabelValues(r.Stage).Observe(took.Seconds())
	fields = append(fields, zap.Duration("took", took))

	switch {
	case err == nil:
		if ackErr := msg.DoubleAck(ctx); ackErr != nil {
			// The outputs are out; the redelivery will publish them again
			// under the same ids, which the stream drops as duplicates.
			r.Log.Warn("ack failed", append(fields, zap.Error(ackErr))...)
			return
		}
		r.Metrics.Messages.WithLabelValues(r.Stage, "acked").Inc()
		r.logDone(outs, fields)
	case IsPermanent(err):
		r.terminate(ctx, msg, Rejection[In]{Data: data, In: &in, TraceID: traceID, Fate: FateFailed, Reason: err.Error(), Attempt: attempt}, fields...)
	case maxDeliver > 0 && attempt >= maxDeliver:
		reason := fmt.Sprintf("gave up after %d attempts: %v", attempt, err)
		r.terminate(ctx, msg, Rejection[In]{Data: data, In: &in, TraceID: traceID, Fate: FateDeadLetter, Reason: reason, Attempt: attempt}, fields...)
	default:
		delay, ok := retryDelay(err)
		if !ok {
			delay = Backoff(attempt, r.RetryBase, r.RetryMax)
		}
		_ = msg.NakWithDelay(delay)
		r.Metrics.Messages.WithLabelValues(r.Stage, "retried").Inc()
		r.Log.Warn("retrying", append(fields, zap.Duration("delay", delay), zap.Error(err))...)
	}
}

// safeHandle calls the handler, turning a panic into a permanent error so a
// poison input cannot take the process down.
func (r *Runner[In]) safeHandle(ctx context.Context, in In) (outs []Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("handler panicked", zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			outs, err = nil, Permanentf("panic: %v", p)
		}
	}()
	return r.Handle(ctx, in)
}

func (r *Runner[In]) publishAll(ctx context.Context, outs []Out, traceID, idPrefix string) error {
	return publishAll(ctx, r.Publisher, r.Metrics, r.Stage, outs, traceID, idPrefix)
}

// publishAll publishes outs in order; an output without an ID gets
// idPrefix:index, deterministic per input message, so a redelivery dedups.
func publishAll(ctx context.Context, p *Publisher, m *Metrics, stage string, outs []Out, traceID, idPrefix string) error {
	if len(outs) == 0 {
		return nil
	}
	for i := range outs {
		if outs[i].ID == "" {
			outs[i].ID = fmt.Sprintf("%s:%d", idPrefix, i)
		}
	}
	if err := p.PublishAll(ctx, outs, traceID); err != nil {
		m.PublishErrors.WithLabelValues(stage, outs[0].Subject).Inc()
		return err
	}
	for _, o := range outs {
		m.Published.WithLabelValues(stage, o.Subject).Inc()
	}
	return nil
}

// terminate records the fate of a message (the Reject hook's outputs) and
// terminates it with its reason. If the record cannot be published the
// message is redelivered instead, so no fate goes unrecorded.
func (r *Runner[In]) terminate(ctx context.Context, msg jetstream.Msg, rej Rejection[In], fields ...zap.Field) {
	fields = append(fields, zap.String("fate", rej.Fate.String()), zap.String("reason", rej.Reason))
	outs := []Out{deadLetter(r.Stage, msg, rej)}
	if r.Reject != nil {
		outs = append(outs, r.Reject(rej)...)
	}
	{
		if err := r.publishAll(WithTraceID(ctx, rej.TraceID), outs, rej.TraceID, fmt.Sprintf("%s:%d:rejected", r.Stage, seqOf(msg))); err != nil {
			_ = msg.NakWithDelay(Backoff(rej.Attempt, r.RetryBase, r.RetryMax))
			r.Metrics.Messages.WithLabelValues(r.Stage, "retried").Inc()
			r.Log.Warn("retrying", append(fields, zap.NamedError("publish_error", err))...)
			return
		}
	}
	_ = msg.TermWithReason(truncate(rej.Reason, 256))
	result := "terminated"
	if rej.Fate == FateDeadLetter {
		result = "dead_lettered"
	}
	r.Metrics.Messages.WithLabelValues(r.Stage, result).Inc()
	if rej.Fate == FateDeadLetter {
		r.Log.Error("dead_lettered", fields...)
		return
	}
	r.Log.Warn("rejected", fields...)
}

// logDone writes the one line per handled input: the outcome it recorded,
// if it published one, or r.Done.
func (r *Runner[In]) logDone(outs []Out, fields []zap.Field) {
	for _, o := range outs {
		var oc *schema.Outcome
		switch b := o.Body.(type) {
		case schema.Outcome:
			oc = &b
		case *schema.Outcome:
			oc = b
		}
		if oc == nil {
			continue
		}
		fields = append(fields, zap.String("outcome", oc.Outcome))
		if oc.Reason != "" {
			fields = append(fields, zap.String("reason", oc.Reason))
		}
		if oc.Status != 0 {
			fields = append(fields, zap.Int("status", oc.Status))
		}
		r.Log.Info(oc.Outcome, fields...)
		return
	}
	r.Log.Info(r.Done, append(fields, zap.Int("outputs", len(outs)))...)
}

// keepAlive sends InProgress every third of ackWait until stopped, so slow
// work keeps its message.
func keepAlive(msg jetstream.Msg, ackWait time.Duration) (stop func()) {
	if ackWait <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

func seqOf(msg jetstream.Msg) uint64 {
	if meta, err := msg.Metadata(); err == nil {
		return meta.Sequence.Stream
	}
	return 0
}

func rejectClass(err error) string {
	var fe *schema.FieldError
	switch {
	case errors.Is(err, schema.ErrEmpty):
		return "empty"
	case errors.Is(err, schema.ErrMalformed):
		return "malformed"
	case errors.Is(err, schema.ErrVersion):
		return "version"
	case errors.As(err, &fe):
		return "invalid_" + fe.Field
	}
	return "other"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// deadLetter builds the dead-letter record of a terminated message.
func deadLetter[In any](stage string, msg jetstream.Msg, rej Rejection[In]) Out {
	dl := schema.DeadLetter{
		V: schema.Version, Stage: stage, Subject: msg.Subject(), Fate: rej.Fate.String(),
		Reason: rej.Reason, Attempts: rej.Attempt, TraceID: rej.TraceID, At: time.Now().UTC(), Data: rej.Data,
	}
	if len(dl.Data) > schema.MaxDeadLetterData {
		dl.Data, dl.Truncated = dl.Data[:schema.MaxDeadLetterData], true
	}
	if meta, err := msg.Metadata(); err == nil {
		dl.Stream, dl.Consumer, dl.Seq = meta.Stream, meta.Consumer, meta.Sequence.Stream
	}
	if u, ok := any(rej.In).(interface{ MessageURL() string }); ok && rej.In != nil {
		dl.URL = u.MessageURL()
	}
	return Out{
		Subject: schema.DeadLetterSubject(stage),
		ID:      fmt.Sprintf("dl:%s:%s:%d", stage, dl.Stream, dl.Seq),
		Body:    dl,
	}
}
