package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/api"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// openStore opens a SQLite store of the test's own holding arts.
func openStore(t *testing.T, arts ...schema.Article) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if len(arts) > 0 {
		if _, err := st.Ingest(t.Context(), arts); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// server serves the API over a SQLite store holding arts.
func server(t *testing.T, arts ...schema.Article) (*httptest.Server, *store.SQLite) {
	t.Helper()
	st := openStore(t, arts...)
	mux := http.NewServeMux()
	api.New(st, zap.NewNop()).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, st
}

func get(t *testing.T, u string) (int, map[string]any, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET %s: bad JSON %q", u, body)
		}
	}
	return resp.StatusCode, m, string(body)
}

func fixtures() []schema.Article {
	a := articletest.ArticleWithBody("daily.example", 1, "The harbour bridge will close for repairs in March, engineers said on Tuesday.")
	a.Title = "Harbour bridge to close"
	b := articletest.ArticleWithBody("wire.example", 2, "The harbour bridge will close for repairs in March, engineers said on Tuesday.")
	return []schema.Article{a, b, articletest.Article("daily.example", 3)}
}

func TestSearchEndpoint(t *testing.T) {
	srv, _ := server(t, fixtures()...)
	code, m, body := get(t, srv.URL+"/api/search?q=harbour+bridge&limit=1")
	if code != 200 {
		t.Fatalf("search = %d %s", code, body)
	}
	if m["total"] != 2.0 {
		t.Errorf("total = %v, want 2", m["total"])
	}
	res := m["results"].([]any)
	if len(res) != 1 {
		t.Fatalf("results = %v, want 1 (limit)", res)
	}
	hit := res[0].(map[string]any)
	for _, k := range []string{"url", "title", "published", "site_name", "snippet"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("hit lacks %q: %v", k, hit)
		}
	}
	if !strings.Contains(hit["snippet"].(string), "<mark>") {
		t.Errorf("snippet %q has no highlight", hit["snippet"])
	}
	code, m, _ = get(t, srv.URL+"/api/search?q=zeppelin")
	if code != 200 || m["total"] != 0.0 || len(m["results"].([]any)) != 0 {
		t.Errorf("no match = %d %v, want 200, total 0, results []", code, m)
	}
	code, m, _ = get(t, srv.URL+"/api/search?q=bridge&site=wire.example&lang=en&from=2026-01-01&to=2026-12-31")
	if code != 200 || m["total"] != 1.0 {
		t.Errorf("filtered = %d %v, want 1 result", code, m)
	}
}

func TestBadRequestsGetJSON4xx(t *testing.T) {
	srv, _ := server(t, fixtures()...)
	tests := []struct {
		give     string
		wantCode int
		wantMsg  string
	}{
		{give: "/api/search", wantCode: 400, wantMsg: "empty query"},
		{give: "/api/search?q=%22unterminated", wantCode: 400, wantMsg: "unterminated quote"},
		{give: "/api/search?q=NEAR(a+b)+OR", wantCode: 400, wantMsg: "OR needs"},
		{give: "/api/search?q=***", wantCode: 400, wantMsg: "no letters"},
		{give: "/api/search?q=-ferry", wantCode: 400, wantMsg: "nothing to search"},
		{give: "/api/search?q=" + strings.Repeat("x", 600), wantCode: 400, wantMsg: "longer than"},
		{give: "/api/search?q=a&limit=1000000", wantCode: 400, wantMsg: "limit"},
		{give: "/api/search?q=a&limit=0", wantCode: 400, wantMsg: "limit"},
		{give: "/api/search?q=a&limit=ten", wantCode: 400, wantMsg: "limit"},
		{give: "/api/search?q=a&offset=-1", wantCode: 400, wantMsg: "offset"},
		{give: "/api/search?q=a&offset=99999999999999999999", wantCode: 400, wantMsg: "offset"},
		{give: "/api/search?q=a&from=yesterday", wantCode: 400, wantMsg: "from"},
		{give: "/api/search?q=a&to=2026-13-45", wantCode: 400, wantMsg: "to"},
		{give: "/api/search?q=a&from=2026-03-02&to=2026-03-01", wantCode: 400, wantMsg: "before"},
		{give: "/api/search?q=a&lang=english!", wantCode: 400, wantMsg: "lang"},
		{give: "/api/search?q=a&site=" + strings.Repeat("s", 300), wantCode: 400, wantMsg: "site"},
		{give: "/api/articles", wantCode: 400, wantMsg: "url"},
		{give: "/api/articles?url=https://nowhere.example/x", wantCode: 404, wantMsg: "not found"},
		{give: "/api/stories/abc", wantCode: 400, wantMsg: "story id"},
		{give: "/api/stories/-3", wantCode: 400, wantMsg: "story id"},
		{give: "/api/stories/99999", wantCode: 404, wantMsg: "not found"},
		{give: "/api/nope", wantCode: 404, wantMsg: "no such endpoint"},
	}
	for _, tt := range tests {
		code, m, body := get(t, srv.URL+tt.give)
		if code != tt.wantCode {
			t.Errorf("GET %.80s = %d, want %d (%s)", tt.give, code, tt.wantCode, body)
			continue
		}
		msg, _ := m["error"].(string)
		if !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("GET %.80s error = %q, want it to mention %q", tt.give, msg, tt.wantMsg)
		}
	}
}

