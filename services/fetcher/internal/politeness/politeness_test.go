package politeness

import (
	"context"
	"errors"
	"math/rand/v2"
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
// left of the block (none past the block's end), then nothing before the
// penalty ends. While the other replica is at the host the block is an
// adaptive one (fewer than maxBlock slots are left); alone, a lease
// (fewer than a horizon's worth, and none a horizon after the penalty).
// A penalty it records itself drops its block at once.
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
	// early takes n slots after another replica's penalty recorded at
	// before, and counts those before the penalty's end; none may come
	// after end, the end of the block held when the penalty came.
	early := func(host string, n int, before, end time.Time) int {
		t.Helper()
		count := 0
		for range n {
			slot := take(host)
			if slot.Before(before.Add(penalty)) {
				count++
				if slot.After(end.Add(-interval)) {
					t.Errorf("slot at %v, past the block held at the penalty (ending %v)", slot.Sub(before), end.Sub(before))
				}
			}
		}
		return count
	}

	t.Run("another replica's, contended", func(t *testing.T) {
		const host = "penalized.example"
		// The other replica is at the host too.
		if _, err := other.take(t.Context(), host, interval); err != nil {
			t.Fatal(err)
		}
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
		n := early(host, 2*maxBlock, before, end)
		if n >= maxBlock {
			t.Errorf("%d slots before the penalty's end, want fewer than one block (%d)", n, maxBlock)
		}
		t.Logf("slots handed out after another replica's penalty, before its end: %d (the rest of the block)", n)
	})

	t.Run("another replica's, leased", func(t *testing.T) {
		const host = "leased.example"
		for range 40 {
			take(host)
		}
		k, end := held(host)
		if k != leaseSize(interval) {
			t.Fatalf("after 40 slots at once, alone, the block holds %d, want a lease of %d", k, leaseSize(interval))
		}
		before := time.Now()
		if err := other.Penalize(t.Context(), host, penalty); err != nil {
			t.Fatal(err)
		}
		// The lease was reserved before the penalty, at the second take,
		// and started an interval after the first.
		if late := end.Sub(before); late > blockHorizon+interval {
			t.Errorf("the lease ends %v after the penalty, want at most %v", late, blockHorizon+interval)
		}
		n := early(host, k+maxBlock, before, end)
		if n >= k {
			t.Errorf("%d slots before the penalty's end, want fewer than the lease (%d)", n, k)
		}
		t.Logf("slots handed out after another replica's penalty, before its end: %d (the rest of the lease)", n)
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

// TestLeaseWhileAlone models the issue-13 benchmark: one replica, a few
// hosts at 1000/s, each asked one request at a time (a fetch of a few
// ms, then the worker is away 10-20 ms), by one worker per host (the
// benchmark's pattern: a request every 15-35 ms) or two. Blocks, which
// grow only while the requests outrun them, stay at one slot here: a KV
// write per fetch. A replica alone on a host leases it a horizon at a
// time instead: a write per host per horizon, whatever the fetches.
func TestLeaseWhileAlone(t *testing.T) {
	const interval = time.Millisecond
	hosts := []string{"a.example", "b.example", "c.example", "d.example"}
	tests := []struct {
		name    string
		perHost int // workers asking each host
		each    int // fetches per worker
	}{
		{name: "one worker per host", perHost: 1, each: 40},
		{name: "two workers per host", perHost: 2, each: 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &countingKV{KeyValue: hostsBucket(t)}
			l := New(c, 5*time.Second, 100)
			var fetches atomic.Int32
			var wg sync.WaitGroup
			for i := range tt.perHost * len(hosts) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					host := hosts[i%len(hosts)]
					for range tt.each {
						release, err := l.Acquire(t.Context(), host, interval)
						if err != nil {
							t.Error(err)
							return
						}
						fetches.Add(1)
						time.Sleep(2*time.Millisecond + rand.N(2*time.Millisecond))
						release()
						time.Sleep(10*time.Millisecond + rand.N(10*time.Millisecond))
					}
				}()
			}
			wg.Wait()
			n, w := fetches.Load(), c.writes.Load()
			perFetch := float64(w) / float64(n)
			t.Logf("%d fetches over %d hosts, one replica: %d KV writes (%.3f per fetch), %d reads", n, len(hosts), w, perFetch, c.gets.Load())
			if int(n) != tt.perHost*len(hosts)*tt.each {
				t.Fatalf("%d fetches, want %d", n, tt.perHost*len(hosts)*tt.each)
			}
			if perFetch >= 0.5 {
				t.Errorf("%.3f KV writes per fetch, want under 0.5", perFetch)
			}
		})
	}
}

