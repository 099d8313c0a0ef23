// Package metrics holds the fetcher's Prometheus metrics: fetches by
// outcome, bytes, latency, per-host backlog and robots.txt cache results.
package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics of one fetcher.
type Metrics struct {
	// Fetches counts URLs by final outcome.
	Fetches *prometheus.CounterVec
	// Bytes counts decoded body bytes fetched.
	Bytes prometheus.Counter
	// Latency is the time of one HTTP fetch (redirects and body included).
	Latency prometheus.Histogram
	// Backlog is the number of fetches waiting for a host's slot in this
	// process, by host; a host's series is removed when it drains.
	Backlog *prometheus.GaugeVec
	// Robots counts robots.txt lookups by where the answer came from:
	// local, kv (both cache hits) or fetched.
	Robots *prometheus.CounterVec

	mu      sync.Mutex
	backlog map[string]int
}

// New creates the metrics and registers them on reg (nil: unregistered).
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_fetcher_fetches_total",
			Help: "URLs handled by the fetcher, by outcome.",
		}, []string{"outcome"}),
		Bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsflow_fetcher_bytes_total",
			Help: "Decoded body bytes fetched.",
		}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "newsflow_fetcher_fetch_seconds",
			Help:    "Time of one HTTP fetch, redirects and body included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		Backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsflow_fetcher_host_backlog",
			Help: "Fetches waiting for a host's politeness slot in this process, by host.",
		}, []string{"host"}),
		Robots: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_fetcher_robots_total",
			Help: "robots.txt lookups by source: local and kv are cache hits, fetched a miss.",
		}, []string{"source"}),
		backlog: map[string]int{},
	}
	if reg != nil {
		reg.MustRegister(m.Fetches, m.Bytes, m.Latency, m.Backlog, m.Robots)
	}
	return m
}

// AddBacklog changes host's backlog by delta, dropping the series at zero
// so the label set stays bounded by the hosts currently waiting.
func (m *Metrics) AddBacklog(host string, delta int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.backlog[host] + delta
	if n <= 0 {
		delete(m.backlog, host)
		m.Backlog.DeleteLabelValues(host)
		return
	}
	m.backlog[host] = n
	m.Backlog.WithLabelValues(host).Set(float64(n))
}
