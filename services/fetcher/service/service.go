package service

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/stagehost"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
	"github.com/newsflow/newsflow/services/fetcher/internal/stage"
)

// Run connects to NATS and fetches until ctx is cancelled.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	return stagehost.Connected(ctx, cfg.Common, log, func(c stagehost.Conn) error {
		return RunWithConn(ctx, cfg, log, c.NC, c.JS)
	})
}

// RunWithConn runs the fetcher on a connection it neither opens nor
// closes.
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	if cfg.AllowPrivate {
		log.Warn("address guard off: private, loopback and metadata addresses will be fetched (FETCHER_ALLOW_PRIVATE=true)")
	}
	st, err := Build(ctx, cfg, js)
	if err != nil {
		return err
	}
	reg := ops.NewRegistry()
	st.Metrics = metrics.New(reg)
	st.Log = log.With(zap.String("stage", stage.Name))
	return stagehost.Run(ctx, log, stagehost.Conn{NC: nc, JS: js}, stagehost.Stage{
		Consumer: schema.ConsumerFetcher,
		Common:   cfg.Common,
		Registry: reg,
		AddrOut:  cfg.AddrOut,
		Fields: []zap.Field{zap.Int("workers", cfg.Workers), zap.Float64("host_rate", cfg.HostRate),
			zap.Bool("allow_private", cfg.AllowPrivate), zap.String("user_agent", cfg.UserAgent)},
	}, &bus.Runner[schema.CrawlRequest]{
		Delivery: bus.Delivery[schema.CrawlRequest]{
			Stage:    stage.Name,
			Decode:   decode,
			Describe: stage.Describe,
			Reject:   st.Reject,
		},
		Handle:  st.Handle,
		Report:  stage.Report,
		Workers: cfg.Workers,
	})
}

// decode reads a crawl request, stamping a missing submission time.
func decode(data []byte) (schema.CrawlRequest, error) {
	return schema.DecodeCrawlRequest(data, time.Now().UTC())
}
