// Package politeness spaces requests to one host across every fetcher
// replica. Each host has a "next allowed start" in a JetStream KV bucket;
// a fetcher reserves the slot with compare-and-set (so two replicas never
// get the same slot), moves the mark one interval on, and waits until its
// slot. 429/503 answers push the mark out by the server's Retry-After.
// Inside one process a host also gets one connection at a time.
//
// For a short interval (under half of blockHorizon: a host rate over
// 20/s) one compare-and-set may reserve a block of consecutive slots,
// moving the mark several intervals on, which this process then hands to
// its own later requests for the host, in order, each at its time: one
// KV write for several fetches. A block is bounded by blockHorizon and
// maxBlock, starts at one slot, doubles while the process's requests for
// the host outrun it, and halves when its slots go unused; slots left
// unused only delay other replicas, never break the spacing. A penalty
// recorded by this process drops its block at once; one recorded by
// another replica holds here once the block runs out: at most one block
// (maxBlock intervals, within blockHorizon) late. Longer intervals,
// Crawl-delay among them, reserve one slot per compare-and-set, as
// always.
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
}

// Blocks of slots (see the package doc). At a host rate of 1000/s a
// block of 16 slots spans 16 ms and brings the KV writes down to about
// one in 16 fetches; larger blocks would save less than that sixteenth
// while holding slots, and delaying this process's view of another
// replica's penalty, longer. blockHorizon caps a block's span at slower
// rates (10 slots at 100/s, 2 at 20/s, 1 from an interval of 51 ms on).
const (
	blockHorizon = 100 * time.Millisecond
	maxBlock     = 16
)

// blockLimit is the most slots one compare-and-set reserves at interval.
func blockLimit(interval time.Duration) int {
	if interval <= 0 {
		return 1
	}
	return int(max(1, min(maxBlock, int64(blockHorizon/interval))))
}

// block is the run of slots of one host this process reserved with one
// compare-and-set: a local start may be at next or later, and no later
// than end-interval, end being the host's mark as this process wrote it.
type block struct {
	interval time.Duration
	next     time.Time
	end      time.Time
	k        int // slots reserved
	used     int // slots handed out
	// refill is set while one caller reserves the next block, and closed
	// when it is done: the others wait for it rather than race it.
	refill chan struct{}
}

// nextSize is the size of the block to reserve after b at now: one for
// a host new or idle for a horizon; double when every slot was taken
// before the block ran out (the process's requests outrun it); half when
// slots went unused.
func (b *block) nextSize(now time.Time, limit int) int {
	switch {
	case b.end.IsZero() || now.After(b.end.Add(blockHorizon)):
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

// maxKnown bounds Limiter.known; past it the map starts again empty.
const maxKnown = 10_000

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
	return &Limiter{kv: bucket, MaxWait: maxWait, MaxWaiters: maxWaiters, hosts: map[string]*hostState{}, known: map[string]known{}, blocks: map[string]*block{}}
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
// next of its block, or the first of a block it reserves (reserveBlock);
// a slot of the block further than MaxWait is a *TooFarError, not taken.
// Intervals too long for blocks reserve one slot per call.
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
		k := b.nextSize(now, limit)
		ch := make(chan struct{})
		b.refill = ch
		l.mu.Unlock()
		start, err := l.reserveBlock(ctx, host, interval, k)
		l.mu.Lock()
		if err == nil {
			b.k, b.used = k, 1
			b.next, b.end = start.Add(interval), start.Add(time.Duration(k)*interval)
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
	return l.reserveBlock(ctx, host, interval, 1)
}

// reserveBlock takes the next k free slots with one compare-and-set and
// returns the start of the first; the others follow an interval apart.
// It writes against the entry as this process last saw it, and reads the
// entry only when that write loses to another writer.
func (l *Limiter) reserveBlock(ctx context.Context, host string, interval time.Duration, k int) (time.Time, error) {
	key := kv.Key(host)
	for attempt := 0; attempt < 100; attempt++ {
		cur, rev, cached := l.remembered(key)
		if !cached {
			var err error
			if cur, rev, err = l.get(ctx, key); err != nil {
				return time.Time{}, err
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
			return time.Time{}, &TooFarError{Wait: wait}
		}
		cur.Next = start.Add(time.Duration(k) * interval)
		if err := l.put(ctx, key, cur, rev); err == nil {
			return start, nil
		} else if !isConflict(err) {
			return time.Time{}, err
		}
		if cached {
			// Another writer moved the entry: read it, at once.
			continue
		}
		// Lost the race: let the winners through before reading again.
		if err := sleepUntil(ctx, time.Now().Add(time.Duration(rand.Int64N(int64(time.Millisecond)*int64(attempt+1))))); err != nil {
			return time.Time{}, err
		}
	}
	return time.Time{}, errors.New("host slot: contended")
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
	return nil
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
