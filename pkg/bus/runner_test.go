package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

// harness is a TEST stream (in.>) feeding a consumer, and an OUT stream
// (out.>) the runner publishes to.
type harness struct {
	js   jetstream.JetStream
	nc   *nats.Conn
	cons jetstream.Consumer
}

func newHarness(t *testing.T, ackWait time.Duration, maxDeliver int) *harness {
	t.Helper()
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	ctx := t.Context()
	for name, subj := range map[string]string{"IN": "in.>", "OUT": "out.>", "DL": "deadletter.>"} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subj}, Duplicates: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "IN", jetstream.ConsumerConfig{
		Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxDeliver: maxDeliver,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{js: js, nc: nc, cons: cons}
}

func (h *harness) publish(t *testing.T, data string) {
	t.Helper()
	if _, err := h.js.Publish(t.Context(), "in.x", []byte(data)); err != nil {
		t.Fatal(err)
	}
}

// run starts r until the test ends.
func run[In any](t *testing.T, r *bus.Runner[In]) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond until it holds or 10s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) outMsgs(t *testing.T) []*jetstream.RawStreamMsg {
	t.Helper()
	return h.streamMsgs(t, "OUT")
}

func (h *harness) streamMsgs(t *testing.T, stream string) []*jetstream.RawStreamMsg {
	t.Helper()
	st, err := h.js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(t.Context(), seq)
		if err == nil {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func (h *harness) pending(t *testing.T) (pending uint64, ackPending int) {
	t.Helper()
	info, err := h.cons.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.NumPending, info.NumAckPending
}

func decodeString(data []byte) (string, error) {
	if len(data) == 0 {
		return "", schema.ErrEmpty
	}
	if strings.HasPrefix(string(data), "bad") {
		return "", errors.New("undecodable")
	}
	return string(data), nil
}

func newRunner(h *harness, handle bus.Handler[string]) *bus.Runner[string] {
	return &bus.Runner[string]{
		Delivery: bus.Delivery[string]{
			Stage:     "test",
			Consumer:  h.cons,
			Publisher: bus.NewPublisher(h.js),
			Decode:    decodeString,
			Reject: func(r bus.Rejection[string]) []bus.Out {
				return []bus.Out{{Subject: "out.rejected", Body: map[string]string{"fate": r.Fate.String(), "reason": r.Reason}}}
			},
			Retry:   bus.Retry{Base: 50 * time.Millisecond, Max: 100 * time.Millisecond},
			Log:     zap.NewNop(),
			Metrics: bus.NewMetrics(nil),
		},
		Handle:  handle,
		Workers: 2,
	}
}

func TestRunnerPublishesOutputsWithTraceThenAcks(t *testing.T) {
	h := newHarness(t, 5*time.Second, 3)
	var traces atomic.Value
	run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		traces.Store(bus.TraceID(ctx))
		return []bus.Out{
			{Subject: "out.a", ID: "a-" + in, Body: map[string]string{"got": in}},
			{Subject: "out.b", ID: "b-" + in, Body: []byte("raw")},
		}, nil
	}))
	msg := nats.NewMsg("in.x")
	msg.Data = []byte("hello")
	msg.Header.Set(schema.HeaderTraceID, "trace-1")
	if _, err := h.js.PublishMsg(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two outputs", func() bool { return len(h.outMsgs(t)) == 2 })
	waitFor(t, "ack", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })

	out := h.outMsgs(t)
	if got := out[0].Header.Get(schema.HeaderTraceID); got != "trace-1" {
		t.Errorf("output trace header = %q, want trace-1", got)
	}
	if got := out[0].Header.Get(jetstream.MsgIDHeader); got != "a-hello" {
		t.Errorf("Nats-Msg-Id = %q, want a-hello", got)
	}
	var body map[string]string
	if err := json.Unmarshal(out[0].Data, &body); err != nil || body["got"] != "hello" {
		t.Errorf("output body = %s (%v)", out[0].Data, err)
	}
	if string(out[1].Data) != "raw" {
		t.Errorf("raw body = %q", out[1].Data)
	}
	if traces.Load() != "trace-1" {
		t.Errorf("handler saw trace %v", traces.Load())
	}
}

