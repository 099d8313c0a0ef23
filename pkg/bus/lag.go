package bus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// LagCollector exports a consumer's backlog as Prometheus gauges, read from
// the consumer's info at scrape time: newsflow_consumer_pending (messages
// not yet delivered), newsflow_consumer_ack_pending (delivered, not yet
// acked) and newsflow_consumer_redelivered.
type LagCollector struct {
	js       jetstream.JetStream
	stream   string
	consumer string
	pending  *prometheus.Desc
	acks     *prometheus.Desc
	redeliv  *prometheus.Desc
}

// NewLagCollector returns a collector for one durable consumer; register
// it on the service's registry.
func NewLagCollector(js jetstream.JetStream, stream, consumer string) *LagCollector {
	labels := prometheus.Labels{"stream": stream, "consumer": consumer}
	return &LagCollector{
		js: js, stream: stream, consumer: consumer,
		pending: prometheus.NewDesc("newsflow_consumer_pending", "Messages of the stream not yet delivered to the consumer.", nil, labels),
		acks:    prometheus.NewDesc("newsflow_consumer_ack_pending", "Messages delivered to the consumer and not yet acknowledged.", nil, labels),
		redeliv: prometheus.NewDesc("newsflow_consumer_redelivered", "Messages redelivered and not yet acknowledged.", nil, labels),
	}
}

// Describe implements prometheus.Collector.
func (c *LagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.acks
	ch <- c.redeliv
}

// Collect implements prometheus.Collector. A consumer that cannot be read
// (NATS down) exports nothing rather than stale numbers.
func (c *LagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cons, err := c.js.Consumer(ctx, c.stream, c.consumer)
	if err != nil {
		return
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending))
	ch <- prometheus.MustNewConstMetric(c.acks, prometheus.GaugeValue, float64(info.NumAckPending))
	ch <- prometheus.MustNewConstMetric(c.redeliv, prometheus.GaugeValue, float64(info.NumRedelivered))
}
