package service

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/parser/internal/parse"
)

// Handler returns the parser stage as a plain function, for callers that
// run it without a consumer (the in-process pipeline benchmark). js reads
// bodies kept in the object store; it may be nil when none are.
func Handler(cfg Config, js jetstream.JetStream) bus.Handler[schema.FetchedPage] {
	return newStage(cfg, js).Handle
}

func newStage(cfg Config, js jetstream.JetStream) *parse.Stage {
	stage := &parse.Stage{MaxDepth: cfg.MaxDepth, MaxLinks: cfg.MaxLinks, NoExpand: !cfg.Expand, ListingBudget: cfg.ListingBudget}
	if js != nil {
		stage.Bodies = pagebody.NewStore(js)
	}
	return stage
}

// countPages counts the page records h produces by page type (reparse
// runs aside).
func countPages(h bus.Handler[schema.FetchedPage], pages *prometheus.CounterVec) bus.Handler[schema.FetchedPage] {
	return func(ctx context.Context, p schema.FetchedPage) ([]bus.Out, error) {
		outs, err := h(ctx, p)
		for _, o := range outs {
			if a, ok := o.Body.(schema.Article); ok && a.Reparse == "" {
				pages.WithLabelValues(a.PageType).Inc()
			}
		}
		return outs, err
	}
}

// newPageCounter registers newsflow_parser_pages_total on reg.
func newPageCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	pages := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsflow_parser_pages_total",
		Help: "Fetched pages the parser recorded, by page type (article, home, section, listing, feed, sitemap).",
	}, []string{"page_type"})
	reg.MustRegister(pages)
	return pages
}