// TestLeaseYieldsToAnotherReplica: two replicas ask one host at 1000/s,
// one request at a time each, as in TestLeaseWhileAlone. Each sees the
// other's writes and reserves by the adaptive blocks, so the two share
// the host's rate and a request waits about nothing for its slot. Were
// they to lease the host in turns, a request would often wait for the
// other's lease to run out (up to a horizon). The slots of both stay an
// interval apart, exactly.
func TestLeaseYieldsToAnotherReplica(t *testing.T) {
	b := hostsBucket(t)
	const interval = time.Millisecond
	const host = "shared.example"
	const callers, each = 4, 30
	limiters := []*Limiter{New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)}
	var mu sync.Mutex
	var slots []time.Time
	var waits []time.Duration
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := limiters[i%2]
			for range each {
				asked := time.Now()
				start, err := l.take(t.Context(), host, interval)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				slots = append(slots, start)
				waits = append(waits, max(0, start.Sub(asked)))
				mu.Unlock()
				if err := sleepUntil(t.Context(), start); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(2*time.Millisecond + rand.N(2*time.Millisecond))
				time.Sleep(10*time.Millisecond + rand.N(10*time.Millisecond))
			}
		}()
	}
	wg.Wait()
	n := len(slots)
	if n != callers*each {
		t.Fatalf("%d slots, want %d", n, callers*each)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i := 1; i < n; i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < interval {
			t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
		}
	}
	// In turns, a replica's requests inside its own lease wait nothing
	// and the others about the rest of the other's lease: the 90th
	// percentile shows it. It leaves out the few requests that wait for a
	// lease taken before the replicas first see each other (at most one
	// horizon).
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	median, p90 := waits[n/2], waits[n*9/10]
	t.Logf("%d slots over 2 replicas: wait for a slot: median %v, 90th percentile %v, longest %v", n, median, p90, waits[n-1])
	if p90 > blockHorizon/5 {
		t.Errorf("90th percentile of the wait for a slot %v, want at most %v (the replicas take turns?)", p90, blockHorizon/5)
	}
}

// TestLeaseEndsOnAnotherWriter: the compare-and-set that would renew a
// lease and fails on another replica's write reserves an adaptive block
// (one slot after a lease) instead, right after the other's slot: the
// lease under way when another replica comes is the last.
func TestLeaseEndsOnAnotherWriter(t *testing.T) {
	b := hostsBucket(t)
	const interval = time.Millisecond
	const host = "joined.example"
	busy, other := New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)
	take := func(l *Limiter) time.Time {
		t.Helper()
		slot, err := l.take(t.Context(), host, interval)
		if err != nil {
			t.Fatal(err)
		}
		return slot
	}
	held := func() int {
		busy.mu.Lock()
		defer busy.mu.Unlock()
		return busy.blocks[host].k
	}
	for range 1 + leaseSize(interval) { // a slot, then a whole lease
		take(busy)
	}
	if k := held(); k != leaseSize(interval) {
		t.Fatalf("alone, the block holds %d, want a lease of %d", k, leaseSize(interval))
	}
	theirs := take(other)
	mine := take(busy)
	if k := held(); k != 1 {
		t.Errorf("after another replica's write the block holds %d, want 1", k)
	}
	if gap := mine.Sub(theirs); gap != interval {
		t.Errorf("the slot after the other replica's is %v after it, want %v", gap, interval)
	}
}

// TestLeaseAfterQuiet: a replica that has seen another writer on a host
// reserves adaptive blocks; once no other writer has been seen for
// quietPeriod, it leases the host. What counts is when the other wrote,
// not when this replica read it: a replica new to a host whose entry
// another wrote quietPeriod ago leases it at once.
func TestLeaseAfterQuiet(t *testing.T) {
	b := hostsBucket(t)
	const interval = time.Millisecond
	busy, other, newcomer := New(b, 5*time.Second, 100), New(b, 5*time.Second, 100), New(b, 5*time.Second, 100)
	held := func(l *Limiter, host string) int {
		t.Helper()
		for range 40 {
			if _, err := l.take(t.Context(), host, interval); err != nil {
				t.Fatal(err)
			}
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.blocks[host].k
	}
	for _, host := range []string{"quiet.example", "left.example"} {
		if _, err := other.take(t.Context(), host, interval); err != nil {
			t.Fatal(err)
		}
	}
	if k := held(busy, "quiet.example"); k > maxBlock {
		t.Errorf("with another writer just seen the block holds %d, want at most %d", k, maxBlock)
	}
	time.Sleep(quietPeriod)
	if k := held(busy, "quiet.example"); k != leaseSize(interval) {
		t.Errorf("after %v with no other writer the block holds %d, want a lease of %d", quietPeriod, k, leaseSize(interval))
	}
	if k := held(newcomer, "left.example"); k != leaseSize(interval) {
		t.Errorf("new to a host another wrote %v ago, the block holds %d, want a lease of %d", quietPeriod, k, leaseSize(interval))
	}
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
