package bus_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
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

// TestEnsureStreamsConcurrently: stages started at once all create the
// same streams at the same moment; every one of them must find the
// topology in place, whatever error the server gives the losers of the
// race ("subjects overlap" on nats-server 2.9; newer servers accept an
// identical create). Run against the 2.9 binary to see that race:
// NEWSFLOW_TEST_NATS_SERVER=$(command -v nats-server) go test -run Concurrently.
func TestEnsureStreamsConcurrently(t *testing.T) {
	for round := range 3 {
		s := bustest.Server(t)
		const n = 6
		errs := make(chan error, n)
		var start sync.WaitGroup
		start.Add(1)
		var done sync.WaitGroup
		for range n {
			_, js := bustest.Connect(t, s)
			done.Go(func() {
				start.Wait()
				errs <- bus.EnsureStreams(t.Context(), js, bus.Topology{})
			})
		}
		start.Done()
		done.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: EnsureStreams = %v, want nil for every process", round, err)
			}
		}
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

// TestEnsureStreamsChangesOnlyWhatDiffers: once the streams are as the
// topology says, starting again sends no create or update (an identity
// without those permissions starts at once); a changed setting is
// updated.
func TestEnsureStreamsChangesOnlyWhatDiffers(t *testing.T) {
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	ctx := t.Context()
	var changes atomic.Int32
	sub, err := nc.Subscribe("$JS.API.STREAM.*.*", func(m *nats.Msg) {
		if strings.HasPrefix(m.Subject, "$JS.API.STREAM.CREATE.") || strings.HasPrefix(m.Subject, "$JS.API.STREAM.UPDATE.") {
			changes.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := bus.EnsureStreams(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	settled := func(want int32) {
		t.Helper()
		_ = nc.Flush()
		time.Sleep(100 * time.Millisecond)
		if got := changes.Load(); got != want {
			t.Errorf("%d stream creates and updates, want %d", got, want)
		}
	}
	settled(5)
	if err := bus.EnsureStreams(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	settled(5)
	if err := bus.EnsureStreams(ctx, js, bus.Topology{PagesMaxAge: time.Hour}); err != nil {
		t.Fatal(err)
	}
	settled(6)
	pages, err := js.Stream(ctx, schema.StreamPages)
	if err != nil {
		t.Fatal(err)
	}
	if got := pages.CachedInfo().Config.MaxAge; got != time.Hour {
		t.Errorf("PAGES max age %v after the update, want 1h", got)
	}
}
