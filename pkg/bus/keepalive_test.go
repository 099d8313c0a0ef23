package bus

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
)

// TestKeepAlive holds two messages for several AckWaits without acking:
// kept alive, neither comes back; once stopped, both do.
func TestKeepAlive(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "IN", Subjects: []string{"in.>"}}); err != nil {
		t.Fatal(err)
	}
	const ackWait = 600 * time.Millisecond
	cons, err := js.CreateOrUpdateConsumer(ctx, "IN", jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a", "b"} {
		if _, err := js.Publish(ctx, "in.x", []byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := cons.Fetch(2, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var held []jetstream.Msg
	for m := range batch.Messages() {
		held = append(held, m)
	}
	if len(held) != 2 {
		t.Fatalf("fetched %d messages, want 2", len(held))
	}
	stop := keepAlive(ackWait, held...)
	redelivered := func(within time.Duration) int {
		b, err := cons.Fetch(2, jetstream.FetchMaxWait(within))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for range b.Messages() {
			n++
		}
		return n
	}
	if n := redelivered(4 * ackWait); n != 0 {
		t.Errorf("%d messages redelivered while kept alive, want 0", n)
	}
	stop()
	stop() // a second stop is harmless
	if n := redelivered(4 * ackWait); n != 2 {
		t.Errorf("%d messages redelivered after stop, want 2", n)
	}
}
