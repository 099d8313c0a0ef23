package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Handler is one pipeline stage. It neither acks, publishes nor logs: the
// runner does all three. No outputs and a nil error means "filtered".
type Handler[In any] func(ctx context.Context, in In) ([]Out, error)

// Runner pulls the messages of one durable consumer and runs a Handler on
// each with a pool of workers, on the Delivery it embeds. Build it with a
// struct literal; Decode and Handle are required, and Consumer,
// Publisher and Log (set by Bind or by hand).
type Runner[In any] struct {
	Delivery[In]
	Handle Handler[In]
	// Report says what became of a handled input, from its outputs, for
	// its log line. Optional: the outcome is then "handled".
	Report func(in In, outs []Out) Report
	// Workers handling messages at once. Defaults to 1.
	Workers int
	// ShutdownGrace is how long in-flight work may finish after the
	// context is cancelled before it is abandoned (and redelivered). 10s.
	ShutdownGrace time.Duration
}

// minPullBuffer is the fewest messages a Runner keeps pulled ahead of its
// workers. The client asks for more when half the buffer is used, so a
// buffer of 2 per worker made a stage with two workers (the parser, one
// per CPU) send a pull request for every 2 messages: a round trip and a
// wake-up on both sides per 2 pages. With 16 it is one per 8. The cost is
// memory: at most 16 messages of up to the server's max payload (1 MiB
// by default) held by the client.
const minPullBuffer = 16

// pullBuffer is how many messages a Runner with workers keeps pulled:
// two per worker, at least minPullBuffer.
func pullBuffer(workers int) int { return max(2*workers, minPullBuffer) }

// Run handles messages until ctx is cancelled, then stops pulling, lets
// in-flight work finish within ShutdownGrace and returns. Messages still
// buffered are returned to the server.
func (r *Runner[In]) Run(ctx context.Context) error {
	if r.Handle == nil {
		return errors.New("runner: Handle is required")
	}
	if err := r.prepare(); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	if r.Workers <= 0 {
		r.Workers = 1
	}
	if r.ShutdownGrace <= 0 {
		r.ShutdownGrace = 10 * time.Second
	}
	info := r.Consumer.CachedInfo()
	ackWait, maxDeliver := info.Config.AckWait, info.Config.MaxDeliver

	it, err := r.Consumer.Messages(jetstream.PullMaxMessages(pullBuffer(r.Workers)))
	if err != nil {
		return fmt.Errorf("consume %s: %w", info.Name, err)
	}
	// Work keeps running for a grace period after ctx is cancelled.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	var wg sync.WaitGroup
	for range r.Workers {
		wg.Go(func() {
			for {
				msg, err := it.Next()
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				if err != nil {
					r.Log.Debug("pull interrupted", zap.Error(err))
					sleep(ctx, 200*time.Millisecond)
					continue
				}
				if ctx.Err() != nil {
					// Shutting down: hand buffered work back at once.
					returnToServer(msg)
					continue
				}
				r.handle(workCtx, msg, ackWait, maxDeliver)
			}
		})
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

// handle runs one message through decode, handler, publish and ack.
func (r *Runner[In]) handle(ctx context.Context, msg jetstream.Msg, ackWait time.Duration, maxDeliver int) {
	r.Metrics.InFlight.WithLabelValues(r.Stage).Inc()
	defer r.Metrics.InFlight.WithLabelValues(r.Stage).Dec()
	m, ok := r.open(ctx, msg, maxDeliver)
	if !ok {
		return
	}
	var noted notes
	hctx := withNotes(m.context(ctx), &noted)
	stop := keepAlive(ackWait, msg)
	outs, err := recovered(func() ([]Out, error) { return r.Handle(hctx, m.in) })
	if err == nil {
		err = r.publish(hctx, m, outs)
	}
	stop()
	r.Metrics.HandleSeconds.WithLabelValues(r.Stage).Observe(time.Since(m.start).Seconds())
	if err != nil {
		r.fail(ctx, m, err)
		return
	}
	var rep Report
	if r.Report != nil {
		rep = r.Report(m.in, outs)
	}
	rep.Fields = append(rep.Fields, noted.all()...)
	r.ack(m, rep)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
