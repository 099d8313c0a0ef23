package crawlview

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The operator's commands read whole streams (the ledger, dead letters,
// reparse) through Scan, written for JetStream clusters:
//
// jetstream.OrderedConsumer's Next creates a new consumer for every
// message it returns (and deletes the last one). In a cluster each new
// consumer is placed on some node and its pull subject becomes known to
// the other nodes a moment later, so the pull that follows can meet "no
// responders" (with all nodes up: `OUTCOMES: nats: no responders available
// for request`); and when the re-creation fails, the ordered consumer
// retries it forever in the background, with no context to stop it (with a
// node down: a command that hangs and ignores SIGTERM).
//
// Scan creates one consumer per scan, fetches in batches, retries a
// pull that meets no responders, re-creates the consumer from the next
// sequence if its node goes away, and gives up when no message has come
// for the timeout.

// ScanOptions say which messages of a stream to read.
type ScanOptions struct {
	// HeadersOnly asks the server for the headers without the data.
	HeadersOnly bool
	// FilterSubject reads only this subject.
	FilterSubject string
	// StartTime reads from the first message stored at or after it.
	StartTime *time.Time
	// Batch is the most messages per pull (default 256).
	Batch int
	// Timeout bounds each request and each wait for the next messages
	// (default DefaultTimeout).
	Timeout time.Duration
}

// Scan calls fn for every message of stream stored when the scan
// starts, in order (messages published during the scan are not read),
// until fn returns ErrStop. It returns fn's first other error, ctx's
// error, or an error when the server does not answer or send the next
// message within the timeout.
func Scan(ctx context.Context, js jetstream.JetStream, stream string, o ScanOptions, fn func(jetstream.Msg) error) error {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	info, err := StreamInfo(ctx, js, stream, o.Timeout)
	if err != nil {
		return err
	}
	if info.State.Msgs == 0 {
		return nil
	}
	s := &scan{js: js, stream: stream, o: o, last: info.State.LastSeq, progress: time.Now()}
	err = s.run(ctx, fn)
	if errors.Is(err, ErrStop) {
		err = nil
	}
	s.drop(ctx)
	if err == nil {
		s.dropping.Wait() // leave no consumer behind a scan that went well
	}
	return err
}

// scan is the state of one Scan.
type scan struct {
	js     jetstream.JetStream
	stream string
	o      ScanOptions
	last   uint64 // the stream's last sequence when the scan started
	next   uint64 // the sequence to resume from; 0 before the first message
	cons   jetstream.Consumer
	// delivered says cons has sent a message: its pull subject is known.
	delivered bool
	progress  time.Time // when the last message (or the start) came
	lastErr   error
	dropping  sync.WaitGroup
}

func (s *scan) run(ctx context.Context, fn func(jetstream.Msg) error) error {
	// failures counts failed steps since the last message; creates counts
	// the consumers made (or tried) since then.
	failures, creates, noResponders := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if failures > 0 {
			// Give up once nothing has come for the timeout and a fresh
			// consumer has been tried.
			if time.Since(s.progress) > s.o.Timeout && creates > 1 {
				return s.stalled()
			}
			if err := sleep(ctx, backoff(failures)); err != nil {
				return err
			}
		}
		if s.cons == nil {
			creates++
			if err := s.create(ctx); err != nil {
				if !retryable(err) {
					return err
				}
				s.lastErr = err
				failures++
				continue
			}
			if s.cons.CachedInfo().NumPending == 0 {
				return nil // nothing (left) to read
			}
		}
		got, done, err := s.fetch(ctx, fn)
		if done || (err != nil && !retryable(err)) {
			return err
		}
		if got > 0 {
			failures, creates, noResponders = 0, 0, 0
			continue
		}
		failures++
		if err == nil {
			err = fmt.Errorf("no message within %v", s.o.Timeout)
		}
		s.lastErr = err
		// A new consumer's pull subject may not have reached every node
		// yet: pull again. Anything else, or no responders for long or
		// from a consumer that delivered before: the consumer or its node
		// is gone, or the messages ahead were removed; a new consumer from
		// where we are says which.
		if errors.Is(err, nats.ErrNoResponders) && !s.delivered && noResponders < 5 {
			noResponders++
			continue
		}
		noResponders = 0
		s.drop(ctx)
	}
}

