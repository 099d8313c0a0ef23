package stage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
	"github.com/newsflow/newsflow/services/fetcher/internal/politeness"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
)

// job is one URL being fetched.
type job struct {
	s       *Stage
	in      schema.CrawlRequest
	norm    string
	u       *url.URL
	kind    string
	traceID string
	owner   string
	// last: the runner's last attempt; a transient failure now records a
	// terminal outcome.
	last  bool
	rules *robots.Rules // of j.u's origin
}

// run returns the URL's terminal result, or a transient error.
func (j *job) run(ctx context.Context) (result, error) {
	s := j.s
	rules, err := j.robots(ctx, j.u)
	if err != nil {
		if isBlocked(err) {
			return done(schema.OutcomeBlockedAddress, err.Error(), 0), nil
		}
		return result{}, j.hostBusy(err)
	}
	if rules.Unreachable {
		reason := fmt.Sprintf("%v: %s", robots.ErrUnreachable, rules.Reason)
		if j.last {
			return done(schema.OutcomeRobotsDenied, reason, 0), nil
		}
		return result{}, bus.RetryAfter(errors.New(reason), time.Until(rules.Expires)+jitter(time.Second))
	}
	allowed := rules.Allowed(j.u)
	s.debug("robots verdict", j.in.URL, j.traceID, zap.String("host", j.u.Host), zap.Bool("allowed", allowed),
		zap.Float64("crawl_delay_s", rules.CrawlDelay().Seconds()))
	if !allowed {
		return done(schema.OutcomeRobotsDenied, "disallowed by robots.txt", 0), nil
	}
	j.rules = rules

	interval := s.Config.HostInterval
	if cd := min(rules.CrawlDelay(), s.Config.MaxCrawlDelay); cd > interval {
		interval = cd
	}
	s.Metrics.AddBacklog(j.u.Host, 1)
	waitStart := time.Now()
	release, err := s.Slots.Acquire(ctx, j.u.Host, interval)
	s.Metrics.AddBacklog(j.u.Host, -1)
	if err != nil {
		var far *politeness.TooFarError
		if errors.As(err, &far) {
			s.debug("politeness wait", j.in.URL, j.traceID, zap.String("host", j.u.Host), zap.String("decision", "requeue"),
				zap.Float64("interval_ms", ms(interval)), zap.Float64("wait_ms", ms(far.Wait)))
		}
		return result{}, j.hostBusy(err)
	}
	s.debug("politeness wait", j.in.URL, j.traceID, zap.String("host", j.u.Host), zap.String("decision", "slot"),
		zap.Float64("interval_ms", ms(interval)), zap.Float64("wait_ms", ms(time.Since(waitStart))))
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
	s.Metrics.Bytes.Add(float64(res.BodySize))
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

// robots returns the rules for u. A robots.txt read afresh that names
// sitemaps is handed on at once, as a page of kind robots holding its
// Sitemap lines (the parser turns them into sitemap requests), under a
// message id of its own: it belongs to this read of robots.txt, whatever
// becomes of the request that read it. If it cannot be published the
// rules are forgotten and the request is retried, so the retry reads
// robots.txt again and hands the lines on then.
func (j *job) robots(ctx context.Context, u *url.URL) (*robots.Rules, error) {
	rules, src, err := j.s.Robots.Get(ctx, u)
	if err != nil {
		return nil, err
	}
	if src == "fetched" {
		j.s.debug("robots fetched", j.in.URL, j.traceID, zap.String("host", u.Host), zap.Bool("unreachable", rules.Unreachable),
			zap.Int("sitemaps", len(rules.Sitemaps)), zap.Time("expires", rules.Expires))
	}
	j.s.Metrics.Robots.WithLabelValues(string(src)).Inc()
	if src == "fetched" && len(rules.Sitemaps) > 0 && j.s.Side != nil {
		page := j.robotsPage(u, rules.Sitemaps)
		id := "robots:" + kv.Key(robots.Origin(u)+"|"+rules.Expires.UTC().Format(time.RFC3339Nano))
		body, header := pagebody.Payload(page)
		if err := j.s.Side.Publish(ctx, bus.Out{Subject: schema.SubjectPagesFetched, ID: id, Body: body, Header: header}, j.traceID); err != nil {
			if ferr := j.s.Robots.Forget(context.WithoutCancel(ctx), u); ferr != nil {
				err = errors.Join(err, ferr)
			}
			return nil, fmt.Errorf("robots.txt sitemaps: %w", err)
		}
	}
	return rules, nil
}

// robotsPage is the FetchedPage of kind robots for the Sitemap lines of
// u's robots.txt: a few lines of text, as they are.
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
	p := schema.FetchedPage{
		V: schema.Version, URL: robotsURL, FinalURL: robotsURL, Status: http.StatusOK,
		ContentType: "text/plain; charset=utf-8", FetchedAt: time.Now().UTC(), Depth: j.in.Depth, Origin: origin,
		TraceID: j.traceID, Hints: &schema.Hints{Kind: schema.KindRobots, Source: j.in.URL},
	}
	pagebody.Text(&p, b.String())
	return p
}

