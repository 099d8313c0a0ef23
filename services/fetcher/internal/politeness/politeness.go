// Package politeness spaces requests to one host across every fetcher
// replica. Each host has a "next allowed start" in a JetStream KV bucket;
// a fetcher reserves the slot with compare-and-set (so two replicas never
// get the same slot), moves the mark one interval on, and waits until its
// slot. 429/503 answers push the mark out by the server's Retry-After.
// Inside one process a host also gets one connection at a time.
//
// For a short interval (at most half of blockHorizon: a host rate of
// 20/s or more) one compare-and-set may reserve a block of consecutive
// slots, moving the mark several intervals on, which this process then
// hands to its own later requests for the host, in order, each at its
// time: one KV write for several fetches. Slots left unused only delay
// other replicas, never break the spacing: every start of this process
// is inside a run of slots it reserved, and every other replica's is
// past that run's end. Longer intervals, Crawl-delay among them, reserve
// one slot per compare-and-set, as always.
//
// How many slots a block holds depends on whether another writer is at
// the host. This process sees another replica's writes when its own
// compare-and-set fails on them and it reads the entry, or when it reads
// the entry for another reason (a new host, a penalty, a refused request)
// and the last write is not its own; it records when that write was made.
//
//   - Contended (another writer seen within quietPeriod): adaptive blocks,
//     bounded by maxBlock and blockHorizon. A block starts at one slot,
//     doubles while the process's requests for the host outrun it, and
//     halves when its slots go unused, so two busy replicas share the
//     host's rate block by block instead of taking turns.
//   - Alone (no other writer seen for quietPeriod): a lease. The block
//     covers the whole horizon (blockHorizon/interval slots, 100 at
//     1000/s), so a host asked one request at a time, a few per horizon,
//     costs one KV write per horizon instead of one per fetch. When
//     another replica comes, it sees the lease's mark (another writer's),
//     reserves adaptive blocks from the start, and waits for the rest of
//     the lease (a horizon at most); its write makes this process's next
//     compare-and-set fail, and the block reserved then is adaptive
//     again, from one slot. So the lease under way when another replica
//     comes is the last, and the replicas share the host instead of
//     taking turns of a horizon each.
//
// Either way a host new to this process, or idle for a horizon, starts
// with one slot (see block.nextSize).
//
// A penalty recorded by this process drops its block at once. One
// recorded by another replica holds here once the block this process
// holds runs out, at its next compare-and-set: the slots it hands out
// after the penalty are the rest of one block reserved before it, at
// most maxBlock intervals of them while contended and at most one
// horizon (blockHorizon) under a lease. With no queue of its own
// requests for the host, that block ends within a horizon and an
// interval of the penalty; slots taken ahead by waiting requests were
// reserved before the penalty, as a single slot always was.
//
// The clocks of the replicas are assumed to agree within a small
// fraction of the interval (NTP).
package politeness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

// slot is the shared state of one host.
type slot struct {
	// Next is the earliest start of the next request.
	Next time.Time `json:"next"`
	// Deferred is the latest return time handed to a refused request: a
	// virtual queue, so refused requests come back one interval apart,
	// about when the host has room, instead of all at once.
	Deferred time.Time `json:"deferred,omitzero"`
}

// TooFarError says the host's next free slot is further away than the
// caller will wait; retry after Wait.
type TooFarError struct{ Wait time.Duration }

func (e *TooFarError) Error() string {
	return fmt.Sprintf("host busy: next slot in %v", e.Wait.Round(time.Millisecond))
}

// Limiter reserves request slots per host.
type Limiter struct {
	kv jetstream.KeyValue
	// MaxWait is the longest a caller waits in process for a slot;
	// beyond that Acquire returns a *TooFarError.
	MaxWait time.Duration
	// MaxWaiters bounds the callers of this process waiting on one host,
	// so one busy host cannot take every worker. A fast host may have up
	// to one second's worth of slots waiting regardless (each wait is
	// then short).
	MaxWaiters int

	mu    sync.Mutex
	hosts map[string]*hostState
	// known is the last state of each host's entry this process read or
	// wrote, with its revision: reserve writes against it directly, and
	// reads the entry only when another writer moved it (the write then
	// fails its compare-and-set). One KV operation per slot instead of two.
	known map[string]known
	// blocks are the slots this process reserved ahead, by host.
	blocks map[string]*block
	// writers is what this process knows of who writes each host entry
	// (by key): it decides between a lease and adaptive blocks.
	writers map[string]writers
}

