// Package stage is the fetcher's pipeline stage: one CrawlRequest in,
// at most one FetchedPage and exactly one Outcome out (plus, the first
// time a host's robots.txt is read, a page holding its Sitemap lines).
// The fetcher only fetches: feeds, sitemaps and links are expanded into
// crawl requests by the parser. In order the stage normalises the URL,
// claims it in the cluster-wide seen-set, checks robots.txt, waits for the
// host's politeness slot, fetches with colly, and encodes the body (zstd,
// through the object store when too large for one message).
//
// The stage neither acks, publishes nor logs: the bus runner does.
// Transient failures are returned as errors (the runner redelivers with
// backoff, or after a Retry-After) until the last attempt, which records
// a terminal outcome instead, so every URL ends with one outcome.
package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/pkg/urlnorm"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
	"github.com/newsflow/newsflow/services/fetcher/internal/politeness"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
	"github.com/newsflow/newsflow/services/fetcher/internal/seen"
)

// Name is the stage name in logs, metrics and outcomes.
const Name = "fetcher"

// BodyStore keeps bodies too large for one message (a JetStream object
// store).
type BodyStore interface {
	PutBytes(ctx context.Context, name string, data []byte) error
}

// Sources gives the validators of registered feeds and sitemaps.
type Sources interface {
	Get(ctx context.Context, norm string) (sources.Source, uint64, error)
	SetValidators(ctx context.Context, norm, etag, lastModified string) error
}

// Config tunes the stage.
type Config struct {
	// HostInterval is the minimum time between two requests to one host
	// (1 / FETCHER_HOST_RATE).
	HostInterval time.Duration
	// MaxCrawlDelay caps a robots.txt Crawl-delay.
	MaxCrawlDelay time.Duration
	// InlineLimit is the largest compressed body sent inside the message;
	// larger ones go to the object store.
	InlineLimit int
	// MaxAttempts is the consumer's MaxDeliver: the attempt that records
	// a terminal outcome instead of asking for a retry.
	MaxAttempts int
	// RecrawlFeeds and RecrawlSeeds: how soon a feed, sitemap or
	// registered page, and a seed (depth 0), may be fetched again. Other
	// pages are fetched once per seen-set TTL.
	RecrawlFeeds, RecrawlSeeds time.Duration
	// MaxRetryAfter caps a server's Retry-After.
	MaxRetryAfter time.Duration
}

// Stage is the fetcher stage. All fields are required except Sources and
// Metrics.
type Stage struct {
	Config  Config
	Fetcher fetch.Fetcher
	Seen    *seen.Set
	Robots  *robots.Cache
	Limiter *politeness.Limiter
	Bodies  BodyStore
	Sources Sources
	Metrics *metrics.Metrics

	encOnce sync.Once
	enc     *zstd.Encoder

	heldMu sync.Mutex
	held   []bus.Out // robots pages of jobs that then failed transiently
}

// maxHeld bounds the robots pages held for a later job to publish.
const maxHeld = 1000

// Handle fetches one URL. See the package doc.
func (s *Stage) Handle(ctx context.Context, in schema.CrawlRequest) ([]bus.Out, error) {
	traceID := bus.TraceID(ctx)
	attempt := max(bus.Attempt(ctx), 1)
	norm, err := urlnorm.Normalize(in.URL)
	if err != nil {
		return s.outcome(in, traceID, schema.OutcomeInvalid, err.Error(), 0), nil
	}
	u, err := url.Parse(norm)
	if err != nil {
		return s.outcome(in, traceID, schema.OutcomeInvalid, err.Error(), 0), nil
	}
	kind := ""
	if in.Hints != nil {
		kind = in.Hints.Kind
	}
	owner := traceID + "|" + in.URL
	claim, rec, err := s.Seen.Claim(ctx, norm, owner, s.recrawl(in, kind))
	if err != nil {
		return nil, err
	}
	if claim == nil {
		reason := "already " + rec.Outcome
		if rec.State == seen.StatePending {
			reason = "being fetched elsewhere"
		}
		return s.outcome(in, traceID, schema.OutcomeDuplicate, reason, 0), nil
	}
	j := &job{s: s, in: in, norm: norm, u: u, kind: kind, traceID: traceID, owner: owner, attempt: attempt, claim: claim}
	outs, err := j.run(ctx)
	if err != nil {
		// Transient: hand the URL back for the redelivery. A robots.txt
		// read on the way is cached now and will not be read again, so its
		// page goes out with the next job that succeeds.
		_ = claim.Release(context.WithoutCancel(ctx))
		s.hold(j.extra)
		return nil, err
	}
	outs = append(s.takeHeld(), outs...)
	if len(outs) > 0 {
		if oc, ok := outs[len(outs)-1].Body.(schema.Outcome); ok {
			_ = claim.Done(context.WithoutCancel(ctx), oc.Outcome)
		}
	}
	return outs, nil
}

