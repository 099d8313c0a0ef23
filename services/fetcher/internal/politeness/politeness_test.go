package politeness

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

// TestSpacingAcrossReplicas runs three limiters (three replicas) on one
// bucket with many callers each: request starts on one host are never
// closer than the interval.
func TestSpacingAcrossReplicas(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, err := kv.Ensure(t.Context(), js, kv.BucketHosts, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	const interval = 50 * time.Millisecond
	limiters := []*Limiter{New(b, 5*time.Second, 100), New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)}
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := limiters[i%3].Acquire(t.Context(), "news.example", interval)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	// Wake-ups jitter on a loaded machine, so judge windows rather than
	// single gaps: any 10 intervals hold at most 10 starts (+1 for jitter),
	// and the 30 starts span at least 29 intervals.
	for i := range starts {
		n := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < 10*interval; j++ {
			n++
		}
		if n > 11 {
			t.Errorf("%d starts within %v from start %d, want at most 10", n, 10*interval, i)
		}
	}
	if span := starts[len(starts)-1].Sub(starts[0]); span < 29*interval-10*time.Millisecond {
		t.Errorf("30 starts within %v, want at least %v", span, 29*interval)
	}
	if len(starts) != 30 {
		t.Errorf("%d starts, want 30", len(starts))
	}
}

func TestTooFarAndPenalty(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, _ := kv.Ensure(t.Context(), js, kv.BucketHosts, "test", time.Hour, 1)
	l := New(b, 100*time.Millisecond, 10)
	if err := l.Penalize(t.Context(), "slow.example", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err := l.Acquire(t.Context(), "slow.example", 10*time.Millisecond)
	var far *TooFarError
	if !errors.As(err, &far) || far.Wait < time.Second {
		t.Fatalf("Acquire after a 2s penalty = %v, want a TooFarError of about 2s", err)
	}
	// Other hosts are unaffected.
	release, err := l.Acquire(t.Context(), "fast.example", 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	release()
	// Waiters beyond the cap are turned away without reserving.
	l2 := New(b, time.Minute, 1)
	r1, err := l2.Acquire(t.Context(), "busy.example", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r1()
	if _, err := l2.Acquire(t.Context(), "busy.example", 2*time.Second); !errors.As(err, &far) {
		t.Errorf("second waiter = %v, want TooFarError", err)
	}
	if w := l.Waiting(); len(w) != 0 {
		t.Errorf("waiting %v after release, want none", w)
	}
}
