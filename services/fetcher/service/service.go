// Package service wires the fetcher stage to NATS: configuration, the
// consumer of crawl.urls, the KV buckets shared by the replicas (seen-set,
// robots.txt cache, host slots, and the sources registry's validators),
// the object store for large bodies, health and metrics. cmd/newsflow runs
// it in-process; main runs it as a binary.
package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
	"github.com/newsflow/newsflow/services/fetcher/internal/politeness"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
	"github.com/newsflow/newsflow/services/fetcher/internal/seen"
	"github.com/newsflow/newsflow/services/fetcher/internal/stage"
)

// Run connects to NATS and fetches until ctx is cancelled.
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

// RunWithConn runs the fetcher on an existing connection, which it does
// not close.
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	if cfg.AllowPrivate {
		log.Warn("address guard off: private, loopback and metadata addresses will be fetched (FETCHER_ALLOW_PRIVATE=true)")
	}
	topo := bus.Topology{Replicas: cfg.Common.Replicas}
	if err := bus.EnsureStreams(ctx, js, topo); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	cons, err := bus.EnsureConsumer(ctx, js, topo, schema.ConsumerFetcher)
	if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	st, err := Build(ctx, cfg, js)
	if err != nil {
		return err
	}
	reg := ops.NewRegistry()
	reg.MustRegister(bus.NewLagCollector(js, schema.StreamCrawl, schema.ConsumerFetcher))
	st.Metrics = metrics.New(reg)
	st.Config.MaxAttempts = cons.CachedInfo().Config.MaxDeliver
	pub := bus.NewPublisher(js)
	runner := &bus.Runner[schema.CrawlRequest]{
		Delivery: bus.Delivery[schema.CrawlRequest]{
			Stage: stage.Name,
			Decode: func(data []byte) (schema.CrawlRequest, error) {
				return schema.DecodeCrawlRequest(data, time.Now().UTC())
			},
			Describe:  stage.Describe,
			Reject:    st.Reject,
			Consumer:  cons,
			Publisher: pub,
			Log:       log,
			Metrics:   bus.NewMetrics(reg),
		},
		Handle:  st.Handle,
		Report:  stage.Report,
		Workers: cfg.Workers,
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	if cfg.Common.HTTPAddr != "" {
		mux := ops.Mux(reg, map[string]ops.Check{
			"nats": func(context.Context) error {
				if !nc.IsConnected() {
					return errors.New("not connected")
				}
				return nil
			},
			"topology": func(ctx context.Context) error { return bus.CheckTopology(ctx, js) },
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ops.Serve(runCtx, cfg.Common.HTTPAddr, mux, log, nil); err != nil {
				errc <- err
			}
		}()
	}
	var failed error
	failedc := make(chan struct{})
	go func() {
		defer close(failedc)
		select {
		case failed = <-errc:
			cancel()
		case <-runCtx.Done():
		}
	}()
	log.Info("fetcher started", zap.Int("workers", cfg.Workers), zap.Float64("host_rate", cfg.HostRate),
		zap.Bool("allow_private", cfg.AllowPrivate), zap.String("user_agent", cfg.UserAgent))
	err = runner.Run(runCtx)
	cancel()
	wg.Wait()
	<-failedc
	if failed != nil {
		return failed
	}
	return err
}

// Build creates the buckets and the stage (without metrics registration:
// the caller sets st.Metrics, else an unregistered set is used).
func Build(ctx context.Context, cfg Config, js jetstream.JetStream) (*stage.Stage, error) {
	replicas := cfg.Common.Replicas
	seenKV, err := kv.Ensure(ctx, js, kv.BucketSeen, "fetcher seen-set: normalised URL hash -> claim", cfg.SeenTTL, replicas)
	if err != nil {
		return nil, err
	}
	robotsKV, err := kv.Ensure(ctx, js, kv.BucketRobots, "robots.txt cache shared by fetchers", cfg.RobotsTTL, replicas)
	if err != nil {
		return nil, err
	}
	hostsKV, err := kv.Ensure(ctx, js, kv.BucketHosts, "per-host politeness slots", time.Hour, replicas)
	if err != nil {
		return nil, err
	}
	reg, err := sources.Open(ctx, js, replicas)
	if err != nil {
		return nil, err
	}
	bodies, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      schema.BucketPageBodies,
		Description: "page bodies too large for one message",
		TTL:         bus.DefaultTopology().PagesMaxAge,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", schema.BucketPageBodies, err)
	}
	dialer := &guard.Dialer{AllowPrivate: cfg.AllowPrivate, Timeout: cfg.ConnectTimeout, Resolver: cfg.Resolver, Dial: cfg.Dial}
	timeouts := fetch.Timeouts{Connect: cfg.ConnectTimeout, FirstByte: cfg.FirstByteTimeout, Total: cfg.Timeout}
	transport := fetch.NewTransport(dialer, fetch.TransportOptions{Timeouts: timeouts})
	limiter := politeness.New(hostsKV, cfg.MaxHostWait, cfg.HostWaiters)
	st := &stage.Stage{
		Config: stage.Config{
			HostInterval:  cfg.HostInterval(),
			MaxCrawlDelay: cfg.MaxCrawlDelay,
			InlineLimit:   cfg.InlineMax,
			MaxAttempts:   bus.DefaultTopology().Consumers()[schema.ConsumerFetcher].Config.MaxDeliver,
			RecrawlFeeds:  cfg.RecrawlFeeds,
			RecrawlSeeds:  cfg.RecrawlSeeds,
			MaxRetryAfter: 10 * time.Minute,
		},
		Fetcher: fetch.New(fetch.Config{UserAgent: cfg.UserAgent, Timeouts: timeouts, MaxBody: cfg.MaxBody, MaxListingBody: cfg.MaxListingBody, MaxRedirects: cfg.MaxRedirects, Transport: transport}),
		Seen:    seen.New(seenKV),
		Robots: robots.NewCache(robots.Config{
			UserAgent: cfg.UserAgent,
			TTL:       cfg.RobotsTTL,
			Timeout:   min(cfg.Timeout, 15*time.Second),
			Acquire: func(ctx context.Context, host string) (func(), error) {
				return limiter.Acquire(ctx, host, cfg.HostInterval())
			},
		}, robotsKV, transport),
		Limiter: limiter,
		Bodies:  objectBodies{bodies},
		Sources: reg,
		Metrics: metrics.New(nil),
	}
	return st, nil
}

type objectBodies struct{ os jetstream.ObjectStore }

func (o objectBodies) PutBytes(ctx context.Context, name string, data []byte) error {
	_, err := o.os.PutBytes(ctx, name, data)
	return err
}
