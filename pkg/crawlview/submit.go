package crawlview

import (
	"context"
	"fmt"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// CrawlRequests builds a validated seed request per URL, each with a
// fresh trace id. It fails on the first invalid URL, naming it, before
// anything is published.
func CrawlRequests(urls []string, now time.Time) ([]schema.CrawlRequest, error) {
	reqs := make([]schema.CrawlRequest, 0, len(urls))
	for _, u := range urls {
		req := schema.CrawlRequest{V: schema.Version, URL: u, Origin: u, SubmittedAt: now, TraceID: bus.NewTraceID()}
		if err := req.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// Submit publishes each request to crawl.urls and reports it; it stops at
// the first failure.
func Submit(ctx context.Context, pub *bus.Publisher, reqs []schema.CrawlRequest, report func(schema.CrawlRequest) error) error {
	for _, req := range reqs {
		out := bus.Out{Subject: schema.SubjectCrawlURLs, ID: "submit:" + req.TraceID, Body: req}
		if err := pub.Publish(ctx, out, req.TraceID); err != nil {
			return fmt.Errorf("%s: %w", req.URL, err)
		}
		if err := report(req); err != nil {
			return err
		}
	}
	return nil
}
