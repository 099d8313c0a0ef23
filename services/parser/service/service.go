package service

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/pkg/stagehost"
	"github.com/newsflow/newsflow/services/parser/internal/parse"
)

// Run connects to NATS and parses pages until ctx is cancelled.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	return stagehost.Connected(ctx, cfg.Common, log, func(c stagehost.Conn) error {
		return RunWithConn(ctx, cfg, log, c.NC, c.JS)
	})
}

// RunWithConn runs the parser on a connection it neither opens nor
// closes.
func RunWithConn(ctx context.Context, cfg Config, log *zap.Logger, nc *nats.Conn, js jetstream.JetStream) error {
	jobs := map[string]stagehost.Job{}
	if cfg.SourcesPoll > 0 {
		registry, err := sources.Open(ctx, js, cfg.Common.Replicas)
		if err != nil {
			return err
		}
		jobs["sources"] = pollSources(cfg.SourcesPoll, registry, bus.NewPublisher(js), log)
	}
	reg := ops.NewRegistry()
	pages := newPageCounter(reg)
	st := newStage(cfg, js)
	st.Log = log.With(zap.String("stage", Name))
	return stagehost.Run(ctx, log, stagehost.Conn{NC: nc, JS: js}, stagehost.Stage{
		Consumer: schema.ConsumerParser,
		Common:   cfg.Common,
		Registry: reg,
		AddrOut:  cfg.AddrOut,
		Jobs:     jobs,
		Fields: []zap.Field{zap.Int("workers", cfg.Workers), zap.Int("max_depth", cfg.MaxDepth),
			zap.Bool("expand", cfg.Expand), zap.Duration("sources_poll", cfg.SourcesPoll)},
	}, &bus.Runner[schema.FetchedPage]{
		Delivery: bus.Delivery[schema.FetchedPage]{
			Stage:    Name,
			Decode:   pagebody.Unmarshal,
			Describe: parse.Describe,
		},
		Handle:  countPages(withFaults(st.Handle), pages),
		Report:  parse.Report,
		Workers: cfg.Workers,
	})
}
