package politeness

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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

// countingKV counts the operations on a real bucket.
type countingKV struct {
	jetstream.KeyValue
	gets, writes atomic.Int32
}

func (c *countingKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	c.gets.Add(1)
	return c.KeyValue.Get(ctx, key)
}

func (c *countingKV) Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error) {
	c.writes.Add(1)
	return c.KeyValue.Create(ctx, key, value, opts...)
}

func (c *countingKV) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	c.writes.Add(1)
	return c.KeyValue.Update(ctx, key, value, revision)
}

// TestSlotsWriteAgainstTheKnownRevision: a replica alone on a host reserves
// each slot with one compare-and-set and no read; when another replica
// moved the entry, the write fails, the entry is read again, and the
// slots stay an interval apart across both.
func TestSlotsWriteAgainstTheKnownRevision(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, err := kv.Ensure(t.Context(), js, kv.BucketHosts, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	const interval = time.Millisecond
	one, other := &countingKV{KeyValue: b}, &countingKV{KeyValue: b}
	l1, l2 := New(one, 5*time.Second, 100), New(other, 5*time.Second, 100)
	var slots []time.Time
	for range 20 {
		slot, err := l1.reserve(t.Context(), "alone.example", interval)
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, slot)
	}
	if g, w := one.gets.Load(), one.writes.Load(); g > 1 || w != 20 {
		t.Errorf("20 slots alone: %d reads, %d writes; want at most 1 read and 20 writes", g, w)
	}
	// Another replica takes slots: the first replica's known revision is
	// stale, its next write fails, and it reads before writing again.
	for range 3 {
		slot, err := l2.reserve(t.Context(), "alone.example", interval)
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, slot)
	}
	g0, w0 := one.gets.Load(), one.writes.Load()
	slot, err := l1.reserve(t.Context(), "alone.example", interval)
	if err != nil {
		t.Fatal(err)
	}
	slots = append(slots, slot)
	if g, w := one.gets.Load()-g0, one.writes.Load()-w0; g != 1 || w != 2 {
		t.Errorf("after another replica's writes: %d reads, %d writes; want 1 read and 2 writes (a failed one)", g, w)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i := 1; i < len(slots); i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < interval {
			t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
		}
	}
	// Penalize moves the mark for every replica, this one included.
	if err := l2.Penalize(t.Context(), "alone.example", time.Second); err != nil {
		t.Fatal(err)
	}
	if slot, err := l1.reserve(t.Context(), "alone.example", interval); err != nil || time.Until(slot) < 900*time.Millisecond {
		t.Errorf("slot after another replica's penalty: in %v (%v), want about 1s", time.Until(slot), err)
	}
}
