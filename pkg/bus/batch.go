package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
)

// BatchRunner pulls messages of one durable consumer in batches and writes
// each batch with one call of Write (one store transaction), acking the
// batch only after Write returns nil.
//
// When Write fails with a transient error (a store outage), the runner keeps
// the batch in hand: it stops pulling, sends InProgress so the messages are
// not redelivered, and retries Write with backoff until it succeeds. An
// outage therefore never burns through MaxDeliver into dead letters. When
// Write fails permanently, the batch is written one input at a time so only
// the inputs that fail are terminated.
type BatchRunner[In any] struct {
	Stage    string
	Consumer jetstream.Consumer
	Decode   func(data []byte) (In, error)
	// Write stores a batch atomically. Wrap an error with Permanent when the
	// data, not the store, is at fault.
	Write func(ctx context.Context, batch []In) error
	// BatchSize is the most inputs per Write (100); MaxWait is how long a
	// pull waits to fill a batch (250ms).
	BatchSize int
	MaxWait   time.Duration
	// Publisher and Reject record terminated inputs, as in Runner. Optional.
	Publisher *Publisher
	Reject    func(Rejection[In]) []Out
	Trace     func(In) string
	Fields    func(In) []zap.Field
	// Done is the log message for each stored input ("indexed").
	Done string
	// RetryBase and RetryMax bound the backoff while the store is down
	// (250ms and 5s).
	RetryBase, RetryMax time.Duration
	// OnStoreError is called with each failed Write (for health and
	// metrics). Optional.
	OnStoreError func(error)
	// OnWritten is called after each committed batch. Optional.
	OnWritten func(n int, took time.Duration)
	Log       *zap.Logger
	Metrics   *Metrics
}

type batchItem[In any] struct {
	msg     jetstream.Msg
	in      In
	traceID string
	attempt int
}

// Run pulls and writes batches until ctx is cancelled. A batch in hand at
// cancellation is returned to the server with a nak.
func (r *BatchRunner[In]) Run(ctx context.Context) error {
	if r.Consumer == nil || r.Decode == nil || r.Write == nil || r.Log == nil {
		return errors.New("batch runner: Consumer, Decode, Write and Log are required")
	}
	r.defaults()
	ackWait := r.Consumer.CachedInfo().Config.AckWait
	for ctx.Err() == nil {
		batch, err := r.Consumer.Fetch(r.BatchSize, jetstream.FetchMaxWait(r.MaxWait))
		if err != nil {
			r.Log.Debug("pull failed", zap.Error(err))
			sleep(ctx, r.RetryBase)
			continue
		}
		var items []batchItem[In]
		for msg := range batch.Messages() {
			if it, ok := r.decode(ctx, msg); ok {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			continue
		}
		r.write(ctx, items, ackWait)
	}
	return nil
}

func (r *BatchRunner[In]) defaults() {
	if r.BatchSize <= 0 {
		r.BatchSize = 100
	}
	if r.MaxWait <= 0 {
		r.MaxWait = 250 * time.Millisecond
	}
	if r.RetryBase <= 0 {
		r.RetryBase = 250 * time.Millisecond
	}
	if r.RetryMax <= 0 {
		r.RetryMax = 5 * time.Second
	}
	if r.Done == "" {
		r.Done = "stored"
	}
	if r.Metrics == nil {
		r.Metrics = unregisteredMetrics()
	}
	r.Log = r.Log.With(zap.String("stage", r.Stage))
}

func (r *BatchRunner[In]) decode(ctx context.Context, msg jetstream.Msg) (batchItem[In], bool) {
	it := batchItem[In]{msg: msg, attempt: 1, traceID: msg.Headers().Get(schema.HeaderTraceID)}
	fallbackTrace := NewTraceID
	if meta, err := msg.Metadata(); err == nil {
		it.attempt = int(meta.NumDelivered)
		fallbackTrace = func() string { return streamTraceID(meta.Stream, meta.Sequence.Stream) }
	}
	in, err := r.Decode(msg.Data())
	if err != nil {
		r.Metrics.Rejected.WithLabelValues(r.Stage, rejectClass(err)).Inc()
		if it.traceID == "" {
			it.traceID = fallbackTrace()
		}
		r.terminate(ctx, it, Rejection[In]{Data: msg.Data(), TraceID: it.traceID, Fate: FateInvalid, Reason: err.Error(), Attempt: it.attempt},
			zap.String("payload", schema.Preview(msg.Data(), 64)), zap.Int("bytes", len(msg.Data())))
		return it, false
	}
	it.in = in
	if it.traceID == "" && r.Trace != nil {
		it.traceID = r.Trace(in)
	}
	if it.traceID == "" {
		it.traceID = fallbackTrace()
	}
	return it, true
}

// write stores items, holding them through transient failures.
func (r *BatchRunner[In]) write(ctx context.Context, items []batchItem[In], ackWait time.Duration) {
	ins := make([]In, len(items))
	for i, it := range items {
		ins[i] = it.in
	}
	lastKeepAlive := time.Now()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := r.Write(ctx, ins)
		if err == nil {
			r.ackAll(ctx, items, time.Since(start))
			return
		}
		if r.OnStoreError != nil {
			r.OnStoreError(err)
		}
		if IsPermanent(err) {
			if len(items) == 1 {
				it := items[0]
				r.terminate(ctx, it, Rejection[In]{Data: it.msg.Data(), In: &it.in, TraceID: it.traceID, Fate: FateFailed, Reason: err.Error(), Attempt: it.attempt}, r.fields(it)...)
				return
			}
			// Find the bad input: write one at a time.
			for _, it := range items {
				r.write(ctx, []batchItem[In]{it}, ackWait)
			}
			return
		}
		if ctx.Err() != nil {
			for _, it := range items {
				_ = it.msg.Nak()
			}
			return
		}
		delay := Backoff(attempt, r.RetryBase, r.RetryMax)
		if attempt == 1 || attempt%10 == 0 {
			r.Log.Warn("store unavailable, holding batch", zap.Int("batch", len(items)), zap.Int("attempt", attempt), zap.Duration("delay", delay), zap.Error(err))
		}
		sleep(ctx, delay)
		if ackWait > 0 && time.Since(lastKeepAlive) > ackWait/4 {
			for _, it := range items {
				_ = it.msg.InProgress()
			}
			lastKeepAlive = time.Now()
		}
	}
}