func (j *job) failed(err error) (result, error) {
	if errors.Is(err, errRobotsRedirect) {
		return done(schema.OutcomeRobotsDenied, err.Error(), 0), nil
	}
	class := fetch.Classify(err)
	if class.Transient && !j.last {
		return result{}, err
	}
	return done(class.Outcome, err.Error(), 0), nil
}

func (j *job) response(ctx context.Context, res *fetch.Result) (result, error) {
	s := j.s
	switch {
	case res.Status == http.StatusNotModified:
		return done(schema.OutcomeNotModified, "", res.Status), nil
	case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable:
		wait := retryAfter(res.Header.Get("Retry-After"), time.Now())
		if wait <= 0 {
			wait = 30 * time.Second
		}
		wait = min(wait, s.Config.MaxRetryAfter)
		_ = s.Slots.Penalize(ctx, j.u.Host, wait)
		if j.last {
			return done(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
		}
		return result{}, bus.RetryAfter(fmt.Errorf("status %d", res.Status), wait+jitter(wait/4))
	case res.Status >= 500 || res.Status == http.StatusRequestTimeout:
		if j.last {
			return done(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
		}
		return result{}, fmt.Errorf("status %d", res.Status)
	case res.Status < 200 || res.Status > 299:
		return done(schema.OutcomeHTTPError, fmt.Sprintf("status %d", res.Status), res.Status), nil
	}

	page, err := j.page(ctx, res)
	if err != nil {
		return result{}, err
	}
	if j.kind != "" && s.Sources != nil {
		// A feed or sitemap: if it is a registered source, its next poll
		// is a conditional request (ErrNotFound otherwise, ignored).
		_ = s.Sources.SetValidators(ctx, j.norm, res.Header.Get("ETag"), res.Header.Get("Last-Modified"))
	}
	r := done(schema.OutcomeFetched, "", res.Status)
	r.page = &page
	return r, nil
}

// page builds the FetchedPage, its body inline or in the object store.
func (j *job) page(ctx context.Context, res *fetch.Result) (schema.FetchedPage, error) {
	p := schema.FetchedPage{
		V:           schema.Version,
		URL:         j.in.URL,
		FinalURL:    res.FinalURL,
		Status:      res.Status,
		Headers:     selectHeaders(res.Header),
		ContentType: res.ContentType,
		Charset:     res.Charset,
		FetchedAt:   time.Now().UTC(),
		Depth:       j.in.Depth,
		Origin:      j.in.Origin,
		TraceID:     j.traceID,
		Hints:       j.in.Hints,
	}
	// The object's name is the message's: a retry overwrites it.
	name := "page-" + kv.Key(j.owner)
	if res.BodyEncoding != "" {
		// The origin's gzip, as it came: the parser inflates it, bounded.
		err := pagebody.AttachEncoded(ctx, &p, res.Body, res.BodyEncoding, res.BodySize, j.s.Config.InlineLimit, j.s.Bodies, name)
		return p, err
	}
	err := pagebody.Attach(ctx, &p, res.Body, j.s.Config.InlineLimit, j.s.Bodies, name)
	return p, err
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

// ms is a duration as a number of milliseconds, to two decimals, like
// the runner's took_ms.
func ms(d time.Duration) float64 {
	return float64(d.Round(10*time.Microsecond)) / float64(time.Millisecond)
}

func isBlocked(err error) bool { return fetch.Classify(err).Outcome == schema.OutcomeBlockedAddress }
