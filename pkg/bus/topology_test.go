package bus_test

import (
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

func TestEnsureTopologyIsIdempotent(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if err := bus.CheckTopology(ctx, js); err == nil {
		t.Fatal("CheckTopology on an empty server: want an error")
	}
	topo := bus.Topology{}
	for range 2 {
		if err := bus.EnsureStreams(ctx, js, topo); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{schema.ConsumerFetcher, schema.ConsumerParser, schema.ConsumerIndexer} {
			if _, err := bus.EnsureConsumer(ctx, js, topo, name); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := bus.CheckTopology(ctx, js); err != nil {
		t.Fatal(err)
	}
	crawl, err := js.Stream(ctx, schema.StreamCrawl)
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawl.CachedInfo().Config
	if cfg.Retention != jetstream.WorkQueuePolicy || cfg.Discard != jetstream.DiscardNew || cfg.Duplicates == 0 {
		t.Errorf("CRAWL: retention %v discard %v duplicates %v; want work queue, discard new, a dedup window", cfg.Retention, cfg.Discard, cfg.Duplicates)
	}
	pages, _ := js.Stream(ctx, schema.StreamPages)
	if pc := pages.CachedInfo().Config; pc.Retention != jetstream.LimitsPolicy || pc.MaxAge == 0 {
		t.Errorf("PAGES: retention %v max age %v; want limits with a max age", pc.Retention, pc.MaxAge)
	}
}

func TestCrawlQueueRefusesWhenFull(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if err := bus.EnsureStreams(ctx, js, bus.Topology{CrawlMaxMsgs: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := js.Publish(ctx, schema.SubjectCrawlURLs, []byte{'a' + byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := js.Publish(ctx, schema.SubjectCrawlURLs, []byte("c"))
	var apiErr *jetstream.APIError
	if err == nil || !errors.As(err, &apiErr) {
		t.Fatalf("third publish to a full work queue: err = %v, want a JetStream API error", err)
	}
}
