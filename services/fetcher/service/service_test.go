package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// testConfig is a config for a fetcher against loopback test servers.
func testConfig(t *testing.T, mod func(*Config)) Config {
	t.Helper()
	cfg, err := LoadConfig(nil, func(k string) string {
		return map[string]string{
			"FETCHER_ALLOW_PRIVATE": "true",
			"FETCHER_HOST_RATE":     "50",
			"FETCHER_TIMEOUT":       "3s",
			"FETCHER_WORKERS":       "8",
			"HTTP_ADDR":             "",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Common.HTTPAddr = "" // an empty HTTP_ADDR means the default, :8081
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

// startFetcher runs a fetcher until the test ends.
func startFetcher(t *testing.T, cfg Config, nc *nats.Conn, js jetstream.JetStream, log *zap.Logger) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := RunWithConn(ctx, cfg, log, nc, js)
		if ctx.Err() == nil {
			// Stopped on its own: fail now, not at the end of a long wait.
			t.Errorf("fetcher stopped early: %v", err)
		}
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				t.Errorf("fetcher: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("fetcher did not stop")
		}
	})
}

// collector reads a stream's messages in the background.
type collector struct {
	mu   sync.Mutex
	msgs []jetstream.Msg
}

func collect(t testing.TB, js jetstream.JetStream, stream string) *collector {
	t.Helper()
	ctx := t.Context()
	// The stream is created by the fetcher at start: wait for it.
	var cons jetstream.Consumer
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		cons, err = js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("consumer on %s: %v", stream, err)
	}
	c := &collector{}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.Stop)
	return c
}

// wait polls until at least n messages arrived and returns them.
func (c *collector) wait(t *testing.T, n int, within time.Duration) []jetstream.Msg {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c.mu.Lock()
		got := append([]jetstream.Msg(nil), c.msgs...)
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if t.Failed() {
			t.FailNow()
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d messages within %v, want %d", len(got), within, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func outcomesByURL(t *testing.T, msgs []jetstream.Msg) map[string][]schema.Outcome {
	t.Helper()
	out := map[string][]schema.Outcome{}
	for _, m := range msgs {
		var o schema.Outcome
		if err := json.Unmarshal(m.Data(), &o); err != nil {
			t.Fatalf("outcome %q: %v", m.Data(), err)
		}
		if err := o.Validate(); err != nil {
			t.Errorf("invalid outcome %+v: %v", o, err)
		}
		out[o.URL] = append(out[o.URL], o)
	}
	return out
}

func publish(t *testing.T, js jetstream.JetStream, payload string) {
	t.Helper()
	if _, err := js.Publish(t.Context(), schema.SubjectCrawlURLs, []byte(payload)); err != nil {
		t.Fatal(err)
	}
}

func randomText(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz      \n"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

func TestServiceEndToEnd(t *testing.T) {
	big := "<html><body><p>" + randomText(3<<20) + "</p></body></html>"
	var mu sync.Mutex
	requests := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/a", "/b":
			w.Header().Set("Content-Type", "text/html; charset=windows-1251")
			fmt.Fprintf(w, "<html><head><title>%s</title></head><body>\xcf\xf0\xe8</body></html>", r.URL.Path)
		case "/big":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, big)
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			fmt.Fprint(w, "\x89PNG")
		case "/private/x":
			t.Errorf("fetched a path disallowed by robots.txt")
		default:
			http.NotFound(w, r)
		}
	})
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)

	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	startFetcher(t, testConfig(t, nil), nc, js, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	outcomes := collect(t, js, schema.StreamOutcomes)
	pages := collect(t, js, schema.StreamPages)

	hintTime := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	req := schema.CrawlRequest{
		V: schema.Version, URL: site.URL + "/b", Depth: 2, Origin: site.URL + "/",
		TraceID: "trace-b", Hints: &schema.Hints{Title: "Hinted", Published: &hintTime},
	}
	reqJSON, _ := json.Marshal(req)
	publish(t, js, site.URL+"/a")
	publish(t, js, string(reqJSON))
	publish(t, js, site.URL+"/big")
	publish(t, js, site.URL+"/missing")
	publish(t, js, site.URL+"/image")
	publish(t, js, site.URL+"/private/x")
	publish(t, js, "ftp://example.com/file")
	publish(t, js, "not a url at all")
	publish(t, js, "{garbage")

	got := outcomesByURL(t, outcomes.wait(t, 9, 30*time.Second))
	want := map[string]string{
		site.URL + "/a":          schema.OutcomeFetched,
		site.URL + "/b":          schema.OutcomeFetched,
		site.URL + "/big":        schema.OutcomeFetched,
		site.URL + "/missing":    schema.OutcomeHTTPError,
		site.URL + "/image":      schema.OutcomeBadContentType,
		site.URL + "/private/x":  schema.OutcomeRobotsDenied,
		"ftp://example.com/file": schema.OutcomeInvalid,
		"not a url at all":       schema.OutcomeInvalid,
		"{garbage":               schema.OutcomeInvalid,
	}
	for u, w := range want {
		os := got[u]
		if len(os) != 1 {
			t.Errorf("%s: %d outcomes %+v, want exactly one", u, len(os), os)
			continue
		}
		if os[0].Outcome != w {
			t.Errorf("%s: outcome %s (%s), want %s", u, os[0].Outcome, os[0].Reason, w)
		}
		if os[0].TraceID == "" {
			t.Errorf("%s: outcome without trace id", u)
		}
	}
	if o := got[site.URL+"/missing"]; len(o) == 1 && o[0].Status != 404 {
		t.Errorf("missing: status %d, want 404", o[0].Status)
	}

	msgs := pages.wait(t, 3, 10*time.Second)
	bodies := pagebody.NewStore(js)
	seenPages := map[string]bool{}
	for _, m := range msgs {
		p, err := pagebody.Unmarshal(m.Data())
		if err != nil {
			t.Fatalf("page: %v", err)
		}
		seenPages[p.URL] = true
		if m.Headers().Get(schema.HeaderTraceID) != p.TraceID {
			t.Errorf("%s: header trace %q, body trace %q", p.URL, m.Headers().Get(schema.HeaderTraceID), p.TraceID)
		}
		body, err := pagebody.Open(t.Context(), &p, bodies)
		if err != nil {
			t.Fatalf("%s: body: %v", p.URL, err)
		}
		if len(body) != p.BodySize {
			t.Errorf("%s: body %d bytes, body_size %d", p.URL, len(body), p.BodySize)
		}
		switch p.URL {
		case site.URL + "/big":
			if p.BodyRef == "" || len(p.Body) != 0 {
				t.Errorf("big page travelled inline (%d bytes)", len(p.Body))
			}
			if string(body) != big {
				t.Errorf("big page body differs (%d bytes, want %d)", len(body), len(big))
			}
			if len(m.Data()) > 64<<10 {
				t.Errorf("big page message is %d bytes", len(m.Data()))
			}
		case site.URL + "/b":
			if p.Depth != 2 || p.Origin != site.URL+"/" || p.TraceID != "trace-b" {
				t.Errorf("b: depth %d origin %q trace %q; want the request's", p.Depth, p.Origin, p.TraceID)
			}
			if p.Hints == nil || p.Hints.Title != "Hinted" || p.Hints.Published == nil || !p.Hints.Published.Equal(hintTime) {
				t.Errorf("b: hints %+v not carried", p.Hints)
			}
			fallthrough
		case site.URL + "/a":
			if p.Charset != "windows-1251" || !strings.Contains(p.ContentType, "windows-1251") {
				t.Errorf("%s: charset %q content type %q", p.URL, p.Charset, p.ContentType)
			}
			if !strings.Contains(string(body), "\xcf\xf0\xe8") {
				t.Errorf("%s: body not the raw windows-1251 bytes: %q", p.URL, body)
			}
		}
	}
	for _, u := range []string{"/a", "/b", "/big"} {
		if !seenPages[site.URL+u] {
			t.Errorf("no page for %s", u)
		}
	}
}

