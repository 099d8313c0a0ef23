package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natssrv "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/services/indexer/internal/api"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// crawlFixture is the API over a real SQLite store and a real embedded
// JetStream server holding the pipeline's streams.
type crawlFixture struct {
	srv      *httptest.Server
	st       *store.SQLite
	js       jetstream.JetStream
	stopNATS func()
}

func crawlServer(t *testing.T, arts ...schema.Article) *crawlFixture {
	t.Helper()
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	stop := func() { ns.Shutdown(); ns.WaitForShutdown() }
	t.Cleanup(stop)
	nc, err := nats.Connect(ns.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, arts...)
	mux := http.NewServeMux()
	api.New(st, zap.NewNop()).WithBus(js, time.Second).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &crawlFixture{srv: srv, st: st, js: js, stopNATS: stop}
}

func (f *crawlFixture) publish(t *testing.T, subject string, body any, hdr nats.Header) uint64 {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := f.js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: data, Header: hdr})
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// crawlState writes what the stages would: outcomes, a parsed record, a
// dead letter of the fetcher (retryable) and a registered source.
// articleURL is fetched and parsed under the trace id "trace-puffins".
func (f *crawlFixture) crawlState(t *testing.T, articleURL string) (deadID uint64) {
	t.Helper()
	now := time.Now().UTC()
	for _, o := range []schema.Outcome{
		{URL: articleURL, Outcome: schema.OutcomeFetched, TraceID: "trace-puffins"},
		{URL: "https://daily.example/a", Outcome: schema.OutcomeFetched, TraceID: "trace-a"},
		{URL: "https://broken.example/1", Outcome: schema.OutcomeHTTPError, Status: 503, Reason: "status 503 Service Unavailable", TraceID: "trace-b1"},
		{URL: "https://broken.example/2", Outcome: schema.OutcomeTimeout, Reason: "no response within 10s", TraceID: "trace-b2"},
	} {
		o.V, o.Stage, o.At = schema.Version, "fetcher", now
		f.publish(t, schema.SubjectCrawlOutcome, o, nil)
	}
	f.publish(t, schema.SubjectArticlesParsed, map[string]string{"url": articleURL},
		nats.Header{schema.HeaderTraceID: {"trace-puffins"}, schema.HeaderPageType: {schema.PageArticle}})
	req := schema.CrawlRequest{V: schema.Version, URL: "https://broken.example/2", TraceID: "trace-b2", SubmittedAt: now}
	data, _ := json.Marshal(req)
	deadID = f.publish(t, schema.DeadLetterSubject("fetcher"), schema.DeadLetter{V: schema.Version, Stage: "fetcher", Stream: schema.StreamCrawl,
		Consumer: "fetcher", Seq: 3, Subject: schema.SubjectCrawlURLs, Fate: "failed", Reason: "gave up after 8 attempts", Attempts: 8,
		URL: req.URL, TraceID: req.TraceID, At: now, Data: data}, nil)
	if _, err := bus.EnsureConsumer(t.Context(), f.js, bus.Topology{}, schema.ConsumerFetcher); err != nil {
		t.Fatal(err)
	}
	reg, err := sources.Open(t.Context(), f.js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(t.Context(), "https://courier.example/feed.xml", 15*time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	return deadID
}

func post(t *testing.T, u, contentType, body string) (int, map[string]any, string) {
	t.Helper()
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("POST %s: not JSON: %q", u, raw)
	}
	return resp.StatusCode, m, string(raw)
}

func TestCrawlEndpoints(t *testing.T) {
	f := crawlServer(t)
	deadID := f.crawlState(t, "https://courier.example/news/4")
	base := f.srv.URL

	code, m, body := get(t, base+"/api/crawl/lag")
	if code != 200 {
		t.Fatalf("lag = %d %s", code, body)
	}
	stages := m["stages"].([]any)
	if len(stages) != 3 || stages[0].(map[string]any)["stage"] != "fetcher" || stages[0].(map[string]any)["exists"] != true {
		t.Errorf("lag = %s, want fetcher (existing), parser, indexer", body)
	}

	code, m, body = get(t, base+"/api/crawl/outcomes")
	if code != 200 {
		t.Fatalf("outcomes = %d %s", code, body)
	}
	byKind := m["by_kind"].(map[string]any)
	if byKind["fetched"] != 2.0 || byKind["http_error"] != 1.0 || byKind["timeout"] != 1.0 || len(m["buckets"].([]any)) != 12 {
		t.Errorf("outcomes = %s", body)
	}

	code, m, body = get(t, base+"/api/crawl/hosts?window=30m&limit=5")
	if code != 200 {
		t.Fatalf("hosts = %d %s", code, body)
	}
	hosts := m["failing_hosts"].([]any)
	if len(hosts) != 1 || hosts[0].(map[string]any)["host"] != "broken.example" || hosts[0].(map[string]any)["failures"] != 2.0 ||
		hosts[0].(map[string]any)["last_error"] != "no response within 10s" {
		t.Errorf("hosts = %s, want broken.example with 2 failures and its last error", body)
	}

	code, m, body = get(t, base+"/api/sources")
	if code != 200 || len(m["sources"].([]any)) != 1 || !strings.Contains(body, `"every":"15m0s"`) || !strings.Contains(body, "next_due") {
		t.Errorf("sources = %d %s", code, body)
	}

	code, m, body = get(t, base+"/api/deadletters")
	if code != 200 {
		t.Fatalf("dead letters = %d %s", code, body)
	}
	dls := m["dead_letters"].([]any)
	if len(dls) != 1 || dls[0].(map[string]any)["id"] != float64(deadID) || dls[0].(map[string]any)["retryable"] != true {
		t.Fatalf("dead letters = %s", body)
	}

	code, m, body = get(t, base+"/api/trace?url="+url.QueryEscape("https://broken.example/2"))
	if code != 200 || len(m["outcomes"].([]any)) != 1 || len(m["dead_letters"].([]any)) != 1 || m["indexed"] != nil {
		t.Errorf("trace of a failed URL = %d %s", code, body)
	}

	crawl, _ := f.js.Stream(t.Context(), schema.StreamCrawl)
	before := crawl.CachedInfo().State.Msgs
	code, m, body = post(t, fmt.Sprintf("%s/api/deadletters/%d/retry", base, deadID), "application/json", "{}")
	if code != 200 || m["subject"] != schema.SubjectCrawlURLs || m["trace_id"] != "trace-b2" {
		t.Errorf("retry = %d %s", code, body)
	}
	info, _ := crawl.Info(t.Context())
	if info.State.Msgs != before+1 {
		t.Errorf("CRAWL holds %d after the retry, want %d", info.State.Msgs, before+1)
	}
	if code, _, body = get(t, base+"/api/deadletters"); !strings.Contains(body, `"dead_letters":[]`) {
		t.Errorf("dead letters after the retry = %d %s, want none", code, body)
	}
	if code, m, _ = post(t, fmt.Sprintf("%s/api/deadletters/%d/retry", base, deadID), "application/json", "{}"); code != 404 {
		t.Errorf("second retry = %d %v, want 404", code, m)
	}

	code, m, body = post(t, base+"/api/submit", "application/json", `{"url": "https://courier.example/news/5"}`)
	if code != 202 || m["trace_id"] == "" || m["url"] != "https://courier.example/news/5" {
		t.Fatalf("submit = %d %s", code, body)
	}
	raw, err := crawl.GetLastMsgForSubject(t.Context(), schema.SubjectCrawlURLs)
	if err != nil || raw.Header.Get(schema.HeaderTraceID) != m["trace_id"] || !bytes.Contains(raw.Data, []byte("news/5")) {
		t.Errorf("crawl.urls holds %v (%v), want the submitted URL with its trace id", raw, err)
	}
}

func TestTraceEndpointJoinsBusAndStore(t *testing.T) {
	puffins := articletest.ArticleWithBody("courier.example", 4, "Puffins are back.")
	puffins.TraceID = "trace-puffins"
	home := articletest.Page("daily.example", "/a", schema.PageListing)
	f := crawlServer(t, puffins, home)
	f.crawlState(t, puffins.URL)
	for _, give := range []string{"url=" + url.QueryEscape(puffins.URL), "trace_id=trace-puffins"} {
		code, m, body := get(t, f.srv.URL+"/api/trace?"+give)
		if code != 200 {
			t.Fatalf("trace %s = %d %s", give, code, body)
		}
		if len(m["outcomes"].([]any)) != 1 || len(m["parsed"].([]any)) != 1 || len(m["dead_letters"].([]any)) != 0 {
			t.Errorf("trace %s = %s, want one outcome, one parsed record", give, body)
		}
		idx, _ := m["indexed"].(map[string]any)
		if idx == nil || idx["canonical_url"] != puffins.CanonicalURL || idx["trace_id"] != "trace-puffins" {
			t.Errorf("trace %s indexed = %v", give, m["indexed"])
		}
	}
	code, m, body := get(t, f.srv.URL+"/api/trace?url="+url.QueryEscape(home.URL))
	if pg, _ := m["page"].(map[string]any); code != 200 || pg == nil || pg["page_type"] != schema.PageListing {
		t.Errorf("trace of a listing page = %d %s, want its page row", code, body)
	}
}

func TestPagesEndpoint(t *testing.T) {
	f := crawlServer(t, articletest.Page("daily.example", "/", schema.PageHome), articletest.Page("daily.example", "/l", schema.PageListing),
		articletest.Page("wire.example", "/", schema.PageHome), articletest.Article("daily.example", 1))
	code, m, body := get(t, f.srv.URL+"/api/pages?limit=2")
	if code != 200 || m["total"] != 3.0 || len(m["pages"].([]any)) != 2 || len(m["by_type"].([]any)) != 2 {
		t.Errorf("pages = %d %s, want 3 in all, 2 on this page, 2 types", code, body)
	}
	code, m, body = get(t, f.srv.URL+"/api/pages?type=listing")
	if code != 200 || m["total"] != 1.0 || m["pages"].([]any)[0].(map[string]any)["page_type"] != "listing" {
		t.Errorf("listing pages = %d %s", code, body)
	}
	code, m, body = get(t, f.srv.URL+"/api/pages?type=home&offset=1")
	if code != 200 || m["total"] != 2.0 || len(m["pages"].([]any)) != 1 {
		t.Errorf("second home page = %d %s", code, body)
	}
}

func TestCrawlBadRequests(t *testing.T) {
	f := crawlServer(t)
	tests := []struct {
		method, path, ctype, body string
		wantCode                  int
		wantMsg                   string
	}{
		{method: "POST", path: "/api/submit", ctype: "application/json", body: `{"url": "ftp://x.example/"}`, wantCode: 400, wantMsg: "url"},
		{method: "POST", path: "/api/submit", ctype: "application/json", body: `{"url": "not a url"}`, wantCode: 400, wantMsg: "url"},
		{method: "POST", path: "/api/submit", ctype: "application/json", body: `{"url": ""}`, wantCode: 400, wantMsg: "missing"},
		{method: "POST", path: "/api/submit", ctype: "application/json", body: `{"link": "https://x.example/"}`, wantCode: 400, wantMsg: "body"},
		{method: "POST", path: "/api/submit", ctype: "application/json", body: `[`, wantCode: 400, wantMsg: "body"},
		{method: "POST", path: "/api/submit", ctype: "application/x-www-form-urlencoded", body: `url=https://x.example/`, wantCode: 415, wantMsg: "JSON"},
		{method: "POST", path: "/api/deadletters/abc/retry", ctype: "application/json", body: `{}`, wantCode: 400, wantMsg: "id"},
		{method: "POST", path: "/api/deadletters/77/retry", ctype: "application/json", body: `{}`, wantCode: 404, wantMsg: "no dead letter 77"},
		{method: "POST", path: "/api/deadletters/77/retry", ctype: "text/plain", body: ``, wantCode: 415, wantMsg: "JSON"},
		{method: "GET", path: "/api/trace", wantCode: 400, wantMsg: "url or trace_id"},
		{method: "GET", path: "/api/trace?url=a&trace_id=b", wantCode: 400, wantMsg: "url or trace_id"},
		{method: "GET", path: "/api/trace?url=javascript:alert(1)", wantCode: 400, wantMsg: "url"},
		{method: "GET", path: "/api/crawl/outcomes?window=1y", wantCode: 400, wantMsg: "window"},
		{method: "GET", path: "/api/crawl/outcomes?window=48h", wantCode: 400, wantMsg: "window"},
		{method: "GET", path: "/api/crawl/hosts?limit=0", wantCode: 400, wantMsg: "limit"},
		{method: "GET", path: "/api/deadletters?limit=100000", wantCode: 400, wantMsg: "limit"},
		{method: "GET", path: "/api/pages?type=article", wantCode: 400, wantMsg: "/api/search"},
		{method: "GET", path: "/api/pages?offset=-1", wantCode: 400, wantMsg: "offset"},
		{method: "GET", path: "/api/submit", wantCode: 404, wantMsg: "no such endpoint"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, strings.NewReader(tt.body))
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantCode {
			t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, resp.StatusCode, raw, tt.wantCode)
			continue
		}
		if tt.wantMsg == "" {
			continue
		}
		var m map[string]string
		if json.Unmarshal(raw, &m) != nil || !strings.Contains(m["error"], tt.wantMsg) {
			t.Errorf("%s %s error = %s, want a JSON error mentioning %q", tt.method, tt.path, raw, tt.wantMsg)
		}
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/submit", strings.NewReader(`{"url": "https://x.example/"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("cross-site submit = %v %v, want 403", resp, err)
	}
}