// Blocks of slots (see the package doc).
//
// blockHorizon caps the span of every block: how long a block may hold
// slots another replica could use, and how late another replica's
// penalty may hold here. A lease covers the whole of it.
//
// maxBlock caps an adaptive block, the one reserved while another writer
// is at the host. At a host rate of 1000/s a block of 16 slots spans
// 16 ms and brings the KV writes of busy replicas down to about one in
// 16 fetches; larger blocks would save less than that sixteenth while
// holding slots from the other replicas longer. blockHorizon caps it at
// slower rates (10 slots at 100/s, 2 at 20/s, 1 from an interval of
// 51 ms on).
//
// quietPeriod is how long no other writer must be seen on a host before
// this process leases it: ten horizons, so a replica that writes the
// host's entry even once a second keeps both on adaptive blocks, and one
// quieter than that loses at most one horizon per request to a lease.
const (
	blockHorizon = 100 * time.Millisecond
	maxBlock     = 16
	quietPeriod  = time.Second
)

// blockLimit is the most slots one compare-and-set reserves at interval.
func blockLimit(interval time.Duration) int {
	if interval <= 0 {
		return 1
	}
	return int(max(1, min(maxBlock, int64(blockHorizon/interval))))
}

// leaseSize is the size of a lease at interval (one with a blockLimit
// over one): the whole horizon.
func leaseSize(interval time.Duration) int {
	return int(blockHorizon / interval)
}

// block is the run of slots of one host this process reserved with one
// compare-and-set: a local start may be at next or later, and no later
// than end-interval, end being the host's mark as this process wrote it.
type block struct {
	interval time.Duration
	next     time.Time
	end      time.Time
	k        int  // slots reserved
	used     int  // slots handed out
	lease    bool // reserved as a lease, not an adaptive block
	// refill is set while one caller reserves the next block, and closed
	// when it is done: the others wait for it rather than race it.
	refill chan struct{}
}

// fresh reports whether b's host is new to this process or idle for a
// horizon at now.
func (b *block) fresh(now time.Time) bool {
	return b.end.IsZero() || now.After(b.end.Add(blockHorizon))
}

// nextSize is the size of the adaptive block to reserve after b at now:
// one for a host new or idle for a horizon, or after a lease; double
// when every slot was taken before the block ran out (the process's
// requests outrun it); half when slots went unused.
//
// A fresh host gets one slot even when no other writer is known, not a
// lease: the one slot costs a KV write as a lease would, and reserving
// it either reads the entry (nothing is known yet of a new host) or
// writes against the revision this process last saw, which fails on
// another writer's change and reads it; so the next block, if a request
// comes within the horizon, is chosen knowing whether another replica is
// at the host now, and a host asked once holds no horizon of slots from
// the others. After a lease the adaptive size starts again at one: the lease's
// unused slots say nothing of how the two replicas' requests compare.
func (b *block) nextSize(now time.Time, limit int) int {
	switch {
	case b.fresh(now) || b.lease:
		return 1
	case b.used >= b.k && now.Before(b.end):
		return min(2*b.k, limit)
	case b.used < b.k:
		return max(1, min(b.k/2, limit))
	}
	return min(b.k, limit)
}

// known is a host entry as last seen, and its revision.
type known struct {
	s   slot
	rev uint64
}

// maxKnown bounds Limiter.known, Limiter.blocks and Limiter.writers;
// past it the map is trimmed or starts again empty.
const maxKnown = 10_000

// writers is what this process knows of the writers of a host entry.
type writers struct {
	// own is the revision of this process's last write: a later one is
	// another writer's.
	own uint64
	// other is when the last write of another writer that this process
	// saw was made (zero: none).
	other time.Time
}

