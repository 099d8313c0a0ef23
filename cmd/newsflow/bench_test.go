package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	fetcher "github.com/newsflow/newsflow/services/fetcher/service"
	indexer "github.com/newsflow/newsflow/services/indexer/service"
	parser "github.com/newsflow/newsflow/services/parser/service"
)

// benchArticles is the demo site's size in the pipeline benchmark.
const benchArticles = 1500

// BenchmarkPipeline crawls the demo site end to end twice per iteration:
// through the three stages over JetStream (each stage its own consumer,
// every hop a persisted message), and with the same stage functions called
// in one process, outputs handed over in memory. It reports pages/s for
// both and their ratio (goal: JetStream >= 0.8 of in-process).
//
//	go test -run '^$' -bench Pipeline -benchtime 1x -count 5 ./cmd/newsflow
func BenchmarkPipeline(b *testing.B) {
	var overJS, inProc []float64
	for range b.N {
		overJS = append(overJS, crawlOverJetStream(b))
		inProc = append(inProc, crawlInProcess(b))
	}
	js, in := median(overJS), median(inProc)
	b.ReportMetric(js, "jetstream_pages/s")
	b.ReportMetric(in, "inprocess_pages/s")
	b.ReportMetric(js/in, "ratio")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

// benchEnv is the configuration both runs share: no politeness wait (the
// site is local and the benchmark measures the pipeline, not the limiter).
func benchEnv(natsURL, store string) func(string) string {
	m := map[string]string{
		"NATS_URL": natsURL, "HTTP_ADDR": "off", "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "1000",
		"INDEXER_STORE": store, "LOG_LEVEL": "error",
	}
	return func(k string) string { return m[k] }
}

func benchSite(b *testing.B) (*demosite.Site, demosite.Manifest) {
	b.Helper()
	site := demosite.New(demosite.Options{Articles: benchArticles})
	srv := httptest.NewServer(site)
	b.Cleanup(srv.Close)
	return site, site.Manifest(srv.URL)
}

func benchNATS(b *testing.B) string {
	b.Helper()
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// crawlOverJetStream returns pages/s of the three services over JetStream.
func crawlOverJetStream(b *testing.B) float64 {
	b.Helper()
	_, manifest := benchSite(b)
	natsURL := benchNATS(b)
	getenv := benchEnv(natsURL, filepath.Join(b.TempDir(), "bench.db"))
	fcfg, err := fetcher.LoadConfig(nil, getenv)
	if err != nil {
		b.Fatal(err)
	}
	pcfg, err := parser.LoadConfig(nil, getenv)
	if err != nil {
		b.Fatal(err)
	}
	icfg, err := indexer.LoadConfig(nil, getenv)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return fetcher.Run(ctx, fcfg, zap.NewNop()) },
		func(ctx context.Context) error { return parser.Run(ctx, pcfg, zap.NewNop()) },
		func(ctx context.Context) error { return indexer.Run(ctx, icfg, zap.NewNop()) },
	} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()

	nc, js, err := bus.Connect(ctx, bus.ConnOptions{URL: natsURL}, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	if err := waitForTopology(ctx, js); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{schema.ConsumerFetcher, schema.ConsumerParser, schema.ConsumerIndexer} {
		sc := bus.DefaultTopology().Consumers()[name]
		for {
			if _, err := js.Consumer(ctx, sc.Stream, name); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	prog, err := watchProgress(nc)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := submit(ctx, bus.NewPublisher(js), []string{manifest.Home}, discard{}); err != nil {
		b.Fatal(err)
	}
	articles, err := js.Stream(ctx, schema.StreamArticles)
	if err != nil {
		b.Fatal(err)
	}
	for {
		time.Sleep(20 * time.Millisecond)
		if time.Since(start) > 5*time.Minute {
			b.Fatal("the pipeline did not drain within 5 minutes")
		}
		info, err := articles.Info(ctx)
		if err != nil || info.State.Msgs < uint64(len(manifest.Articles)) || pipelineBusy(ctx, js) {
			continue
		}
		break
	}
	return float64(prog.fetched.Load()) / time.Since(start).Seconds()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// crawlInProcess returns pages/s of the same stage functions chained in
// memory: the fetcher stage (its seen-set, robots cache and host slots
// still live in JetStream KV, as they must across replicas), the parser
// stage and the indexer's store, with Nats-Msg-Id deduplication emulated
// by a map.
func crawlInProcess(b *testing.B) float64 {
	b.Helper()
	_, manifest := benchSite(b)
	natsURL := benchNATS(b)
	getenv := benchEnv(natsURL, filepath.Join(b.TempDir(), "bench.db"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	fcfg, _ := fetcher.LoadConfig(nil, getenv)
	pcfg, _ := parser.LoadConfig(nil, getenv)
	icfg, _ := indexer.LoadConfig(nil, getenv)
	nc, js, err := bus.Connect(ctx, bus.ConnOptions{URL: natsURL}, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	fst, err := fetcher.Build(ctx, fcfg, js)
	if err != nil {
		b.Fatal(err)
	}
	parse := parser.Handler(pcfg, js)
	write, closeStore, err := indexer.Writer(ctx, icfg)
	if err != nil {
		b.Fatal(err)
	}
	defer closeStore()

	p := &memPipeline{
		fetchQ: make(chan schema.CrawlRequest, 1<<16),
		pageQ:  make(chan schema.FetchedPage, 1<<12),
		artQ:   make(chan schema.Article, 1<<12),
		done:   make(chan struct{}),
	}
	var wg sync.WaitGroup
	worker := func(n int, fn func()) {
		for range n {
			wg.Add(1)
			go func() { defer wg.Done(); fn() }()
		}
	}
	worker(fcfg.Workers, func() {
		for req := range p.fetchQ {
			tctx := bus.WithAttempt(bus.WithTraceID(ctx, bus.NewTraceID()), 1)
			for {
				outs, err := fst.Handle(tctx, req)
				if err == nil {
					p.route(outs)
					break
				}
				if bus.IsPermanent(err) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			p.finish(1)
		}
	})
	worker(pcfg.Workers, func() {
		for page := range p.pageQ {
			outs, err := parse(bus.WithTraceID(ctx, page.TraceID), page)
			if err == nil {
				p.route(outs)
			}
			p.finish(1)
		}
	})
	worker(1, func() {
		batch := make([]schema.Article, 0, icfg.BatchSize)
		flush := func() {
			if len(batch) == 0 {
				return
			}
			for write(ctx, batch) != nil && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond)
			}
			p.finish(len(batch))
			batch = batch[:0]
		}
		tick := time.NewTicker(icfg.BatchWait)
		defer tick.Stop()
		for {
			select {
			case a, ok := <-p.artQ:
				if !ok {
					flush()
					return
				}
				if batch = append(batch, a); len(batch) == cap(batch) {
					flush()
				}
			case <-tick.C:
				flush()
			}
		}
	})

	start := time.Now()
	p.pending.Add(1)
	p.fetchQ <- schema.CrawlRequest{V: schema.Version, URL: manifest.Home, Origin: manifest.Home, SubmittedAt: start}
	select {
	case <-p.done:
	case <-time.After(5 * time.Minute):
		b.Fatal("the in-process crawl did not finish within 5 minutes")
	}
	elapsed := time.Since(start)
	close(p.fetchQ)
	close(p.pageQ)
	close(p.artQ)
	wg.Wait()
	if got := int(p.articles.Load()); got < len(manifest.Articles) {
		b.Fatalf("in-process crawl parsed %d articles, the site has %d", got, len(manifest.Articles))
	}
	return float64(p.pages.Load()) / elapsed.Seconds()
}

// memPipeline hands the stages' outputs to each other in memory.
type memPipeline struct {
	fetchQ   chan schema.CrawlRequest
	pageQ    chan schema.FetchedPage
	artQ     chan schema.Article
	ids      sync.Map
	pending  atomic.Int64
	pages    atomic.Int64
	articles atomic.Int64
	done     chan struct{}
	doneOnce sync.Once
}

func (p *memPipeline) route(outs []bus.Out) {
	for _, o := range outs {
		if o.ID != "" {
			if _, dup := p.ids.LoadOrStore(o.ID, true); dup {
				continue
			}
		}
		switch body := o.Body.(type) {
		case schema.CrawlRequest:
			p.pending.Add(1)
			p.fetchQ <- body
		case []byte: // a page's envelope (pagebody.Payload)
			page, err := pagebody.Unmarshal(body)
			if err != nil || o.Subject != schema.SubjectPagesFetched {
				panic(fmt.Sprintf("route: %s: %v", o.Subject, err))
			}
			p.pages.Add(1)
			p.pending.Add(1)
			p.pageQ <- page
		case schema.Article:
			p.articles.Add(1)
			p.pending.Add(1)
			p.artQ <- body
		}
	}
}

func (p *memPipeline) finish(n int) {
	if p.pending.Add(int64(-n)) == 0 {
		p.doneOnce.Do(func() { close(p.done) })
	}
}