// TestCrawlEndpointsWithNATSDown: with the server gone, every crawl
// endpoint answers 503 with a JSON error at once, and the store's
// endpoints keep working.
func TestCrawlEndpointsWithNATSDown(t *testing.T) {
	f := crawlServer(t, articletest.Page("daily.example", "/", schema.PageHome))
	f.stopNATS()
	for _, tt := range []struct{ method, path string }{
		{"GET", "/api/crawl/lag"}, {"GET", "/api/crawl/outcomes"}, {"GET", "/api/crawl/hosts"}, {"GET", "/api/deadletters"},
		{"GET", "/api/sources"}, {"GET", "/api/trace?trace_id=x"}, {"POST", "/api/submit"}, {"POST", "/api/deadletters/1/retry"},
	} {
		body := "{}"
		if tt.path == "/api/submit" {
			body = `{"url": "https://x.example/"}`
		}
		req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m map[string]string
		if resp.StatusCode != 503 || json.Unmarshal(raw, &m) != nil || !strings.Contains(m["error"], "NATS") {
			t.Errorf("%s %s with NATS down = %d %s, want 503 naming NATS", tt.method, tt.path, resp.StatusCode, raw)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s %s took %v with NATS down", tt.method, tt.path, took)
		}
	}
	if code, _, body := get(t, f.srv.URL+"/api/pages"); code != 200 {
		t.Errorf("pages with NATS down = %d %s, want 200 (the store is up)", code, body)
	}
}

