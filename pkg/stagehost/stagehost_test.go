package stagehost_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/ops"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/stagehost"
)

// common is the shared configuration of a stage on natsURL.
func common(natsURL, httpAddr string) config.Common {
	return config.Common{NATS: bus.ConnOptions{URL: natsURL, Name: "test"}, Replicas: 1, AckWait: 5 * time.Second, HTTPAddr: httpAddr, LogLevel: "info"}
}

// parserRunner is a runner of the parser's consumer whose handler waits
// for release before it acks.
func parserRunner(release <-chan struct{}, handled *atomic.Int32) *bus.Runner[string] {
	return &bus.Runner[string]{
		Delivery: bus.Delivery[string]{Stage: "parser", Decode: func(b []byte) (string, error) { return string(b), nil }},
		Handle: func(ctx context.Context, in string) ([]bus.Out, error) {
			handled.Add(1)
			<-release
			return nil, nil
		},
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestRunHostsAStage: the consumer has the configured AckWait, the ops
// endpoints and the stage's route answer, jobs run, and a cancel stops
// the stage in order: unready while in-flight work drains, HTTP last.
func TestRunHostsAStage(t *testing.T) {
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	core, logs := observer.New(zapcore.InfoLevel)
	release := make(chan struct{})
	var handled, jobRuns atomic.Int32
	addr := make(chan string, 1)
	st := stagehost.Stage{
		Consumer: schema.ConsumerParser,
		Common:   common(s.ClientURL(), "127.0.0.1:0"),
		Checks:   map[string]ops.Check{"own": func(context.Context) error { return nil }},
		Routes: func(mux *http.ServeMux) {
			mux.HandleFunc("GET /api/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
		},
		Jobs: map[string]stagehost.Job{"tick": func(ctx context.Context) error {
			jobRuns.Add(1)
			<-ctx.Done()
			return nil
		}},
		AddrOut: addr,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- stagehost.Run(ctx, zap.New(core), stagehost.Conn{NC: nc, JS: js}, st, parserRunner(release, &handled))
	}()
	base := "http://" + <-addr

	cons, err := js.Consumer(t.Context(), schema.StreamPages, schema.ConsumerParser)
	if err != nil {
		t.Fatal(err)
	}
	if got := cons.CachedInfo().Config.AckWait; got != 5*time.Second {
		t.Errorf("consumer AckWait %v, want the configured 5s", got)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || !strings.Contains(body, `"own":"ok"`) || !strings.Contains(body, `"topology":"ok"`) {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if code, body := get(t, base+"/api/hello"); code != http.StatusOK || body != "hello" {
		t.Errorf("/api/hello = %d %s", code, body)
	}
	if _, err := js.Publish(t.Context(), schema.SubjectPagesFetched, []byte("page")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the message in hand", func() bool { return handled.Load() == 1 })
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, `newsflow_consumer_ack_pending{consumer="parser",stream="PAGES"} 1`) ||
		!strings.Contains(body, `newsflow_in_flight{stage="parser"} 1`) ||
		!strings.Contains(body, `newsflow_build_info{goversion="go`) || !strings.Contains(body, `service="parser"`) {
		t.Errorf("/metrics lacks the lag, runner or build metrics:\n%s", body)
	}
	if jobRuns.Load() != 1 {
		t.Errorf("job ran %d times, want 1", jobRuns.Load())
	}

	cancel()
	waitFor(t, "unready while draining", func() bool {
		code, body := get(t, base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "shutting down")
	})
	select {
	case err := <-done:
		t.Fatalf("Run returned %v with a message in flight", err)
	default:
	}
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v after a clean stop", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
	if code, _ := get(t, base+"/healthz"); code != 0 {
		t.Errorf("HTTP still answers after Run returned: %d", code)
	}
	waitFor(t, "the ack", func() bool {
		info, err := cons.Info(t.Context())
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0
	})
	if logs.FilterMessage("started").Len() != 1 || logs.FilterMessage("stopped").Len() != 1 {
		t.Errorf("want one started and one stopped line, got %d and %d", logs.FilterMessage("started").Len(), logs.FilterMessage("stopped").Len())
	}
}

// TestRunFailsOnItsParts: a taken HTTP address and a failing job each
// stop the stage with their error.
func TestRunFailsOnItsParts(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct {
		name    string
		stage   func(natsURL string) stagehost.Stage
		wantErr string
	}{
		{name: "address taken", stage: func(u string) stagehost.Stage {
			return stagehost.Stage{Consumer: schema.ConsumerParser, Common: common(u, taken.Addr().String())}
		}, wantErr: "listen"},
		{name: "job fails", stage: func(u string) stagehost.Stage {
			return stagehost.Stage{Consumer: schema.ConsumerParser, Common: common(u, ""), Jobs: map[string]stagehost.Job{
				"poll": func(context.Context) error { return errors.New("registry gone") },
			}}
		}, wantErr: "poll: registry gone"},
		{name: "unknown consumer", stage: func(u string) stagehost.Stage {
			return stagehost.Stage{Consumer: "nobody", Common: common(u, "")}
		}, wantErr: `consumer "nobody"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bustest.Server(t)
			nc, js := bustest.Connect(t, s)
			release := make(chan struct{})
			close(release)
			var handled atomic.Int32
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			core, logs := observer.New(zapcore.InfoLevel)
			err := stagehost.Run(ctx, zap.New(core), stagehost.Conn{NC: nc, JS: js}, tt.stage(s.ClientURL()), parserRunner(release, &handled))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run = %v, want an error with %q", err, tt.wantErr)
			}
			if n := logs.FilterMessage("stopped").Len(); n != 0 {
				t.Errorf("a failed stage logged %d clean stop lines", n)
			}
			if tt.name == "address taken" && logs.FilterMessage("started").Len() != 0 {
				t.Error("a stage whose address is taken logged that it started")
			}
			if ctx.Err() != nil {
				t.Error("Run returned only at the deadline")
			}
		})
	}
}

// TestRunWithoutStreamPermissions: a service identity that may not create
// or update streams fails at once with an error naming the missing
// stream; once an admin has provisioned the streams it starts, even when
// they differ from its own topology.
func TestRunWithoutStreamPermissions(t *testing.T) {
	opts := &server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		Users: []*server.User{
			{Username: "admin", Password: "a"},
			{Username: "svc", Password: "s", Permissions: &server.Permissions{Publish: &server.SubjectPermission{
				Deny: []string{"$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>"},
			}}},
		},
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })

	connect := func(user, pass string) stagehost.Conn {
		c, err := stagehost.Dial(t.Context(), bus.ConnOptions{URL: ns.ClientURL(), User: user, Password: pass}, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	svc := connect("svc", "s")
	st := stagehost.Stage{Consumer: schema.ConsumerParser, Common: common(ns.ClientURL(), "")}
	var handled atomic.Int32
	release := make(chan struct{})
	close(release)

	start := time.Now()
	err = stagehost.Run(t.Context(), zap.NewNop(), svc, st, parserRunner(release, &handled))
	if !errors.Is(err, bus.ErrStreamMissing) || !strings.Contains(err.Error(), "stream "+schema.StreamCrawl) {
		t.Fatalf("Run without streams = %v, want ErrStreamMissing naming %s", err, schema.StreamCrawl)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the missing stream took %v to report", took)
	}

	admin := connect("admin", "a")
	// Provisioned by the admin, with a retention the service would not choose.
	if err := bus.EnsureStreams(t.Context(), admin.JS, bus.Topology{PagesMaxAge: time.Hour}); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- stagehost.Run(ctx, zap.New(core), svc, st, parserRunner(release, &handled)) }()
	waitFor(t, "the stage to start", func() bool { return logs.FilterMessage("started").Len() == 1 })
	if _, err := admin.JS.Consumer(t.Context(), schema.StreamPages, schema.ConsumerParser); err != nil {
		t.Errorf("the stage's consumer: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run on provisioned streams = %v", err)
	}
	warned := logs.FilterMessage("streams differ from the topology and were not updated").All()
	if len(warned) != 1 || !strings.Contains(stringsOf(warned[0].ContextMap()["streams"]), "PAGES: max_age") {
		t.Errorf("want one warning naming PAGES max_age, got %+v", warned)
	}
	pages, err := admin.JS.Stream(t.Context(), schema.StreamPages)
	if err != nil {
		t.Fatal(err)
	}
	if got := pages.CachedInfo().Config.MaxAge; got != time.Hour {
		t.Errorf("PAGES max age %v: the service changed the admin's stream", got)
	}
}

func stringsOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var (
	_ stagehost.Runner = (*bus.Runner[string])(nil)
	_ stagehost.Runner = (*bus.BatchRunner[string])(nil)
)

// TestCloseWithTheServerGone: a service stopped while NATS is down stops
// cleanly (nothing can be drained; the server redelivers what was not
// acked) instead of failing its exit with "connection reconnecting".
func TestCloseWithTheServerGone(t *testing.T) {
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := stagehost.Dial(t.Context(), bus.ConnOptions{URL: s.ClientURL()}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown()
	s.WaitForShutdown()
	waitFor(t, "the client to notice", conn.NC.IsReconnecting)
	if err := conn.Close(); err != nil {
		t.Errorf("Close with the server gone: %v", err)
	}
	if !conn.NC.IsClosed() {
		t.Error("connection left open")
	}
}