// TestManySpellingsOneFetch publishes 10,000 messages: one URL in 10
// spellings, 1,000 times each. The server must see one request.
func TestManySpellingsOneFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 messages")
	}
	var mu sync.Mutex
	hits := 0
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>story</body></html>")
	}))
	t.Cleanup(site.Close)
	base := strings.TrimPrefix(site.URL, "http://")
	spellings := []string{
		"http://" + base + "/news/story?id=7",
		"HTTP://" + strings.ToUpper(base) + "/news/story?id=7",
		"http://" + base + "/news/story?id=7#comments",
		"http://" + base + "/news/./story?id=7",
		"http://" + base + "/news/x/../story?id=7",
		"http://" + base + "/news/story?utm_source=tw&id=7",
		"http://" + base + "/news/story?id=7&fbclid=abc",
		"http://" + base + "/%6Eews/story?id=7",
		"http://" + base + "/news/story?&id=7&",
		"http://" + base + "/news/story?id=7&gclid=1&utm_medium=x",
	}
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	startFetcher(t, testConfig(t, func(c *Config) { c.Workers = 16 }), nc, js, zap.NewNop())
	outcomes := collect(t, js, schema.StreamOutcomes)

	const perSpelling = 1000
	futures := make([]jetstream.PubAckFuture, 0, len(spellings)*perSpelling)
	for i := 0; i < perSpelling; i++ {
		for _, sp := range spellings {
			f, err := js.PublishAsync(schema.SubjectCrawlURLs, []byte(sp))
			if err != nil {
				t.Fatal(err)
			}
			futures = append(futures, f)
		}
		// In windows of 1,000: the client stalls past 4,000 pending acks,
		// which a loaded machine reaches.
		if (i+1)%100 == 0 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(30 * time.Second):
				t.Fatal("publishes not acknowledged")
			}
		}
	}
	for _, f := range futures {
		select {
		case err := <-f.Err():
			t.Fatal(err)
		default:
		}
	}
	msgs := outcomes.wait(t, len(futures), 120*time.Second)
	counts := map[string]int{}
	for _, o := range outcomesByURL(t, msgs) {
		for _, oc := range o {
			counts[oc.Outcome]++
		}
	}
	if counts[schema.OutcomeFetched] != 1 || counts[schema.OutcomeDuplicate] != len(futures)-1 {
		t.Errorf("outcomes %v, want 1 fetched and %d duplicates", counts, len(futures)-1)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 1 {
		t.Errorf("server saw %d requests for the page, want 1", hits)
	}
}
