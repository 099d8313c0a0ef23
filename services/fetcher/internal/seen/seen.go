// Package seen is the crawl's cluster-wide seen-set: one JetStream KV
// entry per normalised URL (keyed by its hash, expiring with the bucket's
// TTL), claimed with compare-and-set so that however many replicas receive
// however many spellings of a URL, one fetches it. Memory stays flat: the
// set lives in JetStream, not in the fetcher.
//
// An entry is pending (a fetcher is on it), released (the fetch failed
// transiently and is to be retried by whoever comes next) or done (a
// terminal outcome was recorded). A redelivery of the claiming message
// recognises its own pending claim by its identity (trace id and
// spelling) and proceeds; a pending claim whose lease ran out (its holder
// died) can be taken over. Done entries may be claimed again after a
// recrawl interval (feeds, sitemaps and seeds are re-fetched on schedule;
// articles are not).
package seen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

// States of an entry.
const (
	StatePending  = "pending"
	StateReleased = "released"
	StateDone     = "done"
)

// Record is the value of one entry.
type Record struct {
	State string `json:"s"`
	// Owner identifies the claiming message (trace id and spelling).
	Owner string `json:"o,omitempty"`
	// Lease is when a pending claim may be taken over.
	Lease time.Time `json:"l,omitzero"`
	// At is when the entry reached done.
	At time.Time `json:"at,omitzero"`
	// Outcome is the terminal outcome recorded.
	Outcome string `json:"out,omitempty"`
}

// Set is the seen-set.
type Set struct {
	kv jetstream.KeyValue
	// Lease of a pending claim (default 10m): longer than any fetch with
	// its politeness wait.
	Lease time.Duration
}

// New returns a Set on bucket.
func New(bucket jetstream.KeyValue) *Set { return &Set{kv: bucket, Lease: 10 * time.Minute} }

// Claim is a URL this message may fetch.
type Claim struct {
	set *Set
	key string
	rev uint64
	rec Record
}

// Claim tries to claim the normalised URL for the message identified by
// owner. It returns a Claim to fetch under, or nil and the existing
// record when the URL is a duplicate. recrawl > 0 lets a done entry older
// than recrawl be claimed again. Errors are KV failures (transient).
func (s *Set) Claim(ctx context.Context, normURL, owner string, recrawl time.Duration) (*Claim, *Record, error) {
	key := kv.Key(normURL)
	now := time.Now()
	mine := Record{State: StatePending, Owner: owner, Lease: now.Add(s.Lease)}
	val, _ := json.Marshal(mine)
	for range 8 {
		rev, err := s.kv.Create(ctx, key, val)
		if err == nil {
			return &Claim{set: s, key: key, rev: rev, rec: mine}, nil, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, nil, fmt.Errorf("seen claim: %w", err)
		}
		e, err := s.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // expired or deleted in between
		}
		if err != nil {
			return nil, nil, fmt.Errorf("seen get: %w", err)
		}
		var rec Record
		if json.Unmarshal(e.Value(), &rec) != nil {
			rec = Record{State: StateReleased}
		}
		take := false
		switch rec.State {
		case StateDone:
			// The same message again (its outputs may not have been
			// published), or a recrawl that is due.
			take = rec.Owner == owner || (recrawl > 0 && now.Sub(rec.At) >= recrawl)
		case StatePending:
			take = rec.Owner == owner || now.After(rec.Lease)
		default:
			take = true
		}
		if !take {
			return nil, &rec, nil
		}
		rev, err = s.kv.Update(ctx, key, val, e.Revision())
		if err == nil {
			return &Claim{set: s, key: key, rev: rev, rec: mine}, nil, nil
		}
		// Someone else moved the entry: look again.
	}
	return nil, nil, fmt.Errorf("seen claim: contended")
}

// Done records the terminal outcome. A failure only risks a second fetch.
func (c *Claim) Done(ctx context.Context, outcome string) error {
	return c.put(ctx, Record{State: StateDone, Owner: c.rec.Owner, At: time.Now(), Outcome: outcome})
}

// Release hands the URL back after a transient failure, so the redelivery
// (or any other message for the URL) may claim it.
func (c *Claim) Release(ctx context.Context) error {
	return c.put(ctx, Record{State: StateReleased, Owner: c.rec.Owner})
}

func (c *Claim) put(ctx context.Context, rec Record) error {
	val, _ := json.Marshal(rec)
	rev, err := c.set.kv.Update(ctx, c.key, val, c.rev)
	if err != nil {
		return fmt.Errorf("seen %s: %w", rec.State, err)
	}
	c.rev, c.rec = rev, rec
	return nil
}
