package crawlview

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/sources"
)

// Source is a registered source as the operator page shows it.
type Source struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
	// Every is the re-poll interval as a Go duration ("10m0s").
	Every      string     `json:"every"`
	NextDue    time.Time  `json:"next_due"`
	LastPolled *time.Time `json:"last_polled,omitempty"`
	// Overdue says the next poll is in the past (no parser is claiming
	// sources, or it is about to).
	Overdue bool `json:"overdue"`
}

// Sources lists the registered sources, sorted by URL, reading the
// registry without creating or changing its bucket: no bucket is an
// empty list.
func Sources(ctx context.Context, js jetstream.JetStream, timeout time.Duration, now time.Time) ([]Source, error) {
	ctx, cancel := context.WithTimeout(ctx, cmpDuration(timeout, DefaultTimeout))
	defer cancel()
	reg, err := sources.OpenExisting(ctx, js)
	if errors.Is(err, sources.ErrNoRegistry) {
		return []Source{}, nil
	}
	if err != nil {
		return nil, err
	}
	list, err := reg.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Source, 0, len(list))
	for _, s := range list {
		v := Source{URL: s.URL, Kind: s.Kind, Every: s.Every.String(), NextDue: s.NextDue.UTC(), Overdue: now.After(s.NextDue)}
		if !s.LastPolled.IsZero() {
			t := s.LastPolled.UTC()
			v.LastPolled = &t
		}
		out = append(out, v)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("list sources: %w", ctx.Err())
	}
	return out, nil
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
