package service

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/pkg/stagehost"
)

// pollSources is the job that queues every registered source that is
// due, every interval. The message id names the source and its due time,
// so two replicas that both see it due publish it once (the registry's
// compare-and-set already gives it to one of them).
func pollSources(every time.Duration, reg *sources.Registry, pub *bus.Publisher, log *zap.Logger) stagehost.Job {
	return func(ctx context.Context) error {
		poll(ctx, every, reg, pub, log)
		return nil
	}
}

func poll(ctx context.Context, every time.Duration, reg *sources.Registry, pub *bus.Publisher, log *zap.Logger) {
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