func TestRunnerRetriesTransientErrorsThenSucceeds(t *testing.T) {
	h := newHarness(t, 5*time.Second, 5)
	var calls atomic.Int32
	var lastAttempt atomic.Int32
	run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		lastAttempt.Store(int32(bus.Attempt(ctx)))
		if calls.Add(1) < 3 {
			return nil, errors.New("flaky")
		}
		return []bus.Out{{Subject: "out.ok", Body: in}}, nil
	}))
	h.publish(t, "x")
	waitFor(t, "success on third attempt", func() bool { return len(h.outMsgs(t)) == 1 })
	if got := lastAttempt.Load(); got != 3 {
		t.Errorf("attempt on success = %d, want 3", got)
	}
	if got := h.outMsgs(t)[0].Subject; got != "out.ok" {
		t.Errorf("subject = %s", got)
	}
}

func TestRunnerTerminatesPermanentErrorsPanicsAndBadPayloads(t *testing.T) {
	tests := []struct {
		give     string
		wantFate string
		wantIn   string
	}{
		{give: "permanent", wantFate: "failed", wantIn: "no retry helps"},
		{give: "panic", wantFate: "failed", wantIn: "panic: boom"},
		{give: "bad payload", wantFate: "invalid", wantIn: "undecodable"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			h := newHarness(t, 5*time.Second, 5)
			var calls atomic.Int32
			run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
				calls.Add(1)
				if in == "panic" {
					panic("boom")
				}
				return nil, bus.Permanent(errors.New("no retry helps"))
			}))
			h.publish(t, tt.give)
			waitFor(t, "rejection record", func() bool { return len(h.outMsgs(t)) == 1 })
			waitFor(t, "termination", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
			var rec map[string]string
			if err := json.Unmarshal(h.outMsgs(t)[0].Data, &rec); err != nil {
				t.Fatal(err)
			}
			if rec["fate"] != tt.wantFate || !strings.Contains(rec["reason"], tt.wantIn) {
				t.Errorf("record = %v, want fate %s with %q", rec, tt.wantFate, tt.wantIn)
			}
			dls := h.streamMsgs(t, "DL")
			if len(dls) != 1 {
				t.Fatalf("%d dead-letter records, want 1", len(dls))
			}
			var dl schema.DeadLetter
			if err := json.Unmarshal(dls[0].Data, &dl); err != nil {
				t.Fatal(err)
			}
			if dl.Fate != tt.wantFate || string(dl.Data) != tt.give || dl.Stream != "IN" || dl.Seq != 1 || dl.Stage != "test" {
				t.Errorf("dead letter %+v: want fate %s, the payload, stream IN seq 1", dl, tt.wantFate)
			}
			time.Sleep(200 * time.Millisecond) // a retry would show up by now
			if n := calls.Load(); n > 1 {
				t.Errorf("handler called %d times, want at most once", n)
			}
		})
	}
}

func TestRunnerDeadLettersAtMaxDeliver(t *testing.T) {
	h := newHarness(t, 5*time.Second, 3)
	var calls atomic.Int32
	run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		calls.Add(1)
		return nil, errors.New("still down")
	}))
	h.publish(t, "x")
	waitFor(t, "dead letter record", func() bool { return len(h.outMsgs(t)) == 1 })
	var rec map[string]string
	_ = json.Unmarshal(h.outMsgs(t)[0].Data, &rec)
	if rec["fate"] != "dead_letter" || !strings.Contains(rec["reason"], "after 3 attempts") {
		t.Errorf("record = %v", rec)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handler called %d times, want 3", n)
	}
}

