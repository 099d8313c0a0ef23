package bus_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
		Stage:    "test",
		Consumer: h.cons,
		Decode:   decodeString,
		Write: func(ctx context.Context, batch []string) error {
			if down.Load() {
				failures.Add(1)
				return errors.New("connection refused")
			}
			mu.Lock()
			stored = append(stored, batch...)
			mu.Unlock()
			return nil
		},
		BatchSize: 10,
		RetryBase: 50 * time.Millisecond,
		RetryMax:  200 * time.Millisecond,
		Log:       zap.NewNop(),
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
	runBatch(t, &bus.BatchRunner[string]{
		Stage:     "test",
		Consumer:  h.cons,
		Decode:    decodeString,
		Publisher: bus.NewPublisher(h.js),
		Reject: func(r bus.Rejection[string]) []bus.Out {
			return []bus.Out{{Subject: "out.rejected", Body: r.Reason}}
		},
		Write: func(ctx context.Context, batch []string) error {
			if slices.Contains(batch, "poison") {
				return bus.Permanent(errors.New("constraint violated"))
			}
			mu.Lock()
			stored = append(stored, batch...)
			mu.Unlock()
			return nil
		},
		BatchSize: 10,
		MaxWait:   500 * time.Millisecond,
		Log:       zap.NewNop(),
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
