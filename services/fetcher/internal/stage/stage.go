package stage

import (
	"context"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	"github.com/newsflow/newsflow/pkg/urlnorm"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
)

// Name is the stage name in logs, metrics and outcomes.
const Name = "fetcher"

// Claims is the cluster-wide seen-set: it lets one message fetch a URL
// however many replicas receive however many spellings of it.
type Claims interface {
	// Claim claims the normalised URL for the message identified by
	// owner. It returns a Claim to fetch under, or nil and why the URL is
	// a duplicate. recrawl > 0 lets a URL fetched longer ago be claimed
	// again. Errors are transient.
	Claim(ctx context.Context, norm, owner string, recrawl time.Duration) (Claim, string, error)
}

// Claim is one message's right to fetch a URL.
type Claim interface {
	// Done records the URL's terminal outcome.
	Done(ctx context.Context, outcome string) error
	// Release hands the URL back after a transient failure.
	Release(ctx context.Context) error
}

// Robots gives the robots.txt rules of a URL's origin (robots.Cache), and
// says whether this call read robots.txt afresh ("fetched"). Errors are
// transient, or a blocked address.
type Robots interface {
	Get(ctx context.Context, u *url.URL) (*robots.Rules, robots.Result, error)
	// Forget drops the cached rules of u's origin, so the next Get reads
	// robots.txt again.
	Forget(ctx context.Context, u *url.URL) error
}

// Slots spaces the requests to one host across every replica
// (politeness.Limiter).
type Slots interface {
	// Acquire waits for the host's next slot, interval after the last,
	// and returns its release; a *politeness.TooFarError when the slot is
	// too far off.
	Acquire(ctx context.Context, host string, interval time.Duration) (release func(), err error)
	// Penalize pushes the host's next slot to at least now+d.
	Penalize(ctx context.Context, host string, d time.Duration) error
}

// Bodies keeps bodies too large for one message (pagebody.Store, the
// JetStream object store).
type Bodies interface {
	Put(ctx context.Context, name string, data []byte) error
}

// Sources gives the validators of registered feeds and sitemaps.
type Sources interface {
	Get(ctx context.Context, norm string) (sources.Source, uint64, error)
	SetValidators(ctx context.Context, norm, etag, lastModified string) error
}

// Publisher publishes an output at once (bus.Publisher): the Sitemap lines
// of a robots.txt, when it is read.
type Publisher interface {
	Publish(ctx context.Context, o bus.Out, traceID string) error
}

// Config tunes the stage.
type Config struct {
	// HostInterval is the minimum time between two requests to one host
	// (1 / FETCHER_HOST_RATE).
	HostInterval time.Duration
	// MaxCrawlDelay caps a robots.txt Crawl-delay.
	MaxCrawlDelay time.Duration
	// InlineLimit is the largest encoded body sent inside the message;
	// larger ones go to the object store (pagebody.Attach).
	InlineLimit int
	// RecrawlFeeds and RecrawlSeeds: how soon a feed, sitemap or
	// registered page, and a seed (depth 0), may be fetched again. Other
	// pages are fetched once per seen-set TTL.
	RecrawlFeeds, RecrawlSeeds time.Duration
	// MaxRetryAfter caps a server's Retry-After.
	MaxRetryAfter time.Duration
}

// Stage is the fetcher stage. All fields are required except Sources,
// Side and Log.
type Stage struct {
	Config  Config
	Fetcher fetch.Fetcher
	Claims  Claims
	Robots  Robots
	Slots   Slots
	Bodies  Bodies
	Sources Sources
	// Side publishes the Sitemap lines of a robots.txt read afresh.
	// Without it they are not handed on.
	Side    Publisher
	Metrics *metrics.Metrics
	// Log receives the stage's decisions at debug level (robots verdicts,
	// politeness waits, seen-set hits); the runner logs the outcome.
	// Nil logs nothing.
	Log *zap.Logger
}

// debug logs a decision about one URL at debug level, with the keys of
// the runner's line (url, trace_id) so one filter follows both.
func (s *Stage) debug(msg, rawURL, traceID string, fields ...zap.Field) {
	if s.Log == nil {
		return
	}
	if ce := s.Log.Check(zap.DebugLevel, msg); ce != nil {
		ce.Write(append([]zap.Field{zap.String("url", urlnorm.Redact(rawURL)), zap.String("trace_id", traceID)}, fields...)...)
	}
}

// result is what became of one URL: its terminal outcome and, when it
// was fetched, the page.
type result struct {
	outcome string
	reason  string
	status  int
	page    *schema.FetchedPage
}

func done(outcome, reason string, status int) result {
	return result{outcome: outcome, reason: reason, status: status}
}

// Handle fetches one URL. See the package doc.
func (s *Stage) Handle(ctx context.Context, in schema.CrawlRequest) ([]bus.Out, error) {
	traceID := bus.TraceID(ctx)
	norm, err := urlnorm.Normalize(in.URL)
	if err != nil {
		return s.outputs(in, traceID, done(schema.OutcomeInvalid, err.Error(), 0)), nil
	}
	u, err := url.Parse(norm)
	if err != nil {
		return s.outputs(in, traceID, done(schema.OutcomeInvalid, err.Error(), 0)), nil
	}
	kind := ""
	if in.Hints != nil {
		kind = in.Hints.Kind
	}
	owner := traceID + "|" + in.URL
	claim, dup, err := s.Claims.Claim(ctx, norm, owner, s.recrawl(in, kind))
	if err != nil {
		return nil, err
	}
	if claim == nil {
		s.debug("dedup hit", in.URL, traceID, zap.String("normalized", urlnorm.Redact(norm)), zap.String("reason", dup))
		return s.outputs(in, traceID, done(schema.OutcomeDuplicate, dup, 0)), nil
	}
	j := &job{s: s, in: in, norm: norm, u: u, kind: kind, traceID: traceID, owner: owner, last: bus.LastAttempt(ctx)}
	res, err := j.run(ctx)
	if err != nil {
		// Transient: hand the URL back for the redelivery.
		_ = claim.Release(context.WithoutCancel(ctx))
		return nil, err
	}
	_ = claim.Done(context.WithoutCancel(ctx), res.outcome)
	if p := res.page; p != nil {
		// The page travels as raw bytes, so Report cannot read it back.
		bus.Note(ctx, zap.Int("bytes", p.BodySize), zap.String("content_type", p.ContentType), zap.String("final_url", urlnorm.Redact(p.FinalURL)))
	}
	return s.outputs(in, traceID, res), nil
}

// outputs are the messages of a result: the page, if fetched, then the
// one outcome.
func (s *Stage) outputs(in schema.CrawlRequest, traceID string, res result) []bus.Out {
	var outs []bus.Out
	if res.page != nil {
		body, header := pagebody.Payload(*res.page)
		outs = append(outs, bus.Out{Subject: schema.SubjectPagesFetched, Body: body, Header: header})
	}
	return append(outs, s.outcome(in, traceID, res))
}

func (s *Stage) outcome(in schema.CrawlRequest, traceID string, res result) bus.Out {
	s.Metrics.Fetches.WithLabelValues(res.outcome).Inc()
	return bus.Out{Subject: schema.SubjectCrawlOutcome, Body: schema.Outcome{
		V: schema.Version, URL: urlnorm.Redact(in.URL), Stage: Name, Outcome: res.outcome, Reason: truncate(res.reason, 500),
		Status: res.status, TraceID: traceID, At: time.Now().UTC(),
	}}
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