// fetch pulls one batch and hands its messages to fn. done is true when the
// scan is complete or fn failed (then err is fn's error).
func (s *scan) fetch(ctx context.Context, fn func(jetstream.Msg) error) (got int, done bool, err error) {
	batch, err := s.cons.Fetch(s.o.Batch, jetstream.FetchMaxWait(s.o.Timeout))
	if err != nil {
		return 0, false, err
	}
	msgs := batch.Messages()
	for {
		var m jetstream.Msg
		var ok bool
		select {
		case <-ctx.Done():
			return got, true, ctx.Err()
		case m, ok = <-msgs:
		}
		if !ok {
			return got, false, batch.Error()
		}
		meta, err := m.Metadata()
		if err != nil {
			return got, true, fmt.Errorf("%s: %w", s.stream, err)
		}
		if meta.Sequence.Stream > s.last {
			return got, true, nil // published after the scan began
		}
		if err := fn(m); err != nil {
			return got, true, err
		}
		got++
		s.next, s.progress, s.delivered = meta.Sequence.Stream+1, time.Now(), true
		if meta.Sequence.Stream >= s.last || meta.NumPending == 0 {
			return got, true, nil
		}
	}
}

// create makes the scan's consumer: ephemeral, in memory, one replica,
// acks not needed, removed by the server if the command dies.
func (s *scan) create(ctx context.Context) error {
	cfg := jetstream.ConsumerConfig{
		Description:       "newsflow: one read of the stream by an operator's command",
		AckPolicy:         jetstream.AckNonePolicy,
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		HeadersOnly:       s.o.HeadersOnly,
		FilterSubject:     s.o.FilterSubject,
		MemoryStorage:     true,
		Replicas:          1,
		InactiveThreshold: max(30*time.Second, 3*s.o.Timeout),
	}
	switch {
	case s.next > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, s.next
	case s.o.StartTime != nil:
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, s.o.StartTime
	}
	cctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	c, err := s.js.CreateConsumer(cctx, s.stream, cfg)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.stream, err)
	}
	s.cons, s.delivered = c, false
	return nil
}

func (s *scan) info(ctx context.Context) (*jetstream.ConsumerInfo, error) {
	cctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	return s.cons.Info(cctx)
}

// drop deletes the scan's consumer, if any, in the background and
// without waiting long: the server removes it anyway once inactive.
func (s *scan) drop(ctx context.Context) {
	if s.cons == nil {
		return
	}
	name := s.cons.CachedInfo().Name
	s.cons = nil
	if ctx.Err() != nil {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(s.o.Timeout, 2*time.Second))
	s.dropping.Add(1)
	go func() {
		defer s.dropping.Done()
		defer cancel()
		_ = s.js.DeleteConsumer(cctx, s.stream, name)
	}()
}

// retryable says whether a failed step may succeed on another try.
func retryable(err error) bool {
	return !errors.Is(err, context.Canceled) && !errors.Is(err, nats.ErrConnectionClosed)
}

func (s *scan) stalled() error {
	read := "no message"
	if s.next > 0 {
		read = fmt.Sprintf("nothing after sequence %d of %d", s.next-1, s.last)
	}
	return fmt.Errorf("read %s: %s within %v: %w", s.stream, read, s.o.Timeout, cmpErr(s.lastErr, context.DeadlineExceeded))
}

// StreamInfo returns a stream's information, retrying within timeout a
// request that meets no responders (a node joining or leaving).
func StreamInfo(ctx context.Context, js jetstream.JetStream, name string, timeout time.Duration) (*jetstream.StreamInfo, error) {
	return RetryRead(ctx, timeout, func(ctx context.Context) (*jetstream.StreamInfo, error) {
		st, err := js.Stream(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", name, err)
		}
		return st.CachedInfo(), nil
	})
}

// RetryRead runs read with a deadline of timeout, again while it fails
// with no responders and time is left. A request that gets no answer at all
// returns an error saying how long it waited.
func RetryRead[T any](ctx context.Context, timeout time.Duration, read func(context.Context) (T, error)) (T, error) {
	deadline := time.Now().Add(timeout)
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithDeadline(ctx, deadline)
		v, err := read(cctx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return v, err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return v, fmt.Errorf("%w (no answer within %v)", err, timeout)
		}
		if !errors.Is(err, nats.ErrNoResponders) || time.Until(deadline) < backoff(attempt) {
			return v, err
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return v, err
		}
	}
}

// backoff is the pause before retry attempt n: 50ms doubling to 1s.
func backoff(n int) time.Duration {
	return min(50*time.Millisecond<<min(n, 5), time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// cmpErr returns the first non-nil error.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
