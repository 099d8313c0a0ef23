// Package service wires the parser stage to NATS: configuration, the
// consumer of pages.fetched, the object store for large bodies, the
// schedule of registered sources, health and metrics. cmd/newsflow runs it
// in-process; main runs it as a binary.
package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/services/parser/internal/parse"
)

// Config is the parser's configuration.
type Config struct {
	Common config.Common
	// MaxDepth is the deepest crawl depth of a followed link (PARSER_MAX_DEPTH).
	MaxDepth int
	// MaxLinks caps the links followed from one page (PARSER_MAX_LINKS).
	MaxLinks int
	// Workers parse pages at once (PARSER_WORKERS, default: the CPU count).
	Workers int
	// Expand queues the entries of feeds, sitemaps and robots.txt Sitemap
	// lines, and the feeds a seed page announces (PARSER_EXPAND).
	Expand bool
	// SourcesPoll is how often registered feeds and sitemaps are checked
	// for being due and queued on crawl.urls; 0 disables
	// (PARSER_SOURCES_POLL).
	SourcesPoll time.Duration
}

// LoadConfig reads flags from args with defaults from getenv.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("parser", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: parser [flags]\n\nParses pages.fetched into articles.parsed and feeds discovered links to crawl.urls.\nEvery flag defaults to the environment variable named in its description.\n\n")
		fs.PrintDefaults()
	}
	var cfg Config
	common := config.RegisterCommon(fs, getenv, "parser", ":8082")
	env := config.Env(getenv)
	depth, err := env.Int("PARSER_MAX_DEPTH", 4)
	if err != nil {
		return cfg, err
	}
	links, err := env.Int("PARSER_MAX_LINKS", 1000)
	if err != nil {
		return cfg, err
	}
	workers, err := env.Int("PARSER_WORKERS", runtime.NumCPU())
	if err != nil {
		return cfg, err
	}
	expand, err := env.Bool("PARSER_EXPAND", true)
	if err != nil {
		return cfg, err
	}
	poll, err := env.Duration("PARSER_SOURCES_POLL", 15*time.Second)
	if err != nil {
		return cfg, err
	}
	fs.IntVar(&cfg.MaxDepth, "max-depth", depth, "deepest crawl depth of a followed link; the seed is 0 (env PARSER_MAX_DEPTH)")
	fs.IntVar(&cfg.MaxLinks, "max-links", links, "most links followed from one page (env PARSER_MAX_LINKS)")
	fs.IntVar(&cfg.Workers, "workers", workers, "pages parsed at once (env PARSER_WORKERS)")
	fs.BoolVar(&cfg.Expand, "expand", expand, "queue the entries of feeds, sitemaps and robots.txt Sitemap lines, and the feeds a seed announces (env PARSER_EXPAND)")
	fs.DurationVar(&cfg.SourcesPoll, "sources-poll", poll, "how often registered feeds and sitemaps are checked for being due; 0 disables (env PARSER_SOURCES_POLL)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Common = *common
	if err := cfg.Common.Validate(); err != nil {
		return cfg, err
	}
	if cfg.MaxDepth < 0 {
		return cfg, fmt.Errorf("max-depth: %d is negative", cfg.MaxDepth)
	}
	if cfg.Workers < 1 {
		return cfg, fmt.Errorf("workers: %d, want at least 1", cfg.Workers)
	}
	if cfg.SourcesPoll < 0 {
		return cfg, fmt.Errorf("sources-poll: %v is negative", cfg.SourcesPoll)
	}
	return cfg, nil
}

// Run connects to NATS and parses pages until ctx is cancelled.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	nc, js, err := bus.Connect(ctx, cfg.Common.NATS, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	err = RunWithConn(ctx, cfg, log, nc, js)
	if derr := nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
		log.Warn("drain", zap.Error(derr))
	}
	return err
}