type hostState struct {
	waiters int
	conn    chan struct{} // one fetch at a time in this process
}

// New returns a Limiter on bucket.
func New(bucket jetstream.KeyValue, maxWait time.Duration, maxWaiters int) *Limiter {
	if maxWait <= 0 {
		maxWait = 30 * time.Second
	}
	if maxWaiters <= 0 {
		maxWaiters = 4
	}
	return &Limiter{kv: bucket, MaxWait: maxWait, MaxWaiters: maxWaiters, hosts: map[string]*hostState{}, known: map[string]known{}, blocks: map[string]*block{}, writers: map[string]writers{}}
}

// Waiting returns how many callers of this process wait on each host.
func (l *Limiter) Waiting() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.hosts))
	for h, st := range l.hosts {
		out[h] = st.waiters
	}
	return out
}

// Acquire waits for a slot to start one request to host, spaced interval
// after the previous one cluster-wide, and returns a release function to
// call when the response is read. It returns a *TooFarError (without
// reserving) when the wait would exceed MaxWait or too many callers of this
// process already wait on the host, and KV errors.
func (l *Limiter) Acquire(ctx context.Context, host string, interval time.Duration) (release func(), err error) {
	st, ok := l.enter(host, l.waiters(interval))
	if !ok {
		return nil, l.deferral(ctx, host, interval)
	}
	defer func() {
		if err != nil {
			l.leave(host)
		}
	}()
	start, err := l.take(ctx, host, interval)
	if err != nil {
		var far *TooFarError
		if errors.As(err, &far) {
			return nil, l.deferral(ctx, host, interval)
		}
		return nil, err
	}
	if err := sleepUntil(ctx, start); err != nil {
		return nil, err
	}
	// One connection at a time from this process.
	select {
	case st.conn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-st.conn
			l.leave(host)
		})
	}, nil
}

// Penalize pushes host's next slot to at least now+d (Retry-After, 429,
// 503), and drops the block of slots this process holds for host.
func (l *Limiter) Penalize(ctx context.Context, host string, d time.Duration) error {
	l.mu.Lock()
	delete(l.blocks, host) // a refill under way completes into nothing
	l.mu.Unlock()
	key := kv.Key(host)
	for range 8 {
		cur, rev, err := l.get(ctx, key)
		if err != nil {
			return err
		}
		until := time.Now().Add(d)
		if !cur.Next.Before(until) {
			return nil
		}
		cur.Next = until
		if err := l.put(ctx, key, cur, rev); err == nil {
			return nil
		}
	}
	return errors.New("host slot: contended")
}

// waiters is the in-process waiter cap for a host with this interval.
func (l *Limiter) waiters(interval time.Duration) int {
	n := l.MaxWaiters
	if interval > 0 && int(time.Second/interval) > n {
		n = int(time.Second / interval)
	}
	return n
}

func (l *Limiter) enter(host string, limit int) (*hostState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.hosts[host]
	if st == nil {
		st = &hostState{conn: make(chan struct{}, 1)}
		l.hosts[host] = st
	}
	if st.waiters >= limit {
		return nil, false
	}
	st.waiters++
	return st, true
}

func (l *Limiter) leave(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.hosts[host]; st != nil {
		st.waiters--
		if st.waiters <= 0 {
			delete(l.hosts, host) // memory stays flat over many hosts
		}
	}
}

// deferral hands a refused request its place in the host's virtual
// queue and returns it as a *TooFarError (or a KV error).
func (l *Limiter) deferral(ctx context.Context, host string, interval time.Duration) error {
	key := kv.Key(host)
	for range 50 {
		cur, rev, err := l.get(ctx, key)
		if err != nil {
			return err
		}
		now := time.Now()
		// Behind the in-process waiters' horizon and the queue so far.
		at := cur.Next.Add(time.Duration(l.waiters(interval)) * interval)
		if cur.Deferred.After(at) {
			at = cur.Deferred
		}
		if at.Before(now) {
			at = now
		}
		at = at.Add(interval)
		cur.Deferred = at
		if err := l.put(ctx, key, cur, rev); err == nil {
			return &TooFarError{Wait: at.Sub(now)}
		} else if !isConflict(err) {
			return err
		}
	}
	return errors.New("host slot: contended")
}