func (r *BatchRunner[In]) ackAll(ctx context.Context, items []batchItem[In], took time.Duration) {
	if r.OnWritten != nil {
		r.OnWritten(len(items), took)
	}
	for _, it := range items {
		if err := it.msg.Ack(); err != nil {
			// Redelivery rewrites the same row: the write is idempotent.
			r.Log.Warn("ack failed", append(r.fields(it), zap.Error(err))...)
			continue
		}
		r.Metrics.Messages.WithLabelValues(r.Stage, "acked").Inc()
		r.Log.Info(r.Done, append(r.fields(it), zap.Int("batch", len(items)), zap.Duration("took", took))...)
	}
}

func (r *BatchRunner[In]) fields(it batchItem[In]) []zap.Field {
	f := []zap.Field{zap.String("trace_id", it.traceID), zap.Int("attempt", it.attempt)}
	if r.Fields != nil {
		f = append(f, r.Fields(it.in)...)
	}
	return f
}

func (r *BatchRunner[In]) terminate(ctx context.Context, it batchItem[In], rej Rejection[In], fields ...zap.Field) {
	fields = append(fields, zap.String("fate", rej.Fate.String()), zap.String("reason", rej.Reason))
	if r.Publisher != nil {
		outs := []Out{deadLetter(r.Stage, it.msg, rej)}
		if r.Reject != nil {
			outs = append(outs, r.Reject(rej)...)
		}
		prefix := fmt.Sprintf("%s:%d:rejected", r.Stage, seqOf(it.msg))
		if err := publishAll(WithTraceID(ctx, rej.TraceID), r.Publisher, r.Metrics, r.Stage, outs, rej.TraceID, prefix); err != nil {
			_ = it.msg.NakWithDelay(Backoff(rej.Attempt, time.Second, time.Minute))
			r.Log.Warn("retrying", append(fields, zap.NamedError("publish_error", err))...)
			return
		}
	}
	_ = it.msg.TermWithReason(truncate(rej.Reason, 256))
	r.Metrics.Messages.WithLabelValues(r.Stage, "terminated").Inc()
	r.Log.Warn("rejected", fields...)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
