package bus_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
)

func runBatch[In any](t *testing.T, r *bus.BatchRunner[In]) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// testDelivery is the delivery core of a test runner on h.
func testDelivery(h *harness) bus.Delivery[string] {
	return bus.Delivery[string]{
		Stage:     "test",
		Consumer:  h.cons,
		Publisher: bus.NewPublisher(h.js),
		Decode:    decodeString,
		Retry:     bus.Retry{Base: 50 * time.Millisecond, Max: 100 * time.Millisecond},
		Log:       zap.NewNop(),
		Metrics:   bus.NewMetrics(nil),
	}
}

func TestBatchRunnerHoldsBatchThroughStoreOutage(t *testing.T) {
	// MaxDeliver 2 and AckWait 1s: an outage of 3s would dead-letter every
	// message if the runner nakked or let AckWait expire.
	h := newHarness(t, time.Second, 2)
	var mu sync.Mutex
	var stored []string
	down := atomic.Bool{}
	down.Store(true)
	var failures atomic.Int32
	runBatch(t, &bus.BatchRunner[string]{
		Delivery: testDelivery(h),
		Write: func(ctx context.Context, batch []string) (bus.Report, error) {
			if down.Load() {
				failures.Add(1)
				return bus.Report{}, errors.New("connection refused")
			}
			mu.Lock()
			stored = append(stored, batch...)
			mu.Unlock()
			return bus.Report{}, nil
		},
		BatchSize: 10,
		Hold:      bus.Retry{Base: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	for _, s := range []string{"a", "b", "c"} {
		h.publish(t, s)
	}
	waitFor(t, "store failures", func() bool { return failures.Load() > 3 })
	time.Sleep(3 * time.Second)
	down.Store(false)
	waitFor(t, "all acked", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(stored)
	if !slices.Equal(stored, []string{"a", "b", "c"}) {
		t.Errorf("stored %v, want [a b c] exactly once each", stored)
	}
}

func TestBatchRunnerIsolatesPermanentFailures(t *testing.T) {
	h := newHarness(t, 5*time.Second, 5)
	var mu sync.Mutex
	var stored []string
	d := testDelivery(h)
	d.Reject = func(r bus.Rejection[string]) []bus.Out {
		return []bus.Out{{Subject: "out.rejected", Body: r.Reason}}
	}
	runBatch(t, &bus.BatchRunner[string]{
		Delivery: d,
		Write: func(ctx context.Context, batch []string) (bus.Report, error) {
			if slices.Contains(batch, "poison") {
				return bus.Report{}, bus.Permanent(errors.New("constraint violated"))
			}
			mu.Lock()
			stored = append(stored, batch...)
			mu.Unlock()
			return bus.Report{}, nil
		},
		BatchSize: 10,
		MaxWait:   500 * time.Millisecond,
	})
	for _, s := range []string{"a", "poison", "b", "bad-json"} {
		h.publish(t, s)
	}
	waitFor(t, "all settled", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	waitFor(t, "two rejection records", func() bool { return len(h.outMsgs(t)) == 2 })
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(stored)
	if !slices.Equal(stored, []string{"a", "b"}) {
		t.Errorf("stored %v, want [a b]", stored)
	}
}

// TestBatchRunnerRecoversPanics: a Write that panics on one input is
// treated as a permanent failure of that input alone.
func TestBatchRunnerRecoversPanics(t *testing.T) {
	h := newHarness(t, 5*time.Second, 5)
	var mu sync.Mutex
	var stored []string
	runBatch(t, &bus.BatchRunner[string]{
		Delivery: testDelivery(h),
		Write: func(ctx context.Context, batch []string) (bus.Report, error) {
			if slices.Contains(batch, "poison") {
				panic("driver bug")
			}
			mu.Lock()
			stored = append(stored, batch...)
			mu.Unlock()
			return bus.Report{}, nil
		},
		BatchSize: 10,
		MaxWait:   300 * time.Millisecond,
	})
	for _, s := range []string{"a", "poison", "b"} {
		h.publish(t, s)
	}
	waitFor(t, "the dead letter", func() bool { return len(h.streamMsgs(t, "DL")) == 1 })
	waitFor(t, "all settled", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	if dls := h.streamMsgs(t, "DL"); len(dls) != 1 || !strings.Contains(string(dls[0].Data), "panic: driver bug") {
		t.Fatalf("dead letters %d, want one recording the panic", len(dls))
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(stored)
	if !slices.Equal(stored, []string{"a", "b"}) {
		t.Errorf("stored %v, want [a b]", stored)
	}
}

// TestRunnersRetryUnrecordedRejections: when a rejection cannot be
// recorded (no stream takes dead letters), both runners hand the message
// back with a backoff and count the retry the same way; once the record
// can be published the message is terminated.
func TestRunnersRetryUnrecordedRejections(t *testing.T) {
	type runner interface{ Run(context.Context) error }
	tests := []struct {
		name  string
		build func(d bus.Delivery[string]) runner
	}{
		{name: "runner", build: func(d bus.Delivery[string]) runner {
			return &bus.Runner[string]{Delivery: d, Handle: func(ctx context.Context, in string) ([]bus.Out, error) {
				return nil, bus.Permanent(errors.New("bad input"))
			}}
		}},
		{name: "batch runner", build: func(d bus.Delivery[string]) runner {
			return &bus.BatchRunner[string]{Delivery: d, Write: func(ctx context.Context, batch []string) (bus.Report, error) {
				return bus.Report{}, bus.Permanent(errors.New("bad input"))
			}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 5*time.Second, 10)
			if err := h.js.DeleteStream(t.Context(), "DL"); err != nil {
				t.Fatal(err)
			}
			d := testDelivery(h)
			r := tt.build(d)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = r.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
			h.publish(t, "x")
			retried := d.Metrics.Messages.WithLabelValues("test", "retried")
			waitFor(t, "two counted retries", func() bool { return testutil.ToFloat64(retried) >= 2 })
			if _, err := h.js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "DL", Subjects: []string{"deadletter.>"}}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the dead letter", func() bool { return len(h.streamMsgs(t, "DL")) == 1 })
			waitFor(t, "termination", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
			if got := testutil.ToFloat64(d.Metrics.Messages.WithLabelValues("test", "terminated")); got != 1 {
				t.Errorf("terminated = %v, want 1", got)
			}
		})
	}
}

// TestBatchRunnerLingers: a burst smaller than a batch is written once
// no more inputs come for Linger, not after the rest of MaxWait, and
// still as few batches, not one write per input.
func TestBatchRunnerLingers(t *testing.T) {
	h := newHarness(t, 30*time.Second, 5)
	const maxWait = 5 * time.Second
	var mu sync.Mutex
	var batches [][]string
	var storedAt time.Time
	runBatch(t, &bus.BatchRunner[string]{
		Delivery: testDelivery(h),
		Write: func(ctx context.Context, batch []string) (bus.Report, error) {
			mu.Lock()
			defer mu.Unlock()
			batches = append(batches, slices.Clone(batch))
			storedAt = time.Now()
			return bus.Report{}, nil
		},
		BatchSize: 100,
		MaxWait:   maxWait,
		Linger:    50 * time.Millisecond,
	})
	// Let the runner's first pull start, as in a running indexer.
	time.Sleep(200 * time.Millisecond)
	var want []string
	for i := range 20 {
		s := fmt.Sprintf("m%02d", i)
		want = append(want, s)
		h.publish(t, s)
	}
	published := time.Now()
	stored := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var got []string
		for _, b := range batches {
			got = append(got, b...)
		}
		return got
	}
	waitFor(t, "the burst stored", func() bool { return len(stored()) >= len(want) })
	waitFor(t, "all acked", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	got := stored()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v once each", got, want)
	}
	// Lingering takes about two Lingers (100 ms); 700 ms leaves room for
	// a busy machine and still tells it from a second's wait.
	if took := storedAt.Sub(published); took >= 700*time.Millisecond {
		t.Errorf("the burst's last batch was written %v after it was published, with Linger 50ms and MaxWait %v", took, maxWait)
	}
	if len(batches) > 3 {
		t.Errorf("%d writes for a burst of 20, want at most 3 (batches %v)", len(batches), batches)
	}
}