// take returns the start of this process's next slot for host: the
// next of its block, or the first of a block it reserves (reserveBlock):
// a lease if the block is not fresh, else an adaptive block; a slot of
// the block further than MaxWait is a *TooFarError, not taken. Intervals
// too long for blocks reserve one slot per call.
func (l *Limiter) take(ctx context.Context, host string, interval time.Duration) (time.Time, error) {
	limit := blockLimit(interval)
	if limit <= 1 {
		return l.reserve(ctx, host, interval)
	}
	for {
		l.mu.Lock()
		now := time.Now()
		b := l.blocks[host]
		if b == nil || b.interval != interval {
			b = &block{interval: interval}
			l.keepBlock(host, b, now)
		}
		if ch := b.refill; ch != nil {
			l.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return time.Time{}, ctx.Err()
			}
		}
		if start := later(b.next, now); !start.Add(interval).After(b.end) {
			wait := start.Sub(now)
			if wait <= l.MaxWait {
				b.next = start.Add(interval)
				b.used++
			}
			l.mu.Unlock()
			if wait > l.MaxWait {
				return time.Time{}, &TooFarError{Wait: wait}
			}
			return start, nil
		}
		// The block is spent: this caller reserves the next one.
		k, lease := b.nextSize(now, limit), 0
		if !b.fresh(now) {
			lease = leaseSize(interval)
		}
		ch := make(chan struct{})
		b.refill = ch
		l.mu.Unlock()
		start, n, err := l.reserveBlock(ctx, host, interval, k, lease)
		l.mu.Lock()
		if err == nil {
			b.k, b.used, b.lease = n, 1, n != k
			b.next, b.end = start.Add(interval), start.Add(time.Duration(n)*interval)
		}
		b.refill = nil
		close(ch)
		l.mu.Unlock()
		return start, err
	}
}

// keepBlock records b as host's block; l.mu is held. Past maxKnown
// hosts, blocks idle for a horizon are dropped, then all.
func (l *Limiter) keepBlock(host string, b *block, now time.Time) {
	if len(l.blocks) >= maxKnown {
		for h, old := range l.blocks {
			if old.refill == nil && now.After(old.end.Add(blockHorizon)) {
				delete(l.blocks, h)
			}
		}
		if len(l.blocks) >= maxKnown {
			clear(l.blocks) // refills under way complete into nothing
		}
	}
	l.blocks[host] = b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// reserve takes the next free slot with compare-and-set and returns its
// start time: reserveBlock of one slot.
func (l *Limiter) reserve(ctx context.Context, host string, interval time.Duration) (time.Time, error) {
	start, _, err := l.reserveBlock(ctx, host, interval, 1, 0)
	return start, err
}

// reserveBlock takes the next n free slots with one compare-and-set and
// returns the start of the first and n; the others follow an interval
// apart. n is lease while no other writer has been seen on the host for
// quietPeriod (quiet), else k; it is decided at each attempt, so a write
// that fails on another replica's change reserves k, not a lease.
// It writes against the entry as this process last saw it, and reads the
// entry only when that write loses to another writer.
func (l *Limiter) reserveBlock(ctx context.Context, host string, interval time.Duration, k, lease int) (time.Time, int, error) {
	key := kv.Key(host)
	for attempt := 0; attempt < 100; attempt++ {
		cur, rev, cached := l.remembered(key)
		if !cached {
			var err error
			if cur, rev, err = l.get(ctx, key); err != nil {
				return time.Time{}, 0, err
			}
		}
		now := time.Now()
		start := cur.Next
		if start.Before(now) {
			start = now
		}
		if wait := start.Sub(now); wait > l.MaxWait {
			if cached {
				// Decide on the entry as it is now (it may have expired).
				l.forget(key)
				continue
			}
			return time.Time{}, 0, &TooFarError{Wait: wait}
		}
		n := k
		if lease > k && l.quiet(key, now) {
			n = lease
		}
		cur.Next = start.Add(time.Duration(n) * interval)
		if err := l.put(ctx, key, cur, rev); err == nil {
			return start, n, nil
		} else if !isConflict(err) {
			return time.Time{}, 0, err
		}
		if cached {
			// Another writer moved the entry: read it, at once.
			continue
		}
		// Lost the race: let the winners through before reading again.
		if err := sleepUntil(ctx, time.Now().Add(time.Duration(rand.Int64N(int64(time.Millisecond)*int64(attempt+1))))); err != nil {
			return time.Time{}, 0, err
		}
	}
	return time.Time{}, 0, errors.New("host slot: contended")
}

func (l *Limiter) get(ctx context.Context, key string) (slot, uint64, error) {
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return slot{}, 0, nil
	}
	if err != nil {
		return slot{}, 0, fmt.Errorf("host slot: %w", err)
	}
	var s slot
	_ = json.Unmarshal(e.Value(), &s)
	l.remember(key, s, e.Revision())
	l.read(key, e.Revision(), e.Created())
	return s, e.Revision(), nil
}

