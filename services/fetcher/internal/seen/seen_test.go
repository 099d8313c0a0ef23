package seen

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

func newSet(t *testing.T) *Set {
	t.Helper()
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, err := kv.Ensure(t.Context(), js, kv.BucketSeen, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	return New(b)
}

func TestClaimLifecycle(t *testing.T) {
	ctx := t.Context()
	s := newSet(t)
	const u = "https://news.example/a"

	c, _, err := s.Claim(ctx, u, "m1", 0)
	if err != nil || c == nil {
		t.Fatalf("first claim: %v %v", c, err)
	}
	// Another message while pending: duplicate.
	if c2, rec, err := s.Claim(ctx, u, "m2", 0); err != nil || c2 != nil || rec.State != StatePending {
		t.Fatalf("claim while pending = %v %+v %v, want a pending duplicate", c2, rec, err)
	}
	// The same message redelivered: proceeds.
	c, _, err = s.Claim(ctx, u, "m1", 0)
	if err != nil || c == nil {
		t.Fatalf("redelivery claim: %v %v", c, err)
	}
	// Released after a transient failure: anyone may claim.
	if err := c.Release(ctx); err != nil {
		t.Fatal(err)
	}
	c3, _, err := s.Claim(ctx, u, "m3", 0)
	if err != nil || c3 == nil {
		t.Fatalf("claim after release: %v %v", c3, err)
	}
	if err := c3.Done(ctx, "fetched"); err != nil {
		t.Fatal(err)
	}
	if c4, rec, _ := s.Claim(ctx, u, "m4", 0); c4 != nil || rec.State != StateDone || rec.Outcome != "fetched" {
		t.Fatalf("claim after done = %v %+v, want a duplicate", c4, rec)
	}
	// The message that recorded done, redelivered (its outputs may not
	// have been published), proceeds again.
	if c5, _, _ := s.Claim(ctx, u, "m3", 0); c5 == nil {
		t.Fatal("redelivery of the done message refused")
	}
}

func TestClaimRecrawlAndLease(t *testing.T) {
	ctx := t.Context()
	s := newSet(t)
	s.Lease = 50 * time.Millisecond
	c, _, _ := s.Claim(ctx, "https://news.example/feed", "m1", 0)
	if err := c.Done(ctx, "fetched"); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := s.Claim(ctx, "https://news.example/feed", "m2", time.Hour); c != nil {
		t.Fatal("recrawled before the interval")
	}
	time.Sleep(60 * time.Millisecond)
	if c, _, _ := s.Claim(ctx, "https://news.example/feed", "m2", 50*time.Millisecond); c == nil {
		t.Fatal("not recrawled after the interval")
	}
	// A pending claim whose holder died is taken over after its lease.
	if c, _, _ := s.Claim(ctx, "https://news.example/b", "dead", 0); c == nil {
		t.Fatal("claim b")
	}
	if c, _, _ := s.Claim(ctx, "https://news.example/b", "alive", 0); c != nil {
		t.Fatal("took over a live lease")
	}
	time.Sleep(60 * time.Millisecond)
	if c, _, _ := s.Claim(ctx, "https://news.example/b", "alive", 0); c == nil {
		t.Fatal("expired lease not taken over")
	}
}

func TestClaimConcurrent(t *testing.T) {
	s := newSet(t)
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := s.Claim(t.Context(), "https://news.example/hot", string(rune('a'+i)), 0)
			if err != nil {
				t.Error(err)
			}
			if c != nil {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d claims won, want 1", wins.Load())
	}
}
