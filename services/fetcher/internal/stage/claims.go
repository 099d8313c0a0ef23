package stage

import (
	"context"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/seen"
)

// SeenClaims is the JetStream KV seen-set as the stage's Claims.
func SeenClaims(set *seen.Set) Claims { return seenClaims{set} }

type seenClaims struct{ set *seen.Set }

func (c seenClaims) Claim(ctx context.Context, norm, owner string, recrawl time.Duration) (Claim, string, error) {
	claim, rec, err := c.set.Claim(ctx, norm, owner, recrawl)
	switch {
	case err != nil:
		return nil, "", err
	case claim != nil:
		return claim, "", nil
	case rec.State == seen.StatePending:
		return nil, "being fetched elsewhere", nil
	}
	return nil, "already " + rec.Outcome, nil
}
