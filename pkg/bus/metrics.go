package bus

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the runner's Prometheus metrics, labelled by stage, so several
// stages in one process (newsflow up) share one set.
type Metrics struct {
	// Messages counts handled messages by stage and result: "acked",
	// "retried", "terminated", "dead_lettered".
	Messages *prometheus.CounterVec
	// Rejected counts undecodable or invalid inputs by stage and reason class.
	Rejected *prometheus.CounterVec
	// HandleSeconds is the time spent in the handler.
	HandleSeconds *prometheus.HistogramVec
	// Published counts outputs by subject.
	Published *prometheus.CounterVec
	// PublishErrors counts failed publishes by subject.
	PublishErrors *prometheus.CounterVec
	// InFlight is the number of messages being handled.
	InFlight *prometheus.GaugeVec
}

var (
	defaultMetricsOnce sync.Once
	defaultMetrics     *Metrics
)

// NewMetrics creates the runner metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_messages_total",
			Help: "Messages handled by a stage, by result (acked, retried, terminated, dead_lettered).",
		}, []string{"stage", "result"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_rejected_total",
			Help: "Inputs a stage could not decode or validate, by reason.",
		}, []string{"stage", "reason"}),
		HandleSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "newsflow_handle_seconds",
			Help:    "Time a stage spent handling one message.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14),
		}, []string{"stage"}),
		Published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_published_total",
			Help: "Messages published by a stage, by subject.",
		}, []string{"stage", "subject"}),
		PublishErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_publish_errors_total",
			Help: "Failed publishes by a stage, by subject.",
		}, []string{"stage", "subject"}),
		InFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsflow_in_flight",
			Help: "Messages being handled by a stage.",
		}, []string{"stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.Messages, m.Rejected, m.HandleSeconds, m.Published, m.PublishErrors, m.InFlight)
	}
	return m
}

// unregisteredMetrics returns a process-wide set registered nowhere, for
// runners built without metrics (tests).
func unregisteredMetrics() *Metrics {
	defaultMetricsOnce.Do(func() { defaultMetrics = NewMetrics(nil) })
	return defaultMetrics
}
