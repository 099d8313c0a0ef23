package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
	"github.com/newsflow/newsflow/services/indexer/internal/store"
)

// The crawl view's endpoints read the bus through pkg/crawlview. Each
// request is bounded: every NATS request by the bus timeout, the whole
// handler by a few of them, the reads by a time window and a cap on the
// messages read. NATS down or slow is a 503 with a JSON error.

// Bounds of the crawl view's endpoints.
const (
	DefaultBusTimeout = 3 * time.Second
	MaxWindow         = 6 * time.Hour
	DefaultDeadLimit  = 100
	MaxDeadLimit      = 1000
	DefaultPageLimit  = 20
	maxSubmitBody     = 16 << 10
)

// WithBus lets the API serve the crawl view from js, each NATS request
// bounded by timeout (DefaultBusTimeout when zero). Without it the crawl
// endpoints answer 503.
func (a *API) WithBus(js jetstream.JetStream, timeout time.Duration) *API {
	if timeout <= 0 {
		timeout = DefaultBusTimeout
	}
	a.js, a.busTimeout = js, timeout
	return a
}

func (a *API) registerCrawl(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/crawl/lag", a.lag)
	mux.HandleFunc("GET /api/crawl/outcomes", a.outcomes)
	mux.HandleFunc("GET /api/crawl/hosts", a.hosts)
	mux.HandleFunc("GET /api/deadletters", a.deadLetters)
	mux.HandleFunc("POST /api/deadletters/{id}/retry", a.retry)
	mux.HandleFunc("GET /api/sources", a.sources)
	mux.HandleFunc("POST /api/submit", a.submit)
	mux.HandleFunc("GET /api/trace", a.trace)
	mux.HandleFunc("GET /api/pages", a.pages)
}

// busUnavailable is a failure to reach NATS, answered with 503.
type busUnavailable struct{ err error }

func (e *busUnavailable) Error() string { return e.err.Error() }
func (e *busUnavailable) Unwrap() error { return e.err }

// bus returns the JetStream context and a context bounded by n bus
// timeouts, or an error when NATS is not connected (answered at once
// rather than after a timeout).
func (a *API) bus(r *http.Request, n int) (jetstream.JetStream, context.Context, context.CancelFunc, error) {
	if a.js == nil {
		return nil, nil, nil, &busUnavailable{errors.New("the crawl view is not connected to NATS")}
	}
	if st := a.js.Conn().Status(); st != nats.CONNECTED {
		return nil, nil, nil, &busUnavailable{fmt.Errorf("NATS unreachable (connection %s)", strings.ToLower(st.String()))}
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(n)*a.busTimeout)
	return a.js, ctx, cancel, nil
}

// busFail answers a failed read or write of the bus: 503 with the cause.
func (a *API) busFail(w http.ResponseWriter, r *http.Request, err error) {
	var bu *busUnavailable
	switch {
	case errors.As(err, &bu):
		writeError(w, http.StatusServiceUnavailable, bu.Error())
	case r.Context().Err() != nil:
		writeError(w, http.StatusServiceUnavailable, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("NATS did not answer in time (%v per request): %v", a.busTimeout, err))
	default:
		a.log.Warn("crawl view failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "NATS: "+err.Error())
	}
}

func (a *API) lag(w http.ResponseWriter, r *http.Request) {
	js, ctx, cancel, err := a.bus(r, 2)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	stages, err := crawlview.Lag(ctx, js, a.busTimeout)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"stages": stages})
}

// recent reads the outcomes of ?window= (default an hour, at most
// MaxWindow).
func (a *API) recent(w http.ResponseWriter, r *http.Request) (crawlview.Recent, bool) {
	opts := crawlview.RecentOptions{Timeout: a.busTimeout}
	if raw := r.URL.Query().Get("window"); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Minute || d > MaxWindow {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("window: %q is not a duration from 1m to %v (e.g. 1h, 30m)", truncate(raw), MaxWindow))
			return crawlview.Recent{}, false
		}
		opts.Window = d
		opts.Bucket = max(time.Minute, d/12)
	}
	if raw := r.URL.Query().Get("limit"); raw != "" {
		n, err := intParam(raw, crawlview.DefaultTopHosts, 1, MaxLimit, "limit")
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return crawlview.Recent{}, false
		}
		opts.TopHosts = n
	}
	js, ctx, cancel, err := a.bus(r, 4)
	if err != nil {
		a.busFail(w, r, err)
		return crawlview.Recent{}, false
	}
	defer cancel()
	rec, err := crawlview.RecentOutcomes(ctx, js, opts)
	if err != nil {
		a.busFail(w, r, err)
		return rec, false
	}
	return rec, true
}

