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
	b := hostsBucket(t)
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
	b := hostsBucket(t)
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
	b := hostsBucket(t)
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

// TestBlockLimit: blocks only for short intervals, bounded by maxBlock
// and blockHorizon; Crawl-delay (a second or more) reserves one slot at
// a time.
func TestBlockLimit(t *testing.T) {
	tests := []struct {
		interval time.Duration
		want     int
	}{
		{interval: 0, want: 1},
		{interval: time.Millisecond, want: 16},
		{interval: 5 * time.Millisecond, want: 16},
		{interval: 10 * time.Millisecond, want: 10},
		{interval: 50 * time.Millisecond, want: 2},
		{interval: 51 * time.Millisecond, want: 1},
		{interval: time.Second, want: 1},
		{interval: 10 * time.Second, want: 1},
	}
	for _, tt := range tests {
		if got := blockLimit(tt.interval); got != tt.want {
			t.Errorf("blockLimit(%v) = %d, want %d", tt.interval, got, tt.want)
		}
	}
}

// TestBlocksAcrossReplicas: two replicas, each with four callers taking
// slots of one host at 1000/s and waiting for them, as Acquire does. One
// slot per compare-and-set (reserve, what every fetch did before blocks)
// costs at least one KV write per fetch; in blocks (take, what Acquire
// does) well under one. Either way the slots of both replicas are at
// least an interval apart, exactly. Through Acquire, too, the writes
// stay under one per fetch.
func TestBlocksAcrossReplicas(t *testing.T) {
	b := hostsBucket(t)
	const interval = time.Millisecond
	const callers, each = 8, 50
	run := func(host string, slot func(l *Limiter) (time.Time, error)) (writesPerFetch float64) {
		kvs := []*countingKV{{KeyValue: b}, {KeyValue: b}}
		limiters := []*Limiter{New(kvs[0], 5*time.Second, 100), New(kvs[1], 5*time.Second, 100)}
		var mu sync.Mutex
		var slots []time.Time
		var wg sync.WaitGroup
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := limiters[i%2]
				for range each {
					start, err := slot(l)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					slots = append(slots, start)
					mu.Unlock()
					if err := sleepUntil(t.Context(), start); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(slots) != callers*each {
			t.Fatalf("%s: %d slots, want %d", host, len(slots), callers*each)
		}
		sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
		for i := 1; i < len(slots); i++ {
			if gap := slots[i].Sub(slots[i-1]); gap < interval {
				t.Errorf("%s: slots %d and %d are %v apart, want at least %v", host, i-1, i, gap, interval)
			}
		}
		writes := kvs[0].writes.Load() + kvs[1].writes.Load()
		reads := kvs[0].gets.Load() + kvs[1].gets.Load()
		t.Logf("%s: %d fetches over 2 replicas, %d KV writes (%.3f per fetch), %d reads", host, len(slots), writes, float64(writes)/float64(len(slots)), reads)
		return float64(writes) / float64(len(slots))
	}
	single := run("one-by-one.example", func(l *Limiter) (time.Time, error) {
		return l.reserve(t.Context(), "one-by-one.example", interval)
	})
	blocks := run("blocks.example", func(l *Limiter) (time.Time, error) {
		return l.take(t.Context(), "blocks.example", interval)
	})
	if single < 1 {
		t.Errorf("one slot per compare-and-set: %.3f KV writes per fetch, want at least 1", single)
	}
	if blocks >= 0.5 {
		t.Errorf("slots in blocks: %.3f KV writes per fetch, want under 0.5", blocks)
	}

	// The same through Acquire, with a fetch of a fraction of the
	// interval: its starts are no earlier than their slots, so n of them
	// span at least n-1 intervals.
	kvs := []*countingKV{{KeyValue: b}, {KeyValue: b}}
	limiters := []*Limiter{New(kvs[0], 5*time.Second, 100), New(kvs[1], 5*time.Second, 100)}
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				release, err := limiters[i%2].Acquire(t.Context(), "acquired.example", interval)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				starts = append(starts, time.Now())
				mu.Unlock()
				time.Sleep(interval / 5)
				release()
			}
		}()
	}
	wg.Wait()
	n := len(starts)
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	if n != callers*each {
		t.Fatalf("through Acquire: %d starts, want %d", n, callers*each)
	}
	if span := starts[n-1].Sub(begin); span < time.Duration(n-1)*interval {
		t.Errorf("through Acquire: %d starts within %v of the first call, want at least %v", n, span, time.Duration(n-1)*interval)
	}
	writes := kvs[0].writes.Load() + kvs[1].writes.Load()
	t.Logf("through Acquire: %d fetches over 2 replicas, %d KV writes (%.3f per fetch)", n, writes, float64(writes)/float64(n))
	if float64(writes)/float64(n) >= 0.5 {
		t.Errorf("through Acquire: %.3f KV writes per fetch, want under 0.5", float64(writes)/float64(n))
	}
}

