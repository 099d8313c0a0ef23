// Package api serves the indexer's HTTP search API and its operator page:
// GET /api/search, /api/articles, /api/stories/{id}, /api/stats,
// /api/pages, the crawl view's endpoints (crawl.go: lag, outcomes,
// failing hosts, dead letters and their retry, sources, submit, trace) and
// the static page at /. Every error is a JSON object {"error": "..."}: a
// bad request gets a 4xx status, a store or NATS failure 503, never a bare
// 500.
//
// It reads the store's read side, and the bus through pkg/crawlview.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/services/indexer/internal/query"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// Reader is the part of the store the API reads.
type Reader interface {
	Search(ctx context.Context, s store.Search) (store.SearchResult, error)
	Article(ctx context.Context, url string) (store.Stored, error)
	Story(ctx context.Context, id int64) (store.Story, error)
	Stats(ctx context.Context) (store.Stats, error)
	Pages(ctx context.Context, q store.PageQuery) (store.PageList, error)
}

// Limits of the search API.
const (
	DefaultLimit = 10
	MaxLimit     = 100
	MaxOffset    = 10_000
	maxURL       = 4096
)

// API serves the search API over a store.
type API struct {
	store Reader
	log   *zap.Logger
	// js reads the crawl's state (crawl.go); nil without WithBus.
	js         jetstream.JetStream
	busTimeout time.Duration
}

// New returns an API reading from r, logging store failures on log.
func New(r Reader, log *zap.Logger) *API { return &API{store: r, log: log} }

// Register adds the API routes and the operator page to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/search", a.search)
	mux.HandleFunc("GET /api/articles", a.article)
	mux.HandleFunc("GET /api/stories/{id}", a.story)
	mux.HandleFunc("GET /api/stats", a.stats)
	a.registerCrawl(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	registerUI(mux)
}

// requestError is a problem with the request, reported with status 400.
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{fmt.Sprintf(format, args...)}
}

var langRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// ParseSearch reads a search request from URL parameters. Errors are the
// caller's fault (a 400).
func ParseSearch(v map[string][]string) (store.Search, error) {
	get := func(k string) string {
		if vs := v[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	s := store.Search{Limit: DefaultLimit}
	q, err := query.Parse(get("q"))
	if err != nil {
		return s, badRequest("q: %v", err)
	}
	s.Query = q
	if s.Limit, err = intParam(get("limit"), DefaultLimit, 1, MaxLimit, "limit"); err != nil {
		return s, err
	}
	if s.Offset, err = intParam(get("offset"), 0, 0, MaxOffset, "offset"); err != nil {
		return s, err
	}
	if s.Site = get("site"); len(s.Site) > 253 {
		return s, badRequest("site: longer than 253 bytes")
	}
	if s.Lang = get("lang"); s.Lang != "" && !langRE.MatchString(s.Lang) {
		return s, badRequest("lang: %q is not a language code such as en or pt-BR", s.Lang)
	}
	if s.From, err = timeParam(get("from"), "from", false); err != nil {
		return s, err
	}
	if s.To, err = timeParam(get("to"), "to", true); err != nil {
		return s, err
	}
	if !s.From.IsZero() && !s.To.IsZero() && !s.From.Before(s.To) {
		return s, badRequest("from must be before to")
	}
	return s, nil
}

func intParam(raw string, def, lo, hi int, name string) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s: %q is not a whole number from %d to %d", name, truncate(raw), lo, hi)
	}
	return n, nil
}

// timeParam parses a date (2006-01-02, UTC) or an RFC 3339 time. A date
// given as "to" includes its whole day.
func timeParam(raw, name string, end bool) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, badRequest("%s: %q is not a date (2006-01-02) or an RFC 3339 time", name, truncate(raw))
	}
	return t, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	s, err := ParseSearch(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := a.store.Search(r.Context(), s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *API) article(w http.ResponseWriter, r *http.Request) {
	u := strings.TrimSpace(r.URL.Query().Get("url"))
	if u == "" || len(u) > maxURL {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("url: give the article's URL or canonical URL (at most %d bytes)", maxURL))
		return
	}
	art, err := a.store.Article(r.Context(), u)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, art)
}

func (a *API) story(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "story id: not a positive number")
		return
	}
	st, err := a.store.Story(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) {
	st, err := a.store.Stats(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// fail answers a store error: not found 404, a query the store rejects
// 400, anything else 503 (the store is failing, the request may succeed
// later), logged once here.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrQuery):
		writeError(w, http.StatusBadRequest, err.Error())
	case r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		writeError(w, http.StatusServiceUnavailable, "request cancelled")
	default:
		a.log.Warn("store failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "store unavailable")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