func (a *API) outcomes(w http.ResponseWriter, r *http.Request) {
	if rec, ok := a.recent(w, r); ok {
		writeJSON(w, http.StatusOK, rec)
	}
}

func (a *API) hosts(w http.ResponseWriter, r *http.Request) {
	if rec, ok := a.recent(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"since": rec.Since, "until": rec.Until, "read": rec.Read,
			"truncated": rec.Truncated, "failing_hosts": rec.Hosts})
	}
}

func (a *API) deadLetters(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r.URL.Query().Get("limit"), DefaultDeadLimit, 1, MaxDeadLimit, "limit")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	js, ctx, cancel, err := a.bus(r, 4)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	// One more than asked says whether there are more.
	entries, err := crawlview.DeadLetters(ctx, js, a.busTimeout, limit+1)
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		a.busFail(w, r, err)
		return
	}
	out := make([]crawlview.Dead, 0, len(entries))
	for i, e := range entries {
		if i < limit {
			out = append(out, e.View())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dead_letters": out, "more": len(entries) > limit})
}

// postOK refuses a POST a page of another site could make: it must be
// JSON (a cross-site form cannot send that without a preflight) and not
// marked cross-site by the browser.
func postOK(w http.ResponseWriter, r *http.Request) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send a JSON body (Content-Type: application/json)")
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		writeError(w, http.StatusForbidden, "cross-site request refused")
		return false
	}
	return true
}

func (a *API) retry(w http.ResponseWriter, r *http.Request) {
	if !postOK(w, r) {
		return
	}
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest, "dead-letter id: not a positive number")
		return
	}
	js, ctx, cancel, err := a.bus(r, 4)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	e, err := crawlview.DeadLetter(ctx, js, a.busTimeout, id)
	if errors.Is(err, crawlview.ErrNoDeadLetter) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no dead letter %d (retried already, or never)", id))
		return
	}
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	if err := crawlview.Retry(ctx, js, e); err != nil {
		if errors.Is(err, crawlview.ErrNotRetryable) {
			writeError(w, http.StatusConflict, fmt.Sprintf("dead letter %d: %v", id, err))
			return
		}
		a.busFail(w, r, err)
		return
	}
	a.log.Info("dead letter retried", zap.Uint64("dead_letter", id), zap.String("subject", e.Record.Subject),
		zap.String("url", e.Record.URL), zap.String("trace_id", e.Record.TraceID))
	writeJSON(w, http.StatusOK, map[string]any{"retried": id, "subject": e.Record.Subject, "trace_id": e.Record.TraceID})
}

func (a *API) sources(w http.ResponseWriter, r *http.Request) {
	js, ctx, cancel, err := a.bus(r, 3)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	list, err := crawlview.Sources(ctx, js, 2*a.busTimeout, time.Now())
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": list})
}

// submitRequest is the body of POST /api/submit.
type submitRequest struct {
	URL string `json:"url"`
}