func (s *Stage) hold(outs []bus.Out) {
	if len(outs) == 0 {
		return
	}
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	s.held = append(s.held, outs[:min(len(outs), maxHeld-len(s.held))]...)
}

func (s *Stage) takeHeld() []bus.Out {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	held := s.held
	s.held = nil
	return held
}

func (s *Stage) recrawl(in schema.CrawlRequest, kind string) time.Duration {
	switch {
	case kind == schema.KindFeed || kind == schema.KindSitemap || kind == schema.KindPolledPage:
		return s.Config.RecrawlFeeds
	case in.Depth == 0:
		return s.Config.RecrawlSeeds
	}
	return 0
}

// job is one URL being fetched.
type job struct {
	s       *Stage
	in      schema.CrawlRequest
	norm    string
	u       *url.URL
	kind    string
	traceID string
	owner   string
	attempt int
	claim   *seen.Claim
	rules   *robots.Rules // of j.u's origin
	extra   []bus.Out     // pages published before the outcome (robots.txt sitemaps)
}

func (j *job) last() bool { return j.s.Config.MaxAttempts > 0 && j.attempt >= j.s.Config.MaxAttempts }

// run returns the outputs ending with one Outcome, or a transient error.
func (j *job) run(ctx context.Context) ([]bus.Out, error) {
	s := j.s
	rules, err := j.robots(ctx, j.u)
	if err != nil {
		if isBlocked(err) {
			return j.finish(schema.OutcomeBlockedAddress, err.Error(), 0), nil
		}
		return nil, j.hostBusy(err)
	}
	if rules.Unreachable {
		reason := fmt.Sprintf("%v: %s", robots.ErrUnreachable, rules.Reason)
		if j.last() {
			return j.finish(schema.OutcomeRobotsDenied, reason, 0), nil
		}
		return nil, bus.RetryAfter(errors.New(reason), time.Until(rules.Expires)+jitter(time.Second))
	}
	if !rules.Allowed(j.u) {
		return j.finish(schema.OutcomeRobotsDenied, "disallowed by robots.txt", 0), nil
	}
	j.rules = rules

	interval := s.Config.HostInterval
	if cd := min(rules.CrawlDelay(), s.Config.MaxCrawlDelay); cd > interval {
		interval = cd
	}
	s.Metrics.AddBacklog(j.u.Host, 1)
	release, err := s.Limiter.Acquire(ctx, j.u.Host, interval)
	s.Metrics.AddBacklog(j.u.Host, -1)
	if err != nil {
		return nil, j.hostBusy(err)
	}
	req := fetch.Request{URL: j.norm, Kind: j.kind, Header: http.Header{}, CheckRedirect: j.checkRedirect}
	if j.kind != "" && s.Sources != nil {
		if src, _, err := s.Sources.Get(ctx, j.norm); err == nil {
			if src.ETag != "" {
				req.Header.Set("If-None-Match", src.ETag)
			}
			if src.LastModified != "" {
				req.Header.Set("If-Modified-Since", src.LastModified)
			}
		}
	}
	res, err := s.Fetcher.Fetch(ctx, req)
	release()
	if err != nil {
		return j.failed(err)
	}
	s.Metrics.Latency.Observe(res.Took.Seconds())
	s.Metrics.Bytes.Add(float64(len(res.Body)))
	return j.response(ctx, res)
}

// hostBusy turns a politeness refusal into a redelivery at the return
// time the host's virtual queue handed out. Other errors pass through.
func (j *job) hostBusy(err error) error {
	var far *politeness.TooFarError
	if !errors.As(err, &far) {
		return err
	}
	return bus.RetryAfter(err, far.Wait+jitter(j.s.Config.HostInterval/2))
}

var errRobotsRedirect = errors.New("redirect target disallowed by robots.txt")