func TestArticleAndStoryEndpoints(t *testing.T) {
	fx := fixtures()
	srv, _ := server(t, fx...)
	code, m, body := get(t, srv.URL+"/api/articles?url="+url.QueryEscape(fx[1].URL))
	if code != 200 {
		t.Fatalf("article = %d %s", code, body)
	}
	for _, k := range []string{"title", "authors", "published", "modified", "body", "provenance", "versions", "copies", "story_id", "content_hash", "fetched_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("article lacks %q", k)
		}
	}
	if m["duplicate"] != "exact" || len(m["copies"].([]any)) != 1 {
		t.Errorf("article duplicate = %v, copies = %v, want exact with one other copy", m["duplicate"], m["copies"])
	}
	story := m["story_id"].(float64)
	code, m, body = get(t, srv.URL+"/api/stories/"+jsonNum(story))
	if code != 200 || len(m["articles"].([]any)) != 2 {
		t.Errorf("story = %d %s, want 2 articles", code, body)
	}
	code, m, body = get(t, srv.URL+"/api/stats")
	if code != 200 || m["articles"] != 3.0 || m["stories"] != 2.0 || m["exact_duplicates"] != 1.0 {
		t.Errorf("stats = %d %s", code, body)
	}
	for _, k := range []string{"by_site", "by_language", "by_day", "urls", "pages"} {
		if _, ok := m[k]; !ok {
			t.Errorf("stats lacks %q", k)
		}
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(int64(f)); return string(b) }

func TestStoreFailureIs503(t *testing.T) {
	srv, st := server(t, fixtures()...)
	st.Close()
	for _, p := range []string{"/api/search?q=bridge", "/api/stats", "/api/articles?url=https://x.example/", "/api/stories/1"} {
		code, m, body := get(t, srv.URL+p)
		if code != http.StatusServiceUnavailable || m["error"] == nil {
			t.Errorf("GET %s with the store down = %d %s, want 503 with a JSON error", p, code, body)
		}
	}
}

func TestOperatorPageIsServed(t *testing.T) {
	srv, _ := server(t)
	for _, p := range []string{"/", "/ui/app.js", "/ui/style.css"} {
		code, _, body := get(t, srv.URL+p)
		if code != 200 || len(body) < 100 {
			t.Errorf("GET %s = %d (%d bytes)", p, code, len(body))
		}
	}
}

func FuzzParseSearch(f *testing.F) {
	f.Add("harbour", "10", "0", "2026-01-01", "2026-02-01", "en")
	f.Add(`"x`, "-1", "x", "bad", "", "english!")
	f.Fuzz(func(t *testing.T, q, limit, offset, from, to, lang string) {
		s, err := api.ParseSearch(url.Values{"q": {q}, "limit": {limit}, "offset": {offset}, "from": {from}, "to": {to}, "lang": {lang}})
		if err != nil {
			return
		}
		if s.Limit < 1 || s.Limit > api.MaxLimit || s.Offset < 0 || s.Offset > api.MaxOffset {
			t.Fatalf("accepted limit %d offset %d", s.Limit, s.Offset)
		}
		if !s.From.IsZero() && !s.To.IsZero() && !s.From.Before(s.To) {
			t.Fatalf("accepted from %v >= to %v", s.From, s.To)
		}
	})
}