func TestRunnerKeepsSlowWorkAlive(t *testing.T) {
	// AckWait is 600ms; the handler takes 2s. Without InProgress the server
	// would redeliver and the handler would run twice.
	h := newHarness(t, 600*time.Millisecond, 5)
	var calls atomic.Int32
	run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		calls.Add(1)
		time.Sleep(2 * time.Second)
		return []bus.Out{{Subject: "out.done", Body: in}}, nil
	}))
	h.publish(t, "slow")
	waitFor(t, "output", func() bool { return len(h.outMsgs(t)) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
}

func TestRunnerRedeliveryPublishesNoDuplicates(t *testing.T) {
	// The first attempt publishes, then fails; the redelivery publishes the
	// same outputs again under the same default ids, which the stream drops.
	h := newHarness(t, 5*time.Second, 5)
	var calls atomic.Int32
	r := newRunner(h, nil)
	r.Handle = func(ctx context.Context, in string) ([]bus.Out, error) {
		n := calls.Add(1)
		if n == 1 {
			// Publish as a crashed attempt would have, then fail.
			if err := r.Publisher.Publish(ctx, bus.Out{Subject: "out.x", ID: "fixed", Body: in}, ""); err != nil {
				return nil, err
			}
			return nil, errors.New("crashed after publishing")
		}
		return []bus.Out{{Subject: "out.x", ID: "fixed", Body: in}}, nil
	}
	run(t, r)
	h.publish(t, "once")
	waitFor(t, "second attempt acked", func() bool { p, a := h.pending(t); return calls.Load() == 2 && p == 0 && a == 0 })
	if n := len(h.outMsgs(t)); n != 1 {
		t.Errorf("OUT has %d messages, want 1", n)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	for attempt := 1; attempt <= 10; attempt++ {
		d := bus.Backoff(attempt, time.Second, 30*time.Second)
		base := time.Second << (attempt - 1)
		if base > 30*time.Second {
			base = 30 * time.Second
		}
		if d < base*3/4 || d > base*5/4 {
			t.Errorf("Backoff(%d) = %v, want within 25%% of %v", attempt, d, base)
		}
	}
}

// TestRunnerTerminatesOnce: a rejected message is terminated for good on
// any supported server. nats-server before 2.10.4 ignores a terminate
// that carries a reason and redelivers the message every AckWait until
// MaxDeliver; the runner must send a plain terminate there. Run against
// such a server with NEWSFLOW_TEST_NATS_SERVER=/usr/sbin/nats-server.
func TestRunnerTerminatesOnce(t *testing.T) {
	h := newHarness(t, 500*time.Millisecond, 5)
	var decodes atomic.Int32
	r := newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		return nil, bus.Permanent(errors.New("no retry helps"))
	})
	r.Decode = func(data []byte) (string, error) {
		decodes.Add(1)
		return decodeString(data)
	}
	run(t, r)
	for _, give := range []string{"bad 1", "bad 2", "permanent"} {
		h.publish(t, give)
	}
	waitFor(t, "three dead letters", func() bool { return len(h.streamMsgs(t, "DL")) == 3 })
	time.Sleep(2 * time.Second) // four AckWaits: a redelivery would show by now
	if n := decodes.Load(); n != 3 {
		t.Errorf("%d deliveries of 3 rejected messages, want 3 (each terminated once)", n)
	}
	info, err := h.cons.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.NumAckPending != 0 || info.NumRedelivered != 0 || info.NumPending != 0 {
		t.Errorf("consumer: %d ack pending, %d redelivered, %d pending; want none", info.NumAckPending, info.NumRedelivered, info.NumPending)
	}
	if got := testutil.ToFloat64(r.Metrics.Messages.WithLabelValues("test", "terminated")); got != 3 {
		t.Errorf("terminated = %v, want 3", got)
	}
}

