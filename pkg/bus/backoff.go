package bus

import (
	"math/rand/v2"
	"time"
)

// Backoff returns the redelivery delay before attempt+1, for attempt >= 1:
// base doubled per attempt, capped at max, with ±25% jitter so a burst of
// failures does not come back as a burst.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}
