package crawlview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/natsserver"
)

// scanFixture is a stream "SCAN" holding a.1 ... a.n, with b.x messages in
// between, on a fresh server.
func scanFixture(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	ctx := t.Context()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "SCAN", Subjects: []string{"a.*", "b.*"}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		msg := &nats.Msg{Subject: fmt.Sprintf("a.%d", i), Data: []byte(fmt.Sprintf("body %d", i)), Header: nats.Header{"N": {fmt.Sprint(i)}}}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if i%4 == 0 {
			if _, err := js.Publish(ctx, "b.x", []byte("other")); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func subjects(t *testing.T, js jetstream.JetStream, o ScanOptions) (got []string, datas []string) {
	t.Helper()
	err := Scan(t.Context(), js, "SCAN", o, func(m jetstream.Msg) error {
		got = append(got, m.Subject())
		datas = append(datas, string(m.Data()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, datas
}

// TestScanStream reads a stream across several batches, with and without a
// subject filter, headers only, and from a start time; and leaves no
// consumer behind.
func TestScanStream(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	scanFixture(t, js, 10)

	all, _ := subjects(t, js, ScanOptions{Batch: 3})
	if len(all) != 12 || all[0] != "a.1" || all[4] != "b.x" || all[11] != "a.10" {
		t.Errorf("every message: %v", all)
	}
	onlyA, datas := subjects(t, js, ScanOptions{Batch: 3, FilterSubject: "a.*"})
	want := []string{"a.1", "a.2", "a.3", "a.4", "a.5", "a.6", "a.7", "a.8", "a.9", "a.10"}
	if !slices.Equal(onlyA, want) || datas[9] != "body 10" {
		t.Errorf("filtered: %v %v", onlyA, datas)
	}
	_, datas = subjects(t, js, ScanOptions{HeadersOnly: true, FilterSubject: "a.*"})
	for _, d := range datas {
		if d != "" {
			t.Fatalf("headers only delivered data %q", d)
		}
	}
	future := time.Now().Add(time.Hour)
	if got, _ := subjects(t, js, ScanOptions{StartTime: &future}); len(got) != 0 {
		t.Errorf("from a future start time: %v", got)
	}
	// Messages published during the scan are not read.
	var seen []string
	err := Scan(t.Context(), js, "SCAN", ScanOptions{Batch: 2, FilterSubject: "a.*"}, func(m jetstream.Msg) error {
		seen = append(seen, m.Subject())
		if m.Subject() == "a.1" || m.Subject() == "a.10" {
			_, err := js.Publish(t.Context(), "a.99", nil)
			return err
		}
		return nil
	})
	if err != nil || !slices.Equal(seen, want) {
		t.Errorf("scan while publishing: %v, read %v", err, seen)
	}
	// An empty stream.
	if _, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "EMPTY", Subjects: []string{"e"}}); err != nil {
		t.Fatal(err)
	}
	if err := Scan(t.Context(), js, "EMPTY", ScanOptions{}, func(jetstream.Msg) error { return errors.New("called") }); err != nil {
		t.Errorf("empty stream: %v", err)
	}
	st, err := js.Stream(t.Context(), "SCAN")
	if err != nil {
		t.Fatal(err)
	}
	for name := range st.ConsumerNames(t.Context()).Name() {
		t.Errorf("consumer %s left behind", name)
	}
	// A missing stream: an error naming it.
	if err := Scan(t.Context(), js, "NOPE", ScanOptions{}, func(jetstream.Msg) error { return nil }); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("missing stream: %v", err)
	}
}

// TestScanStreamSurvivesLosingItsConsumer deletes the scan's consumer in
// the middle, as a node going down takes its consumers: the scan goes on
// from the next message, each message read once.
func TestScanStreamSurvivesLosingItsConsumer(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	scanFixture(t, js, 10)
	var got []string
	err := Scan(t.Context(), js, "SCAN", ScanOptions{Batch: 2, FilterSubject: "a.*", Timeout: time.Second}, func(m jetstream.Msg) error {
		got = append(got, m.Subject())
		if m.Subject() == "a.4" {
			st, err := js.Stream(t.Context(), "SCAN")
			if err != nil {
				return err
			}
			for name := range st.ConsumerNames(t.Context()).Name() {
				if err := js.DeleteConsumer(t.Context(), "SCAN", name); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.1", "a.2", "a.3", "a.4", "a.5", "a.6", "a.7", "a.8", "a.9", "a.10"}
	if !slices.Equal(got, want) {
		t.Errorf("read %v, want each once: %v", got, want)
	}
}

// TestScanStreamGivesUp: when the server will not let the scan make a
// consumer, it gives up after about its timeout with an error, instead of
// retrying forever as an ordered consumer does; and a cancelled context
// stops it at once.
func TestScanStreamGivesUp(t *testing.T) {
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir(), Users: []*server.User{
		{Username: "admin", Password: "a"},
		{Username: "reader", Password: "r", Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"$JS.API.CONSUMER.CREATE.>"}},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	connect := func(user, pw string) jetstream.JetStream {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(user, pw), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}
	scanFixture(t, connect("admin", "a"), 3)
	js := connect("reader", "r")

	start := time.Now()
	err = Scan(t.Context(), js, "SCAN", ScanOptions{Timeout: 300 * time.Millisecond}, func(jetstream.Msg) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "SCAN") {
		t.Errorf("scan without consumers: %v, want an error naming the stream", err)
	}
	// A few steps of 300 ms each; far from forever, however busy the box.
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("gave up after %v", took)
	}

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	err = Scan(ctx, js, "SCAN", ScanOptions{Timeout: time.Minute}, func(jetstream.Msg) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a cancelled scan took %v to stop (timeout 1m)", took)
	}
}
