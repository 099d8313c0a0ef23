package service

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// metrics are the indexer's own Prometheus metrics, beside the runner's.
type metrics struct {
	articles     *prometheus.CounterVec
	batchSize    prometheus.Histogram
	batchSeconds prometheus.Histogram
	duplicates   *prometheus.CounterVec
	storyHits    prometheus.Counter
	storeErrors  prometheus.Counter
	storeUp      prometheus.Gauge
	heldSeconds  prometheus.GaugeFunc
}

// newMetrics registers the indexer's metrics on reg (none when nil);
// held says how long an outage has held the current batch.
func newMetrics(reg prometheus.Registerer, held func(time.Time) time.Duration) *metrics {
	m := &metrics{
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_indexer_articles_total",
			Help: "Articles ingested, by result (inserted, updated, unchanged, page); rate() is the ingest rate.",
		}, []string{"result"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "newsflow_indexer_batch_size",
			Help:    "Articles per committed batch.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "newsflow_indexer_batch_seconds",
			Help:    "Time to write and commit one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14),
		}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_indexer_duplicates_total",
			Help: "New articles found to duplicate another URL, by kind (exact, near).",
		}, []string{"kind"}),
		storyHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsflow_indexer_story_hits_total",
			Help: "New articles that joined an existing story.",
		}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsflow_indexer_store_errors_total",
			Help: "Failed batch writes (each retry counts).",
		}),
		storeUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsflow_indexer_store_up",
			Help: "1 if the last store write succeeded, 0 while the store fails.",
		}),
		heldSeconds: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "newsflow_indexer_batch_held_seconds",
			Help: "How long writes have been failing with the same outage, holding the batch (0 when the last write succeeded).",
		}, func() float64 { return held(time.Now()).Seconds() }),
	}
	if reg != nil {
		reg.MustRegister(m.articles, m.batchSize, m.batchSeconds, m.duplicates, m.storyHits, m.storeErrors, m.storeUp, m.heldSeconds)
	}
	return m
}

func (m *metrics) written(res store.IngestResult, n int, took time.Duration) {
	m.storeUp.Set(1)
	m.batchSize.Observe(float64(n))
	m.batchSeconds.Observe(took.Seconds())
	m.articles.WithLabelValues("inserted").Add(float64(res.Inserted))
	m.articles.WithLabelValues("updated").Add(float64(res.Updated))
	m.articles.WithLabelValues("unchanged").Add(float64(res.Unchanged))
	m.articles.WithLabelValues("page").Add(float64(res.Pages))
	m.duplicates.WithLabelValues("exact").Add(float64(res.Exact))
	m.duplicates.WithLabelValues("near").Add(float64(res.Near))
	m.storyHits.Add(float64(res.Exact + res.Near))
}

func (m *metrics) failed() {
	m.storeErrors.Inc()
	m.storeUp.Set(0)
}