// checkRedirect applies robots.txt to every redirect target.
func (j *job) checkRedirect(ctx context.Context, target *url.URL) error {
	rules := j.rules
	if robots.Origin(target) != robots.Origin(j.u) || rules == nil {
		// Another origin: its own robots.txt (which may take that host's
		// politeness slot; this host's is held by the fetch).
		var err error
		if rules, err = j.robots(ctx, target); err != nil {
			return err
		}
	}
	if !rules.Allowed(target) {
		return fmt.Errorf("%w: %s", errRobotsRedirect, target)
	}
	return nil
}

// robots returns the rules for u. A freshly fetched robots.txt that names
// sitemaps is passed on as a page of kind robots holding its Sitemap
// lines, which the parser turns into sitemap requests.
func (j *job) robots(ctx context.Context, u *url.URL) (*robots.Rules, error) {
	rules, src, err := j.s.Robots.Get(ctx, u)
	if err != nil {
		return nil, err
	}
	j.s.Metrics.Robots.WithLabelValues(string(src)).Inc()
	if src == "fetched" && len(rules.Sitemaps) > 0 {
		page := j.robotsPage(u, rules.Sitemaps)
		// Its own id: whichever job publishes it, it is published once.
		id := "robots:" + kv.Key(page.URL+"|"+page.FetchedAt.Format(time.RFC3339Nano))
		j.extra = append(j.extra, bus.Out{Subject: schema.SubjectPagesFetched, ID: id, Body: page})
	}
	return rules, nil
}

// robotsPage is the FetchedPage of kind robots for the Sitemap lines of
// u's robots.txt. It travels uncompressed: a few lines of text.
func (j *job) robotsPage(u *url.URL, sitemaps []string) schema.FetchedPage {
	var b strings.Builder
	for _, sm := range sitemaps {
		b.WriteString("Sitemap: " + sm + "\n")
	}
	origin := j.in.Origin
	if origin == "" {
		origin = j.in.URL
	}
	robotsURL := robots.Origin(u) + "/robots.txt"
	return schema.FetchedPage{
		V: schema.Version, URL: robotsURL, FinalURL: robotsURL, Status: http.StatusOK,
		ContentType: "text/plain; charset=utf-8", FetchedAt: time.Now().UTC(), Depth: j.in.Depth, Origin: origin,
		TraceID: j.traceID, Hints: &schema.Hints{Kind: schema.KindRobots, Source: j.in.URL},
		BodyEncoding: schema.EncodingIdentity, Body: []byte(b.String()), BodySize: b.Len(),
	}
}

func (j *job) failed(err error) ([]bus.Out, error) {
	if errors.Is(err, errRobotsRedirect) {
		return j.finish(schema.OutcomeRobotsDenied, err.Error(), 0), nil
	}
	class := fetch.Classify(err)
	if class.Transient && !j.last() {
		return nil, err
	}
	return j.finish(class.Outcome, err.Error(), 0), nil
}

