package bus_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestTooLargeIsPermanent: an output over the server's max payload, or
// over the stream's largest message, is a permanent error (no retry can
// make it fit); an ordinary output is published.
func TestTooLargeIsPermanent(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if err := bus.EnsureStreams(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	pub := bus.NewPublisher(js)
	tests := []struct {
		name      string
		subject   string
		size      int
		permanent bool
	}{
		{name: "fits", subject: schema.SubjectArticlesParsed, size: 10 << 10},
		{name: "over the max payload", subject: schema.SubjectArticlesParsed, size: 2 << 20, permanent: true},
		{name: "over the stream's max message size", subject: schema.SubjectCrawlURLs, size: 200 << 10, permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := bus.Out{Subject: tt.subject, Body: []byte(strings.Repeat("x", tt.size))}
			for _, publish := range []func() error{
				func() error { return pub.Publish(ctx, out, "") },
				func() error { return pub.PublishAll(ctx, []bus.Out{out, out}, "") },
			} {
				err := publish()
				if tt.permanent != bus.IsPermanent(err) || (!tt.permanent && err != nil) {
					t.Errorf("publish of %d bytes on %s: %v (permanent %v), want permanent %v", tt.size, tt.subject, err, bus.IsPermanent(err), tt.permanent)
				}
			}
		})
	}
}

// TestUnansweredPublishTimesOut: outputs whose stream acks never come (the
// node that took them went down) fail after PubAckTimeout with a
// transient error, so the runner retries the input, instead of holding it
// for ever. A core subscriber on the subject stands in for the silent
// server: the publishes have a responder, and no reply.
func TestUnansweredPublishTimesOut(t *testing.T) {
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	sub, err := nc.SubscribeSync("silent.>")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { bus.PubAckTimeout = d }(bus.PubAckTimeout)
	bus.PubAckTimeout = 300 * time.Millisecond

	start := time.Now()
	err = bus.NewPublisher(js).PublishAll(t.Context(), []bus.Out{{Subject: "silent.a", Body: "x"}, {Subject: "silent.b", Body: "y"}}, "")
	if !errors.Is(err, nats.ErrTimeout) || bus.IsPermanent(err) {
		t.Errorf("PublishAll with no stream ack = %v, want a transient timeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %v, PubAckTimeout is %v", took, bus.PubAckTimeout)
	}
}
