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
// bucket with many callers each. The guarantee is on the reserved slots:
// compare-and-set hands out slots at least one interval apart however the
// callers race, so the slots are checked exactly, with no allowance for
// scheduling jitter. Starts are then checked against what jitter cannot
// break: nobody starts before the first call, and the last of 30 starts is
// at least 29 intervals after it.
func TestSpacingAcrossReplicas(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, err := kv.Ensure(t.Context(), js, kv.BucketHosts, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	const interval = 50 * time.Millisecond
	limiters := []*Limiter{New(b, 5*time.Second, 100), New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)}

	t.Run("slots", func(t *testing.T) {
		var mu sync.Mutex
		var slots []time.Time
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				slot, err := limiters[i%3].reserve(t.Context(), "slots.example", interval)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				slots = append(slots, slot)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(slots) != 30 {
			t.Fatalf("%d slots, want 30", len(slots))
		}
		sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
		for i := 1; i < len(slots); i++ {
			if gap := slots[i].Sub(slots[i-1]); gap < interval {
				t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
			}
		}
	})

	t.Run("starts", func(t *testing.T) {
		var mu sync.Mutex
		var starts []time.Time
		var wg sync.WaitGroup
		begin := time.Now()
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
		if len(starts) != 30 {
			t.Fatalf("%d starts, want 30", len(starts))
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
		// A start never precedes its slot, and the 30 slots span 29
		// intervals from no earlier than begin.
		if span := starts[len(starts)-1].Sub(begin); span < 29*interval {
			t.Errorf("30 starts within %v of the first call, want at least %v", span, 29*interval)
		}
	})
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
