package service

import (
	"context"
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
	"github.com/newsflow/newsflow/pkg/stagehost"
	"github.com/newsflow/newsflow/services/indexer/internal/api"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// Run connects to NATS, opens the store and indexes until ctx is
// cancelled, then drains and closes the connection. It returns nil on a
// clean shutdown.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	return stagehost.Connected(ctx, cfg.Common, log, func(c stagehost.Conn) error {
		return RunWithConn(ctx, cfg, log, c.NC, c.JS)
	})
}

// RunWithConn is Run on a connection the caller owns (and closes).
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := ops.NewRegistry()
	w := &writer{store: st, log: log}
	w.metrics = newMetrics(reg, w.held.Held)
	return stagehost.Run(ctx, log, stagehost.Conn{NC: nc, JS: js}, stagehost.Stage{
		Consumer: schema.ConsumerIndexer,
		Common:   cfg.Common,
		Registry: reg,
		Checks:   map[string]ops.Check{"store": w.ready},
		Routes:   api.New(st, log).WithBus(js, 0).Register,
		AddrOut:  cfg.AddrOut,
		Fields:   []zap.Field{zap.String("store", redactStore(cfg.Store)), zap.Int("batch_size", cfg.BatchSize)},
	}, &bus.BatchRunner[schema.Article]{
		Delivery: bus.Delivery[schema.Article]{
			Stage:    Name,
			Decode:   schema.Decode[schema.Article],
			Describe: describe,
		},
		Write:        w.write,
		OnStoreError: w.failed,
		BatchSize:    cfg.BatchSize,
		MaxWait:      cfg.BatchWait,
	})
}

// writer stores batches and remembers whether the last write failed, for
// /readyz: while the runner holds a batch through an outage, the store is
// not ready.
type writer struct {
	store   store.Store
	metrics *metrics
	log     *zap.Logger
	// held follows an outage holding the batch, for a gauge and one
	// warning when it lasts.
	held store.HeldWatch
	mu   sync.Mutex
	err  error
}

func (w *writer) write(ctx context.Context, batch []schema.Article) (bus.Report, error) {
	start := time.Now()
	res, err := w.store.Ingest(ctx, batch)
	if err != nil {
		// Only an outage holds the batch; any other error is an item's,
		// found by writing the batch one item at a time.
		if !store.Outage(ctx, w.store, err) {
			return bus.Report{}, bus.Permanent(err)
		}
		return bus.Report{}, err
	}
	w.metrics.written(res, len(batch), time.Since(start))
	w.held.Written()
	w.set(nil)
	return report(res), nil
}

func (w *writer) failed(err error) {
	if bus.IsPermanent(err) {
		return
	}
	w.metrics.failed()
	w.set(err)
	if held, warn := w.held.Failed(err, time.Now()); warn {
		w.log.Warn("store outage holding batch", zap.Float64("held_s", held.Seconds()),
			zap.String("error_kind", store.ErrorKey(err)), zap.Error(err))
	}
}

func (w *writer) ready(ctx context.Context) error {
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return fmt.Errorf("last write failed: %w", err)
	}
	return w.store.Ping(ctx)
}

func (w *writer) set(err error) { w.mu.Lock(); w.err = err; w.mu.Unlock() }

// describe tells the runner what an article is about.
func describe(a schema.Article) bus.Meta {
	return bus.Meta{URL: a.URL, TraceID: a.TraceID, Fields: []zap.Field{zap.String("canonical_url", a.CanonicalURL), zap.String("page_type", a.PageType)}}
}

// report is the account of a written batch on the log line of each of its
// articles: what became of it (result: inserted, updated, unchanged or
// page), whether it copies another URL's story (duplicate: exact, near or
// ""), and its story.
func report(res store.IngestResult) bus.Report {
	each := make([][]zap.Field, len(res.Items))
	for i, it := range res.Items {
		each[i] = []zap.Field{zap.String("result", it.Result), zap.String("duplicate", it.Duplicate), zap.Int64("story", it.Story)}
	}
	return bus.Report{Outcome: "indexed", Each: each}
}

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
