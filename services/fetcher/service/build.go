package service

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
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
	bodies, err := pagebody.CreateStore(ctx, js, replicas, bus.DefaultTopology().PagesMaxAge)
	if err != nil {
		return nil, err
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
			RecrawlFeeds:  cfg.RecrawlFeeds,
			RecrawlSeeds:  cfg.RecrawlSeeds,
			MaxRetryAfter: 10 * time.Minute,
		},
		Fetcher: fetch.New(fetch.Config{UserAgent: cfg.UserAgent, Timeouts: timeouts, MaxBody: cfg.MaxBody, MaxListingBody: cfg.MaxListingBody, MaxRedirects: cfg.MaxRedirects, DecodeGzip: !cfg.GzipPassthrough, Transport: transport}),
		Claims:  stage.SeenClaims(seen.New(seenKV)),
		Robots: robots.NewCache(robots.Config{
			UserAgent: cfg.UserAgent,
			TTL:       cfg.RobotsTTL,
			Timeout:   min(cfg.Timeout, 15*time.Second),
			Acquire: func(ctx context.Context, host string) (func(), error) {
				return limiter.Acquire(ctx, host, cfg.HostInterval())
			},
		}, robotsKV, transport),
		Slots:   limiter,
		Bodies:  bodies,
		Sources: reg,
		Side:    bus.NewPublisher(js),
		Metrics: metrics.New(nil),
	}
	return st, nil
}
