// Package service runs the indexer: it consumes articles.parsed in
// batches, writes each batch to the store in one transaction, acks after
// the commit, and serves the search API, the operator page, health,
// readiness and metrics over HTTP.
package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/api"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// Run connects to NATS, opens the store and indexes until ctx is
// cancelled, then drains and closes the connection. It returns nil on a
// clean shutdown.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	nc, js, err := bus.Connect(ctx, cfg.Common.NATS, log)
	if err != nil {
		return err
	}
	err = RunWithConn(ctx, cfg, log, nc, js)
	if derr := nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) && err == nil {
		err = fmt.Errorf("drain nats: %w", derr)
	}
	return err
}

// RunWithConn is Run on a connection the caller owns (and closes).
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	topo := cfg.Common.Topology()
	if err := bus.EnsureStreams(ctx, js, topo); err != nil {
		return err
	}
	cons, err := bus.EnsureConsumer(ctx, js, topo, schema.ConsumerIndexer)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	return run(ctx, cfg, log, nc, js, cons, st)
}

func run(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream, cons jetstream.Consumer, st store.Store) error {
	reg := ops.NewRegistry()
	reg.MustRegister(bus.NewLagCollector(js, schema.StreamArticles, schema.ConsumerIndexer))
	busMetrics := bus.NewMetrics(reg)
	m := newMetrics(reg)

	var health storeHealth
	runner := &bus.BatchRunner[schema.Article]{
		Delivery: bus.Delivery[schema.Article]{
			Stage:    Name,
			Decode:   schema.Decode[schema.Article],
			Describe: describe,
			Consumer: cons,
			// Records what the indexer gives up on in DEADLETTERS.
			Publisher: bus.NewPublisher(js),
			Log:       log,
			Metrics:   busMetrics,
		},
		BatchSize: cfg.BatchSize,
		MaxWait:   cfg.BatchWait,
		Write: func(ctx context.Context, batch []schema.Article) (bus.Report, error) {
			start := time.Now()
			res, err := st.Ingest(ctx, batch)
			if err != nil {
				if errors.Is(err, store.ErrInvalid) {
					return bus.Report{}, bus.Permanent(err)
				}
				return bus.Report{}, err
			}
			m.written(res, len(batch), time.Since(start))
			health.set(nil)
			return report(res), nil
		},
		OnStoreError: func(err error) {
			if !bus.IsPermanent(err) {
				m.failed()
				health.set(err)
			}
		},
	}

	checks := map[string]ops.Check{
		"nats": func(context.Context) error {
			if s := nc.Status(); s != nats.CONNECTED {
				return fmt.Errorf("nats %s", s)
			}
			return nil
		},
		"store": func(ctx context.Context) error {
			if err := health.get(); err != nil {
				return fmt.Errorf("last write failed: %w", err)
			}
			return st.Ping(ctx)
		},
		"topology": func(ctx context.Context) error { return bus.CheckTopology(ctx, js) },
	}
	mux := ops.Mux(reg, checks)
	api.New(st, log).Register(mux)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var httpErr chan error // nil, never ready, when HTTP is disabled
	if cfg.Common.HTTPAddr != "" {
		httpErr = make(chan error, 1)
		go func() { httpErr <- ops.Serve(ctx, cfg.Common.HTTPAddr, mux, log, cfg.AddrOut) }()
	}
	runErr := make(chan error, 1)
	go func() { runErr <- runner.Run(ctx) }()
	log.Info("indexing", zap.String("store", redactStore(cfg.Store)), zap.Int("batch", cfg.BatchSize))

	var err error
	select {
	case err = <-httpErr: // the listener failed, or ctx is done
		cancel()
		if rerr := <-runErr; err == nil {
			err = rerr
		}
	case err = <-runErr:
		cancel()
		if httpErr != nil {
			if herr := <-httpErr; err == nil {
				err = herr
			}
		}
	}
	return err
}

// describe tells the runner what an article is about.
func describe(a schema.Article) bus.Meta {
	return bus.Meta{URL: a.URL, TraceID: a.TraceID, Fields: []zap.Field{zap.String("canonical_url", a.CanonicalURL), zap.String("page_type", a.PageType)}}
}

// report is the log line's account of a written batch: how many of its
// articles were new, updated, or duplicates of another URL's story.
func report(res store.IngestResult) bus.Report {
	return bus.Report{Outcome: "indexed", Fields: []zap.Field{
		zap.Int("inserted", res.Inserted), zap.Int("updated", res.Updated), zap.Int("duplicate", res.Exact+res.Near),
	}}
}

// storeHealth remembers whether the last write failed, for /readyz: while
// the runner holds a batch through an outage, the store is not ready.
type storeHealth struct {
	mu  sync.Mutex
	err error
}

func (h *storeHealth) set(err error) { h.mu.Lock(); h.err = err; h.mu.Unlock() }
func (h *storeHealth) get() error    { h.mu.Lock(); defer h.mu.Unlock(); return h.err }

// redactStore hides a password in a postgres:// URL for logs.
func redactStore(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
			return u.String()
		}
	}
	return s
}

// Writer opens the configured store for callers that index without NATS
// (the in-process pipeline benchmark): write stores a batch exactly as the
// service does; close releases the store.
func Writer(ctx context.Context, cfg Config) (write func(context.Context, []schema.Article) error, close func() error, err error) {
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return nil, nil, err
	}
	write = func(ctx context.Context, batch []schema.Article) error {
		_, err := st.Ingest(ctx, batch)
		return err
	}
	return write, st.Close, nil
}
