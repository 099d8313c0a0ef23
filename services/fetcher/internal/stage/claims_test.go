package stage

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
	"github.com/newsflow/newsflow/services/fetcher/internal/seen"
)

// TestSeenClaims: the JetStream seen-set, seen through the stage's Claims,
// gives one claim per URL and says why the others are duplicates.
func TestSeenClaims(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	bucket, err := kv.Ensure(t.Context(), js, kv.BucketSeen, "test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	claims := SeenClaims(seen.New(bucket))
	ctx := t.Context()
	const u = "https://news.example/a"
	c, _, err := claims.Claim(ctx, u, "m1", 0)
	if err != nil || c == nil {
		t.Fatalf("first claim = %v, %v", c, err)
	}
	if c2, why, err := claims.Claim(ctx, u, "m2", 0); c2 != nil || why != "being fetched elsewhere" || err != nil {
		t.Errorf("claim while pending = %v, %q, %v", c2, why, err)
	}
	if err := c.Done(ctx, "fetched"); err != nil {
		t.Fatal(err)
	}
	if c2, why, err := claims.Claim(ctx, u, "m3", 0); c2 != nil || why != "already fetched" || err != nil {
		t.Errorf("claim when done = %v, %q, %v", c2, why, err)
	}
}
