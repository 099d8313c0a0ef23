package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// BatchRunner pulls the messages of one durable consumer in batches and
// writes each batch with one call of Write (one store transaction),
// acking the batch only after Write returns nil. It settles messages with
// the Delivery it embeds, as Runner does.
//
// When Write fails with a transient error (a store outage), the runner
// keeps the batch in hand: it stops pulling, sends InProgress so the
// messages are not redelivered, and retries Write with the Hold backoff
// until it succeeds. An outage therefore never burns through MaxDeliver
// into dead letters. When Write fails permanently (or panics), the batch
// is written one input at a time so only the inputs that fail are
// terminated.
type BatchRunner[In any] struct {
	Delivery[In]
	// Write stores a batch atomically and reports what it did, for the
	// log line of each input of the batch. Wrap an error with Permanent
	// when the data, not the store, is at fault. Required.
	Write func(ctx context.Context, batch []In) (Report, error)
	// BatchSize is the most inputs per Write (100); MaxWait is the
	// longest an input waits for its batch to fill (250ms).
	BatchSize int
	MaxWait   time.Duration
	// Linger ends a batch early: once inputs are in hand, the stream is
	// asked again every Linger (MaxWait/10), and when no input came in
	// that time the batch is written, so the last inputs of a burst are
	// not held for the rest of MaxWait.
	Linger time.Duration
	// Hold bounds the backoff of Write while the store is down (250ms to
	// 5s).
	Hold Retry
	// OnStoreError is called with each failed Write (for health and
	// metrics). Optional.
	OnStoreError func(error)
}

// Run pulls and writes batches until ctx is cancelled. A batch in hand at
// cancellation is returned to the server.
func (r *BatchRunner[In]) Run(ctx context.Context) error {
	if r.Write == nil {
		return errors.New("batch runner: Write is required")
	}
	if err := r.prepare(); err != nil {
		return fmt.Errorf("batch runner: %w", err)
	}
	if r.BatchSize <= 0 {
		r.BatchSize = 100
	}
	if r.MaxWait <= 0 {
		r.MaxWait = 250 * time.Millisecond
	}
	if r.Hold.Base <= 0 {
		r.Hold.Base = 250 * time.Millisecond
	}
	if r.Hold.Max <= 0 {
		r.Hold.Max = 5 * time.Second
	}
	if r.Linger <= 0 {
		r.Linger = max(r.MaxWait/10, time.Millisecond)
	}
	info := r.Consumer.CachedInfo().Config
	// A batch gathers over several pulls. The first asks for one input
	// and waits up to MaxWait for it. Then, every Linger, a pull that
	// does not wait (FetchNoWait) takes what the stream holds, until the
	// batch is full, MaxWait has passed since its first input, or a pull
	// brings nothing (no input for Linger): then the batch is written.
	// Lingering is not left to waiting pulls: a server (2.9 among them)
	// may end an expired pull request only when another message comes,
	// and the client gives up on it a second after its expiry, so a
	// pull of 25 ms could hold a batch for a second. Every pull is read
	// to its end before a write, so no delivered input waits unattended
	// while a write holds through a store outage.
	var items []*delivered[In]
	var first time.Time
	for ctx.Err() == nil {
		held := len(items) > 0
		var batch jetstream.MessageBatch
		var err error
		if held {
			batch, err = r.Consumer.FetchNoWait(r.BatchSize - len(items))
		} else {
			batch, err = r.Consumer.Fetch(1, jetstream.FetchMaxWait(r.MaxWait))
		}
		if err != nil {
			r.Log.Debug("pull failed", zap.Error(err))
			if held {
				r.write(ctx, items, info.AckWait)
				items = nil
			}
			sleep(ctx, r.Hold.Base)
			continue
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			if m, ok := r.open(ctx, msg, info.MaxDeliver); ok {
				if len(items) == 0 {
					first = time.Now()
				}
				items = append(items, m)
			}
		}
		if len(items) == 0 {
			continue
		}
		age := time.Since(first)
		if (held && got == 0) || len(items) >= r.BatchSize || age >= r.MaxWait {
			r.write(ctx, items, info.AckWait)
			items = nil
			continue
		}
		sleep(ctx, min(r.Linger, r.MaxWait-age))
	}
	for _, m := range items {
		returnToServer(m.msg)
	}
	return nil
}

// write stores items, holding them through transient failures.
func (r *BatchRunner[In]) write(ctx context.Context, items []*delivered[In], ackWait time.Duration) {
	ins := make([]In, len(items))
	msgs := make([]jetstream.Msg, len(items))
	for i, m := range items {
		ins[i], msgs[i] = m.in, m.msg
	}
	r.Metrics.InFlight.WithLabelValues(r.Stage).Add(float64(len(items)))
	defer r.Metrics.InFlight.WithLabelValues(r.Stage).Sub(float64(len(items)))
	stop := keepAlive(ackWait, msgs...)
	defer stop()
	for hold := 1; ; hold++ {
		start := time.Now()
		rep, err := recovered(func() (Report, error) { return r.Write(ctx, ins) })
		if err == nil {
			took := time.Since(start)
			rep.Fields = append(rep.Fields, zap.Int("batch_size", len(items)))
			if rep.Outcome == "" {
				rep.Outcome = "stored"
			}
			for i, m := range items {
				r.Metrics.HandleSeconds.WithLabelValues(r.Stage).Observe(took.Seconds())
				r.ack(m, rep.of(i, len(items)))
			}
			return
		}
		if r.OnStoreError != nil {
			r.OnStoreError(err)
		}
		if IsPermanent(err) {
			if len(items) == 1 {
				r.fail(ctx, items[0], err)
				return
			}
			// Find the bad input: write one at a time.
			for _, m := range items {
				r.write(ctx, []*delivered[In]{m}, ackWait)
			}
			return
		}
		if ctx.Err() != nil {
			for _, m := range items {
				returnToServer(m.msg)
			}
			return
		}
		delay := r.Hold.Delay(hold)
		if hold == 1 || hold%10 == 0 {
			r.Log.Warn("store unavailable, holding batch", zap.Int("batch_size", len(items)), zap.Int("hold", hold), zap.Duration("delay", delay), zap.Error(err))
		}
		sleep(ctx, delay)
	}
}

// of returns the report of input i of a batch of n: Fields, then the
// input's own fields from Each.
func (r Report) of(i, n int) Report {
	if len(r.Each) != n {
		return Report{Outcome: r.Outcome, Fields: r.Fields}
	}
	return Report{Outcome: r.Outcome, Fields: append(slices.Clip(r.Fields), r.Each[i]...)}
}