// put writes s if the entry is still at rev (0: absent), and remembers
// what it wrote; a write that fails forgets the entry.
func (l *Limiter) put(ctx context.Context, key string, s slot, rev uint64) error {
	val, _ := json.Marshal(s)
	var err error
	var next uint64
	if rev == 0 {
		next, err = l.kv.Create(ctx, key, val)
	} else {
		next, err = l.kv.Update(ctx, key, val, rev)
	}
	if err != nil {
		l.forget(key)
		return fmt.Errorf("host slot: %w", err)
	}
	l.remember(key, s, next)
	l.wrote(key, next)
	return nil
}

// read notes that the entry of key is at rev, written at created (the
// server's time): a revision past this process's last write is another
// writer's. The time of that write, not of the read, is what counts: an
// entry left by a replica gone an hour ago (or by this process before a
// restart) is no sign of anyone at the host now. A compare-and-set that
// fails on another writer's change is always followed by such a read.
func (l *Limiter) read(key string, rev uint64, created time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.writers[key]
	if rev <= w.own {
		return
	}
	now := time.Now()
	if created.After(now) {
		created = now
	}
	if !created.After(w.other) {
		return
	}
	w.other = created
	l.keepWriters(key, w, now)
}

// wrote notes that this process wrote the entry of key at rev.
func (l *Limiter) wrote(key string, rev uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.writers[key]
	if rev <= w.own {
		return // writers of this process race each other
	}
	w.own = rev
	l.keepWriters(key, w, time.Now())
}

// keepWriters records w for key; l.mu is held. Past maxKnown entries,
// those with no other writer within quietPeriod go (the next read of
// their host may then take this process's own write for another's: a
// lease waits quietPeriod longer), then all.
func (l *Limiter) keepWriters(key string, w writers, now time.Time) {
	if _, ok := l.writers[key]; !ok && len(l.writers) >= maxKnown {
		for k, old := range l.writers {
			if now.Sub(old.other) >= quietPeriod {
				delete(l.writers, k)
			}
		}
		if len(l.writers) >= maxKnown {
			clear(l.writers)
		}
	}
	l.writers[key] = w
}

// quiet reports whether no other writer of key has been seen for
// quietPeriod at now.
func (l *Limiter) quiet(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return now.Sub(l.writers[key].other) >= quietPeriod
}

// remembered returns the entry of key as this process last saw it.
func (l *Limiter) remembered(key string) (slot, uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.known[key]
	return k.s, k.rev, ok
}

// remember records the entry of key at rev, unless a newer revision is
// known already (writers of this process race each other).
func (l *Limiter) remember(key string, s slot, rev uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k, ok := l.known[key]; ok && k.rev >= rev {
		return
	}
	if len(l.known) >= maxKnown {
		clear(l.known)
	}
	l.known[key] = known{s: s, rev: rev}
}

func (l *Limiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.known, key)
}

func isConflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists)
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