// TestBlocksAndPenalties: a replica taking slots of a busy host as fast
// as it can holds a block of them ahead. A penalty another replica
// records holds for it once that block is spent: it hands out what is
// left of the block (fewer than maxBlock slots, none past the block's
// end), then nothing before the penalty ends. A penalty it records
// itself drops its block at once.
func TestBlocksAndPenalties(t *testing.T) {
	b := hostsBucket(t)
	const interval = time.Millisecond
	const penalty = 500 * time.Millisecond
	busy, other := New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)
	take := func(host string) time.Time {
		t.Helper()
		slot, err := busy.take(t.Context(), host, interval)
		if err != nil {
			t.Fatal(err)
		}
		return slot
	}
	held := func(host string) (k int, end time.Time) {
		busy.mu.Lock()
		defer busy.mu.Unlock()
		if bl := busy.blocks[host]; bl != nil {
			return bl.k, bl.end
		}
		return 0, time.Time{}
	}

	t.Run("another replica's", func(t *testing.T) {
		const host = "penalized.example"
		for range 40 {
			take(host)
		}
		k, end := held(host)
		if k != maxBlock {
			t.Fatalf("after 40 slots at once the block holds %d, want %d", k, maxBlock)
		}
		before := time.Now()
		if err := other.Penalize(t.Context(), host, penalty); err != nil {
			t.Fatal(err)
		}
		early := 0
		for range 2 * maxBlock {
			slot := take(host)
			if slot.Before(before.Add(penalty)) {
				early++
				if slot.After(end.Add(-interval)) {
					t.Errorf("slot at %v, past the block held at the penalty (ending %v)", slot.Sub(before), end.Sub(before))
				}
			}
		}
		if early >= maxBlock {
			t.Errorf("%d slots before the penalty's end, want fewer than one block (%d)", early, maxBlock)
		}
		t.Logf("slots handed out after another replica's penalty, before its end: %d (the rest of the block)", early)
	})

	t.Run("its own", func(t *testing.T) {
		const host = "own.example"
		for range 40 {
			take(host)
		}
		if k, _ := held(host); k <= 1 {
			t.Fatalf("after 40 slots at once the block holds %d, want more than one", k)
		}
		before := time.Now()
		if err := busy.Penalize(t.Context(), host, penalty); err != nil {
			t.Fatal(err)
		}
		if slot := take(host); slot.Before(before.Add(penalty)) {
			t.Errorf("first slot after its own penalty in %v, want at least %v", slot.Sub(before), penalty)
		}
	})
}

// TestLongIntervalsOneSlotEach: an interval too long for blocks (as
// Crawl-delay is) reserves one slot per KV write, as before blocks.
func TestLongIntervalsOneSlotEach(t *testing.T) {
	b := hostsBucket(t)
	c := &countingKV{KeyValue: b}
	l := New(c, 5*time.Second, 100)
	const interval = 60 * time.Millisecond
	var last time.Time
	for i := range 5 {
		slot, err := l.take(t.Context(), "slow.example", interval)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && slot.Sub(last) != interval {
			t.Errorf("slot %d is %v after the last, want %v", i, slot.Sub(last), interval)
		}
		last = slot
	}
	if w := c.writes.Load(); w != 5 {
		t.Errorf("5 slots at %v: %d KV writes, want 5", interval, w)
	}
	if len(l.blocks) != 0 {
		t.Errorf("%d blocks kept for a long interval, want none", len(l.blocks))
	}
}

// hostsBucket returns a fresh hosts bucket on an embedded server of the
// test's own.
func hostsBucket(t *testing.T) jetstream.KeyValue {
	t.Helper()
	_, js := bustest.Connect(t, bustest.Server(t))
	b, err := kv.Ensure(t.Context(), js, kv.BucketHosts, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
