package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// indexer runs the real service against the test JetStream server and
// returns its HTTP base URL; it stops when the test ends.
func indexer(t *testing.T, natsURL, storeDSN string) string {
	t.Helper()
	addr := make(chan string, 1)
	cfg := Config{
		Common:    config.Common{NATS: natsOptions(natsURL), Replicas: 1, LogLevel: "info", HTTPAddr: "127.0.0.1:0"},
		Store:     storeDSN,
		BatchSize: 100,
		BatchWait: 50 * time.Millisecond,
		AddrOut:   addr,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("indexer did not start listening")
	}
	return ""
}

func publish(t *testing.T, js jetstream.JetStream, data []byte) {
	t.Helper()
	if _, err := js.Publish(t.Context(), schema.SubjectArticlesParsed, data); err != nil {
		t.Fatal(err)
	}
}

func publishArticle(t *testing.T, js jetstream.JetStream, a schema.Article) {
	t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, js, data)
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && json.Unmarshal(body, v) != nil {
		t.Fatalf("GET %s: %d, not JSON: %.200s", u, resp.StatusCode, body)
	}
	return resp.StatusCode
}

// waitArticles waits until /api/stats reports n articles.
func waitArticles(t *testing.T, base string, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var st struct{ Articles int }
	for time.Now().Before(deadline) {
		getJSON(t, base+"/api/stats", &st)
		if st.Articles >= n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%d articles indexed after %v, want %d", st.Articles, within, n)
}

func TestIndexesArticlesFromJetStream(t *testing.T) {
	srv := bustest.Server(t)
	_, js := bustest.Connect(t, srv)
	base := indexer(t, srv.ClientURL(), filepath.Join(t.TempDir(), "news.db"))

	var arts []schema.Article
	for i := range 30 {
		arts = append(arts, articletest.Article("daily.example", i))
	}
	special := articletest.ArticleWithBody("daily.example", 99, "The lighthouse keeper counted forty seven puffins on the northern cliffs this spring.")
	special.Title = "Puffins return"
	arts = append(arts, special)
	for range 3 { // published three times: one row each
		for _, a := range arts {
			publishArticle(t, js, a)
		}
	}
	publishArticle(t, js, articletest.Page("daily.example", "/", schema.PageHome))
	publish(t, js, []byte("this is not json"))
	publish(t, js, []byte(`{"v":1,"url":"https://x.example/a","canonical_url":"javascript:alert(1)","page_type":"article","content_hash":"x"}`))

	waitArticles(t, base, len(arts), 20*time.Second)

	// Every message is settled: acked or terminated, none pending.
	waitSettled(t, js, 10*time.Second)

	var st struct{ Articles, Pages, Versions int }
	getJSON(t, base+"/api/stats", &st)
	if st.Articles != len(arts) || st.Pages != 1 || st.Versions != len(arts) {
		t.Errorf("stats = %+v, want %d articles (one per URL), 1 page, %d versions", st, len(arts), len(arts))
	}

	var res struct {
		Total   int
		Results []struct{ URL, Title, Snippet string }
	}
	if code := getJSON(t, base+"/api/search?q=puffins", &res); code != 200 || res.Total != 1 || res.Results[0].Title != "Puffins return" {
		t.Fatalf("search puffins = %d %+v", code, res)
	}
	if !strings.Contains(res.Results[0].Snippet, "<mark>puffins</mark>") {
		t.Errorf("snippet = %q", res.Results[0].Snippet)
	}
	var art struct {
		Title, Body string
		StoryID     int64 `json:"story_id"`
	}
	if code := getJSON(t, base+"/api/articles?url="+url.QueryEscape(special.URL), &art); code != 200 || art.Body != special.Body {
		t.Errorf("article = %d %+v", code, art)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		if code := getJSON(t, base+path, nil); code != 200 {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		fmt.Sprintf(`newsflow_indexer_articles_total{result="inserted"} %d`, len(arts)),
		fmt.Sprintf(`newsflow_indexer_articles_total{result="unchanged"} %d`, 2*len(arts)),
		`newsflow_indexer_articles_total{result="page"} 1`,
		"newsflow_indexer_batch_size_count", "newsflow_indexer_batch_seconds_bucket",
		`newsflow_indexer_duplicates_total{kind="exact"} 0`, "newsflow_indexer_story_hits_total 0",
		"newsflow_indexer_store_errors_total 0", "newsflow_indexer_store_up 1",
		`newsflow_rejected_total{reason=`, `newsflow_messages_total{result="terminated",stage="indexer"} 2`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestRunFailsOnBadStore(t *testing.T) {
	srv := bustest.Server(t)
	cfg := Config{
		Common: config.Common{NATS: natsOptions(srv.ClientURL()), Replicas: 1, LogLevel: "info"},
		Store:  filepath.Join(t.TempDir(), "missing-dir", "x.db"), BatchSize: 10, BatchWait: time.Second,
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := Run(ctx, cfg, zap.NewNop()); err == nil {
		t.Error("Run with an unopenable store returned nil")
	}
}

func TestRunFailsOnBusyAddress(t *testing.T) {
	srv := bustest.Server(t)
	base := indexer(t, srv.ClientURL(), filepath.Join(t.TempDir(), "a.db"))
	cfg := Config{
		Common: config.Common{NATS: natsOptions(srv.ClientURL()), Replicas: 1, LogLevel: "info", HTTPAddr: strings.TrimPrefix(base, "http://")},
		Store:  filepath.Join(t.TempDir(), "b.db"), BatchSize: 10, BatchWait: time.Second,
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := Run(ctx, cfg, zap.NewNop()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Run on a busy address = %v, want a listen error", err)
	}
}

// waitSettled waits until the indexer's consumer has no message pending or
// unacked.
func waitSettled(t *testing.T, js jetstream.JetStream, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := js.Consumer(t.Context(), schema.StreamArticles, schema.ConsumerIndexer)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending == 0 && info.NumPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer still has %d unacked, %d pending", info.NumAckPending, info.NumPending)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