// TestOutputIDsNameTheirInput: an output without an id, and the record of
// a rejected input, carry ids from which InputSeq reads the input's
// stream sequence (the ledger counts a stage's records per input).
func TestOutputIDsNameTheirInput(t *testing.T) {
	h := newHarness(t, 5*time.Second, 3)
	run(t, newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		if in == "bad" {
			return nil, bus.Permanentf("bad input")
		}
		return []bus.Out{{Subject: "out.a", Body: []byte("1")}, {Subject: "out.a", Body: []byte("2")}}, nil
	}))
	h.publish(t, "good") // sequence 1
	h.publish(t, "bad")  // sequence 2
	waitFor(t, "three outputs", func() bool { return len(h.outMsgs(t)) == 3 })
	want := map[string]uint64{"1": 1, "2": 1}
	for _, m := range h.outMsgs(t) {
		id := m.Header.Get(jetstream.MsgIDHeader)
		seq, ok := bus.InputSeq(id)
		wantSeq, isGood := want[string(m.Data)]
		if !isGood {
			wantSeq = 2 // the rejection record
		}
		if !ok || seq != wantSeq {
			t.Errorf("output %q with id %q: InputSeq = %d, %v; want %d", m.Data, id, seq, ok, wantSeq)
		}
	}
	if _, ok := bus.InputSeq("a-hello"); ok {
		t.Error("InputSeq read a sequence from an id the runners did not make")
	}
}

// TestRunnerAcksWithoutAReply: a handled message is acked once, after its
// outputs are stored, with a plain ack that asks the server for no reply
// (no DoubleAck: a reply message and a round trip per message, for a
// confirmation at-least-once does not need).
func TestRunnerAcksWithoutAReply(t *testing.T) {
	h := newHarness(t, 5*time.Second, 3)
	acks, err := h.nc.SubscribeSync("$JS.ACK.IN.worker.>")
	if err != nil {
		t.Fatal(err)
	}
	run(t, newRunner(h, func(_ context.Context, in string) ([]bus.Out, error) {
		return []bus.Out{{Subject: "out.a", ID: "a-" + in, Body: []byte(in)}}, nil
	}))
	const n = 5
	for i := range n {
		h.publish(t, "m"+strconv.Itoa(i))
	}
	for i := range n {
		ack, err := acks.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("ack %d: %v", i, err)
		}
		if string(ack.Data) != "+ACK" || ack.Reply != "" {
			t.Errorf("ack %d = %q with reply %q, want a plain +ACK asking no reply", i, ack.Data, ack.Reply)
		}
	}
	waitFor(t, "every message acked", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	if got := len(h.outMsgs(t)); got != n {
		t.Errorf("%d outputs, want %d", got, n)
	}
	if extra, err := acks.NextMsg(200 * time.Millisecond); err == nil {
		t.Errorf("an extra ack: %q", extra.Data)
	}
}

// TestRunnerPullsAhead checks that a runner with few workers asks the
// server for messages in batches: every pull request is a round trip, and
// with two per worker a two-worker stage sent one per two messages.
func TestRunnerPullsAhead(t *testing.T) {
	h := newHarness(t, 5*time.Second, 3)
	const n = 64
	for i := range n {
		h.publish(t, "m"+strconv.Itoa(i))
	}
	pulls, err := h.nc.SubscribeSync("$JS.API.CONSUMER.MSG.NEXT.IN.worker")
	if err != nil {
		t.Fatal(err)
	}
	run(t, newRunner(h, func(_ context.Context, in string) ([]bus.Out, error) {
		return []bus.Out{{Subject: "out.a", ID: "a-" + in, Body: []byte(in)}}, nil
	}))
	waitFor(t, "every message acked", func() bool { p, a := h.pending(t); return p == 0 && a == 0 })
	var asked int
	for {
		m, err := pulls.NextMsg(100 * time.Millisecond)
		if err != nil {
			break
		}
		var req struct {
			Batch int `json:"batch"`
		}
		if err := json.Unmarshal(m.Data, &req); err != nil {
			t.Fatalf("pull request %q: %v", m.Data, err)
		}
		asked += req.Batch
		if req.Batch < 8 {
			t.Errorf("a pull request for %d messages, want at least 8 at a time (two workers)", req.Batch)
		}
	}
	if asked < n {
		t.Errorf("pull requests asked for %d messages in all, want at least the %d handled", asked, n)
	}
}