// TestCrawlEndpointsWithoutBus: an API built without WithBus says so.
func TestCrawlEndpointsWithoutBus(t *testing.T) {
	srv, _ := server(t)
	code, m, _ := get(t, srv.URL+"/api/crawl/lag")
	if code != 503 || !strings.Contains(m["error"].(string), "not connected to NATS") {
		t.Errorf("lag without a bus = %d %v", code, m)
	}
}

// TestCrawlEndpointsWhenJetStreamDoesNotAnswer: connected, but every
// JetStream request goes unanswered (here its user may not make them):
// each endpoint gives up after its bound with a 503, never hangs.
func TestCrawlEndpointsWhenJetStreamDoesNotAnswer(t *testing.T) {
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir(), Users: []*natssrv.User{
		{Username: "mute", Password: "m", Permissions: &natssrv.Permissions{
			Publish: &natssrv.SubjectPermission{Allow: []string{">"}, Deny: []string{"$JS.API.>"}},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	nc, err := nats.Connect(ns.ClientURL(), nats.UserInfo("mute", "m"), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mux := http.NewServeMux()
	api.New(st, zap.NewNop()).WithBus(js, 300*time.Millisecond).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, p := range []string{"/api/crawl/lag", "/api/crawl/outcomes", "/api/deadletters", "/api/sources", "/api/trace?trace_id=x"} {
		start := time.Now()
		code, m, body := get(t, srv.URL+p)
		if code != 503 || m["error"] == nil {
			t.Errorf("GET %s = %d %s, want 503 with a JSON error", p, code, body)
		}
		// Each endpoint's bound is a few NATS timeouts (8 at most, the trace).
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("GET %s took %v with NATS requests of 300ms", p, took)
		}
	}
}
