//go:build chaos

package service

import (
	"context"
	"os"
	"strings"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// withFaults, in binaries built with -tags chaos for the chaos suite only,
// makes the handler panic on any page whose URL contains
// $CHAOS_PANIC_URL, standing in for an extractor bug that a hostile page
// triggers. The runner must recover, dead-letter the page and go on.
func withFaults(h bus.Handler[schema.FetchedPage]) bus.Handler[schema.FetchedPage] {
	marker := os.Getenv("CHAOS_PANIC_URL")
	if marker == "" {
		return h
	}
	return func(ctx context.Context, p schema.FetchedPage) ([]bus.Out, error) {
		if strings.Contains(p.URL, marker) || strings.Contains(p.FinalURL, marker) {
			panic("chaos: extractor fault injected for " + p.URL)
		}
		return h(ctx, p)
	}
}