// RunWithConn runs the parser on an existing connection, which it does
// not close.
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	topo := cfg.Common.Topology()
	if err := bus.EnsureStreams(ctx, js, topo); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	cons, err := bus.EnsureConsumer(ctx, js, topo, schema.ConsumerParser)
	if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	var registry *sources.Registry
	if cfg.SourcesPoll > 0 {
		if registry, err = sources.Open(ctx, js, cfg.Common.Replicas); err != nil {
			return err
		}
	}
	reg := ops.NewRegistry()
	reg.MustRegister(bus.NewLagCollector(js, schema.StreamPages, schema.ConsumerParser))
	pages := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsflow_parser_pages_total",
		Help: "Fetched pages the parser recorded, by page type (article, home, section, listing, feed, sitemap).",
	}, []string{"page_type"})
	reg.MustRegister(pages)
	stage := newStage(cfg, js)
	pub := bus.NewPublisher(js)
	runner := &bus.Runner[schema.FetchedPage]{
		Delivery: bus.Delivery[schema.FetchedPage]{
			Stage:     "parser",
			Decode:    schema.Decode[schema.FetchedPage],
			Describe:  parse.Describe,
			Consumer:  cons,
			Publisher: pub,
			Log:       log,
			Metrics:   bus.NewMetrics(reg),
		},
		Handle:  countPages(withFaults(stage.Handle), pages),
		Report:  parse.Report,
		Workers: cfg.Workers,
	}

	var wg sync.WaitGroup
	errc := make(chan error, 1)
	if cfg.Common.HTTPAddr != "" {
		mux := ops.Mux(reg, map[string]ops.Check{
			"nats":     func(context.Context) error { return natsCheck(nc) },
			"topology": func(ctx context.Context) error { return bus.CheckTopology(ctx, js) },
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ops.Serve(ctx, cfg.Common.HTTPAddr, mux, log, nil); err != nil {
				errc <- err
			}
		}()
	}
	log.Info("parser started", zap.Int("workers", cfg.Workers), zap.Int("max_depth", cfg.MaxDepth),
		zap.Bool("expand", cfg.Expand), zap.Duration("sources_poll", cfg.SourcesPoll))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if registry != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pollSources(runCtx, cfg.SourcesPoll, registry, pub, log)
		}()
	}
	go func() {
		select {
		case <-errc:
			cancel()
		case <-runCtx.Done():
		}
	}()
	err = runner.Run(runCtx)
	cancel()
	wg.Wait()
	select {
	case herr := <-errc:
		return herr
	default:
	}
	log.Info("parser stopped")
	return err
}

func natsCheck(nc *nats.Conn) error {
	if !nc.IsConnected() {
		return fmt.Errorf("nats: %s", nc.Status())
	}
	return nil
}

// objectBodies reads large bodies from the JetStream object store.
type objectBodies struct {
	js jetstream.JetStream
	mu sync.Mutex
	os jetstream.ObjectStore
}

func (o *objectBodies) Get(ctx context.Context, name string) ([]byte, error) {
	o.mu.Lock()
	if o.os == nil {
		os, err := o.js.ObjectStore(ctx, schema.BucketPageBodies)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			o.mu.Unlock()
			return nil, fmt.Errorf("bucket %s: %w", schema.BucketPageBodies, parse.ErrBodyNotFound)
		}
		if err != nil {
			o.mu.Unlock()
			return nil, err
		}
		o.os = os
	}
	store := o.os
	o.mu.Unlock()
	data, err := store.GetBytes(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%w: %v", parse.ErrBodyNotFound, err)
	}
	return data, err
}

// Handler returns the parser stage as a plain function, for callers that
// run it without a consumer (the in-process pipeline benchmark). js reads
// bodies kept in the object store; it may be nil when none are.
func Handler(cfg Config, js jetstream.JetStream) bus.Handler[schema.FetchedPage] {
	return newStage(cfg, js).Handle
}

func newStage(cfg Config, js jetstream.JetStream) *parse.Stage {
	stage := &parse.Stage{MaxDepth: cfg.MaxDepth, MaxLinks: cfg.MaxLinks, NoExpand: !cfg.Expand}
	if js != nil {
		stage.Bodies = &objectBodies{js: js}
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

// pollSources queues every registered source that is due, every interval.
// The message id names the source and its due time, so two replicas that
// both see it due publish it once (the registry's compare-and-set already
// gives it to one of them).
func pollSources(ctx context.Context, every time.Duration, reg *sources.Registry, pub *bus.Publisher, log *zap.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		due, err := reg.Due(ctx, time.Now().UTC())
		if err != nil && ctx.Err() == nil {
			log.Warn("sources poll", zap.Error(err))
		}
		for _, s := range due {
			trace := bus.NewTraceID()
			req := schema.CrawlRequest{
				V: schema.Version, URL: s.URL, Origin: s.URL, SubmittedAt: time.Now().UTC(), TraceID: trace,
				Hints: &schema.Hints{Kind: s.Kind, Source: s.URL},
			}
			id := fmt.Sprintf("source:%s:%d", sources.Key(s.URL), s.NextDue.Unix())
			if err := pub.Publish(ctx, bus.Out{Subject: schema.SubjectCrawlURLs, ID: id, Body: req}, trace); err != nil {
				log.Warn("source not queued", zap.String("url", s.URL), zap.Error(err))
				continue
			}
			log.Info("source queued", zap.String("url", s.URL), zap.String("kind", s.Kind), zap.String("trace_id", trace))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