func (j *job) response(ctx context.Context, res *fetch.Result) ([]bus.Out, error) {
	s := j.s
	switch {
	case res.Status == http.StatusNotModified:
		return j.finish(schema.OutcomeNotModified, "", res.Status), nil
	case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable:
		wait := retryAfter(res.Header.Get("Retry-After"), time.Now())
		if wait <= 0 {
			wait = 30 * time.Second
		}
		wait = min(wait, s.Config.MaxRetryAfter)
		_ = s.Limiter.Penalize(ctx, j.u.Host, wait)
		if j.last() {
			return j.finish(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
		}
		return nil, bus.RetryAfter(fmt.Errorf("status %d", res.Status), wait+jitter(wait/4))
	case res.Status >= 500 || res.Status == http.StatusRequestTimeout:
		if j.last() {
			return j.finish(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
		}
		return nil, fmt.Errorf("status %d", res.Status)
	case res.Status < 200 || res.Status > 299:
		return j.finish(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
	}

	page, err := j.page(ctx, res)
	if err != nil {
		return nil, err
	}
	if j.kind != "" && s.Sources != nil {
		// A feed or sitemap: if it is a registered source, its next poll
		// is a conditional request (ErrNotFound otherwise, ignored).
		_ = s.Sources.SetValidators(ctx, j.norm, res.Header.Get("ETag"), res.Header.Get("Last-Modified"))
	}
	j.extra = append([]bus.Out{{Subject: schema.SubjectPagesFetched, Body: page}}, j.extra...)
	return j.finish(schema.OutcomeFetched, "", res.Status), nil
}

// page builds the FetchedPage, storing a large body in the object store.
func (j *job) page(ctx context.Context, res *fetch.Result) (schema.FetchedPage, error) {
	s := j.s
	s.encOnce.Do(func() {
		s.enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	})
	body := s.enc.EncodeAll(res.Body, make([]byte, 0, len(res.Body)/3+64))
	p := schema.FetchedPage{
		V:            schema.Version,
		URL:          j.in.URL,
		FinalURL:     res.FinalURL,
		Status:       res.Status,
		Headers:      selectHeaders(res.Header),
		ContentType:  res.ContentType,
		Charset:      res.Charset,
		FetchedAt:    time.Now().UTC(),
		Depth:        j.in.Depth,
		Origin:       j.in.Origin,
		TraceID:      j.traceID,
		Hints:        j.in.Hints,
		BodyEncoding: schema.EncodingZstd,
		BodySize:     len(res.Body),
	}
	if len(body) <= s.Config.InlineLimit {
		p.Body = body
		return p, nil
	}
	name := "page-" + kv.Key(j.owner)
	if err := s.Bodies.PutBytes(ctx, name, body); err != nil {
		return p, fmt.Errorf("store body: %w", err)
	}
	p.BodyRef = name
	return p, nil
}

// finish returns the queued outputs followed by the one outcome.
func (j *job) finish(outcome, reason string, status int) []bus.Out {
	return append(j.extra, j.s.outcome(j.in, j.traceID, outcome, reason, status)...)
}

func (s *Stage) outcome(in schema.CrawlRequest, traceID, outcome, reason string, status int) []bus.Out {
	if s.Metrics != nil {
		s.Metrics.Fetches.WithLabelValues(outcome).Inc()
	}
	return []bus.Out{{Subject: schema.SubjectCrawlOutcome, Body: schema.Outcome{
		V: schema.Version, URL: in.URL, Stage: Name, Outcome: outcome, Reason: truncate(reason, 500),
		Status: status, TraceID: traceID, At: time.Now().UTC(),
	}}}
}

// Describe tells the runner what a request is about.
func Describe(in schema.CrawlRequest) bus.Meta {
	return bus.Meta{URL: in.URL, TraceID: in.TraceID, Fields: []zap.Field{zap.Int("depth", in.Depth)}}
}

// Report says what became of a request, from the stage's outputs: its
// outcome, and for a fetched page its status, size, type and final URL.
func Report(in schema.CrawlRequest, outs []bus.Out) bus.Report {
	var r bus.Report
	for _, o := range outs {
		switch b := o.Body.(type) {
		case schema.Outcome:
			r.Outcome = b.Outcome
			if b.Reason != "" {
				r.Fields = append(r.Fields, zap.String("reason", b.Reason))
			}
			if b.Status != 0 {
				r.Fields = append(r.Fields, zap.Int("status", b.Status))
			}
		case schema.FetchedPage:
			if b.Hints != nil && b.Hints.Kind == schema.KindRobots {
				continue
			}
			r.Fields = append(r.Fields, zap.Int("bytes", b.BodySize), zap.String("content_type", b.ContentType), zap.String("final_url", b.FinalURL))
		}
	}
	return r
}

// Reject records a message the runner terminates: undecodable (invalid)
// or out of retries (dead_letter).
func (s *Stage) Reject(rej bus.Rejection[schema.CrawlRequest]) []bus.Out {
	in := schema.CrawlRequest{URL: printable(rej.Data)}
	if rej.In != nil && rej.In.URL != "" {
		in = *rej.In
	}
	outcome := schema.OutcomeDeadLetter
	if rej.Fate == bus.FateInvalid {
		outcome = schema.OutcomeInvalid
	}
	return s.outcome(in, rej.TraceID, outcome, rej.Reason, 0)
}

// printable returns the start of a payload as a URL field for an outcome.
func printable(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "(empty)"
	}
	s := strings.ToValidUTF8(string(data[:min(len(data), 200)]), "?")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// selectHeaders keeps the response headers the parser and operators use.
func selectHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"Content-Type", "Content-Language", "Last-Modified", "ETag", "Link", "X-Robots-Tag", "Date"} {
		if v := h.Get(k); v != "" {
			out[k] = truncate(v, 1024)
		}
	}
	return out
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

func isBlocked(err error) bool { return fetch.Classify(err).Outcome == schema.OutcomeBlockedAddress }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