func (a *API) submit(w http.ResponseWriter, r *http.Request) {
	if !postOK(w, r) {
		return
	}
	var req submitRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSubmitBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`body: want {"url": "https://..."}: %v`, err))
		return
	}
	u := strings.TrimSpace(req.URL)
	if u == "" {
		writeError(w, http.StatusBadRequest, "url: missing")
		return
	}
	if _, err := urlnorm.Normalize(u); err != nil {
		writeError(w, http.StatusBadRequest, "url: "+err.Error())
		return
	}
	reqs, err := crawlview.CrawlRequests([]string{u}, time.Now().UTC())
	if err != nil {
		writeError(w, http.StatusBadRequest, "url: "+err.Error())
		return
	}
	js, ctx, cancel, err := a.bus(r, 1)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	if err := crawlview.Submit(ctx, bus.NewPublisher(js), reqs, func(schema.CrawlRequest) error { return nil }); err != nil {
		a.busFail(w, r, err)
		return
	}
	a.log.Info("submitted", zap.String("url", reqs[0].URL), zap.String("trace_id", reqs[0].TraceID))
	writeJSON(w, http.StatusAccepted, map[string]string{"url": reqs[0].URL, "trace_id": reqs[0].TraceID, "subject": schema.SubjectCrawlURLs})
}

// traceAnswer is a URL's journey: the bus's records and the store's row.
type traceAnswer struct {
	crawlview.Journey
	// Indexed is the article row the URL ended in, if any.
	Indexed *indexedRow `json:"indexed"`
	// Page is the non-article page row, if any.
	Page *store.PageRow `json:"page"`
}

type indexedRow struct {
	ID           int64     `json:"id"`
	StoryID      int64     `json:"story_id"`
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
	Title        string    `json:"title"`
	TraceID      string    `json:"trace_id,omitempty"`
	Duplicate    string    `json:"duplicate,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func (a *API) trace(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	u, id := strings.TrimSpace(q.Get("url")), strings.TrimSpace(q.Get("trace_id"))
	if (u == "") == (id == "") {
		writeError(w, http.StatusBadRequest, "give url or trace_id (one of them)")
		return
	}
	if u != "" {
		if len(u) > maxURL {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("url: longer than %d bytes", maxURL))
			return
		}
		if _, err := urlnorm.Normalize(u); err != nil {
			writeError(w, http.StatusBadRequest, "url: "+err.Error())
			return
		}
	}
	if len(id) > 64 {
		writeError(w, http.StatusBadRequest, "trace_id: longer than 64 bytes")
		return
	}
	js, ctx, cancel, err := a.bus(r, 8)
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	defer cancel()
	j, err := crawlview.Trace(ctx, js, u, id, crawlview.TraceOptions{Timeout: a.busTimeout})
	if err != nil {
		a.busFail(w, r, err)
		return
	}
	ans := traceAnswer{Journey: j}
	if j.URL != "" {
		art, err := a.store.Article(r.Context(), j.URL)
		switch {
		case err == nil:
			ans.Indexed = &indexedRow{ID: art.ID, StoryID: art.StoryID, URL: art.URL, CanonicalURL: art.CanonicalURL, Title: art.Title,
				TraceID: art.TraceID, Duplicate: art.Duplicate, FetchedAt: art.FetchedAt.UTC(), UpdatedAt: art.UpdatedAt}
		case !errors.Is(err, store.ErrNotFound):
			a.fail(w, r, err)
			return
		}
		pages, err := a.store.Pages(r.Context(), store.PageQuery{URL: j.URL, Limit: 1})
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if len(pages.Pages) > 0 {
			ans.Page = &pages.Pages[0]
		}
	}
	writeJSON(w, http.StatusOK, ans)
}

func (a *API) pages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pq := store.PageQuery{Type: strings.TrimSpace(q.Get("type")), Site: strings.TrimSpace(q.Get("site")), URL: strings.TrimSpace(q.Get("url"))}
	var err error
	if pq.Limit, err = intParam(q.Get("limit"), DefaultPageLimit, 1, MaxLimit, "limit"); err == nil {
		pq.Offset, err = intParam(q.Get("offset"), 0, 0, MaxOffset, "offset")
	}
	switch {
	case err != nil:
	case pq.Type == schema.PageArticle:
		err = badRequest("type: articles are searched with /api/search; give another page type (home, section, listing...)")
	case len(pq.Type) > 40:
		err = badRequest("type: longer than 40 bytes")
	case len(pq.Site) > 253:
		err = badRequest("site: longer than 253 bytes")
	case len(pq.URL) > maxURL:
		err = badRequest("url: longer than %d bytes", maxURL)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, err := a.store.Pages(r.Context(), pq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}
