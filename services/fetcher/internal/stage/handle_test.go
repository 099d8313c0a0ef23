package stage

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
	"github.com/newsflow/newsflow/services/fetcher/internal/politeness"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
)

// The in-memory stand-ins of the stage's collaborators. They are not
// mocks of NATS: they implement the stage's own small interfaces, as the
// JetStream-backed packages do (tested against a real server there).

// memClaims is a seen-set in a map: norm -> state.
type memClaims struct {
	mu    sync.Mutex
	state map[string]string // "pending", "released" or the terminal outcome
}

func (c *memClaims) Claim(_ context.Context, norm, owner string, _ time.Duration) (Claim, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st := c.state[norm]; st {
	case "", "released":
		c.state[norm] = "pending"
		return &memClaim{c: c, norm: norm}, "", nil
	case "pending":
		return nil, "being fetched elsewhere", nil
	default:
		return nil, "already " + st, nil
	}
}

func (c *memClaims) get(norm string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state[norm]
}

type memClaim struct {
	c    *memClaims
	norm string
}

func (m *memClaim) Done(_ context.Context, outcome string) error {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	m.c.state[m.norm] = outcome
	return nil
}

func (m *memClaim) Release(context.Context) error {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	m.c.state[m.norm] = "released"
	return nil
}

// memRobots serves robots.txt bodies by origin; the first read of an
// origin is "fetched", later ones "local". A status of 503 makes the
// origin unreachable.
type memRobots struct {
	mu     sync.Mutex
	files  map[string]string
	status map[string]int
	read   map[string]*robots.Rules
	err    error
}

func (r *memRobots) Get(_ context.Context, u *url.URL) (*robots.Rules, robots.Result, error) {
	if r.err != nil {
		return nil, "", r.err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	origin := robots.Origin(u)
	if rules, ok := r.read[origin]; ok {
		return rules, "local", nil
	}
	status := r.status[origin]
	if status == 0 {
		status = http.StatusOK
	}
	rules := robots.Parse(status, []byte(r.files[origin]), "NewsflowBot", time.Now().Add(time.Hour))
	r.read[origin] = rules
	return rules, "fetched", nil
}

func (r *memRobots) Forget(_ context.Context, u *url.URL) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.read, robots.Origin(u))
	return nil
}

// memSlots grants every slot at once, or refuses with a wait.
type memSlots struct {
	mu        sync.Mutex
	far       time.Duration
	penalties map[string]time.Duration
}

func (s *memSlots) Acquire(_ context.Context, host string, _ time.Duration) (func(), error) {
	if s.far > 0 {
		return nil, &politeness.TooFarError{Wait: s.far}
	}
	return func() {}, nil
}

func (s *memSlots) Penalize(_ context.Context, host string, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.penalties[host] = d
	return nil
}

// memFetcher answers by URL.
type memFetcher struct {
	answers map[string]answer
}

type answer struct {
	res *fetch.Result
	err error
}

func (f *memFetcher) Fetch(_ context.Context, req fetch.Request) (*fetch.Result, error) {
	a, ok := f.answers[req.URL]
	if !ok {
		return &fetch.Result{URL: req.URL, FinalURL: req.URL, Status: http.StatusNotFound, Header: http.Header{}}, nil
	}
	return a.res, a.err
}

type memBodies struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (b *memBodies) Put(_ context.Context, name string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objs[name] = data
	return nil
}

// memSide records what the stage publishes at once.
type memSide struct {
	mu   sync.Mutex
	outs []bus.Out
	err  error
}

func (s *memSide) Publish(_ context.Context, o bus.Out, _ string) error {
	if s.err != nil {
		return s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outs = append(s.outs, o)
	return nil
}

const site = "https://news.example"

func page(status int, body string, header http.Header) answer {
	if header == nil {
		header = http.Header{}
	}
	return answer{res: &fetch.Result{
		FinalURL: site + "/a", Status: status, Header: header, ContentType: "text/html; charset=utf-8",
		MediaType: "text/html", Charset: "utf-8", Body: []byte(body), Took: time.Millisecond,
	}}
}

// fixture is a stage on in-memory collaborators.
type fixture struct {
	stage   *Stage
	claims  *memClaims
	robots  *memRobots
	slots   *memSlots
	fetcher *memFetcher
	bodies  *memBodies
	side    *memSide
}

func newFixture() *fixture {
	f := &fixture{
		claims:  &memClaims{state: map[string]string{}},
		robots:  &memRobots{files: map[string]string{}, status: map[string]int{}, read: map[string]*robots.Rules{}},
		slots:   &memSlots{penalties: map[string]time.Duration{}},
		fetcher: &memFetcher{answers: map[string]answer{}},
		bodies:  &memBodies{objs: map[string][]byte{}},
		side:    &memSide{},
	}
	f.stage = &Stage{
		Config:  Config{HostInterval: time.Second, MaxCrawlDelay: time.Minute, InlineLimit: 1 << 10, MaxRetryAfter: 10 * time.Minute},
		Fetcher: f.fetcher, Claims: f.claims, Robots: f.robots, Slots: f.slots, Bodies: f.bodies, Side: f.side,
		Metrics: metrics.New(nil),
	}
	return f
}

// handle runs Handle as the runner would, on the given attempt.
func (f *fixture) handle(t *testing.T, rawURL string, last bool) ([]bus.Out, error) {
	t.Helper()
	ctx := bus.WithLastAttempt(bus.WithTraceID(t.Context(), "trace-1"), last)
	return f.stage.Handle(ctx, schema.CrawlRequest{V: schema.Version, URL: rawURL, Depth: 1, Origin: site + "/"})
}

func TestHandle(t *testing.T) {
	big := randomWords(4000) // compresses to more than InlineLimit
	tests := []struct {
		name  string
		give  string
		last  bool
		setup func(*fixture)
		// want: the outcome recorded, or a transient error.
		wantOutcome string
		wantStatus  int
		wantPage    bool
		wantErr     bool
		wantDelay   time.Duration // at least, for a RetryAfter error
		wantClaim   string        // the seen-set state afterwards
		check       func(*testing.T, *fixture, []bus.Out)
	}{
		{
			name: "fetched", give: site + "/a",
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = page(200, "<p>story</p>", nil) },
			wantOutcome: schema.OutcomeFetched, wantStatus: 200, wantPage: true, wantClaim: schema.OutcomeFetched,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				p := pageOf(t, outs[0])
				if p.URL != site+"/a" || p.FinalURL != site+"/a" || p.BodySize != len("<p>story</p>") || len(p.Body) == 0 || p.BodyRef != "" || p.TraceID != "trace-1" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name: "a large body goes to the object store", give: site + "/a",
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = page(200, big, nil) },
			wantOutcome: schema.OutcomeFetched, wantStatus: 200, wantPage: true, wantClaim: schema.OutcomeFetched,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				p := pageOf(t, outs[0])
				if p.BodyRef == "" || len(p.Body) != 0 || len(f.bodies.objs[p.BodyRef]) == 0 {
					t.Errorf("page body %d bytes inline, ref %q; want it stored", len(p.Body), p.BodyRef)
				}
			},
		},
		{
			// The origin's gzip, passed through by the fetch client: it
			// travels as it came, named, with its decoded size, and reads
			// back as the page.
			name: "a gzip page travels as its gzip", give: site + "/a",
			setup: func(f *fixture) {
				a := page(200, string(gzipOf([]byte("<p>story</p>"))), nil)
				a.res.BodyEncoding, a.res.BodySize = schema.EncodingGzip, len("<p>story</p>")
				f.fetcher.answers[site+"/a"] = a
			},
			wantOutcome: schema.OutcomeFetched, wantStatus: 200, wantPage: true, wantClaim: schema.OutcomeFetched,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				p := pageOf(t, outs[0])
				if p.BodyEncoding != schema.EncodingGzip || string(p.Body) != string(gzipOf([]byte("<p>story</p>"))) || p.BodySize != len("<p>story</p>") {
					t.Errorf("page body %q in %q, size %d; want the gzip as it came", p.Body, p.BodyEncoding, p.BodySize)
				}
				if body, err := pagebody.Open(t.Context(), &p, nil); err != nil || string(body) != "<p>story</p>" {
					t.Errorf("Open = %q, %v", body, err)
				}
			},
		},
		{
			name: "a large gzip page goes to the object store", give: site + "/a",
			setup: func(f *fixture) {
				a := page(200, string(gzipOf([]byte(big))), nil)
				a.res.BodyEncoding, a.res.BodySize = schema.EncodingGzip, len(big)
				f.fetcher.answers[site+"/a"] = a
			},
			wantOutcome: schema.OutcomeFetched, wantStatus: 200, wantPage: true, wantClaim: schema.OutcomeFetched,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				p := pageOf(t, outs[0])
				if p.BodyRef == "" || len(p.Body) != 0 || p.BodyEncoding != schema.EncodingGzip {
					t.Errorf("page body %d bytes inline, ref %q, encoding %q; want gzip stored", len(p.Body), p.BodyRef, p.BodyEncoding)
				}
				if body, err := pagebody.Decode(p.BodyEncoding, f.bodies.objs[p.BodyRef], pagebody.MaxPage, p.BodySize); err != nil || string(body) != big {
					t.Errorf("Open = %d bytes, %v; want %d", len(body), err, len(big))
				}
			},
		},
		{name: "invalid URL", give: "ftp://news.example/a", wantOutcome: schema.OutcomeInvalid},
		{
			// Refused, never fetched, and the secret in no output.
			name: "credentials", give: "https://user:s3cret@news.example/a", wantOutcome: schema.OutcomeInvalid,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				o := outs[0].Body.(schema.Outcome)
				if strings.Contains(o.URL+o.Reason, "s3cret") {
					t.Errorf("outcome holds the secret: %+v", o)
				}
				if m := Describe(schema.CrawlRequest{URL: "https://user:s3cret@news.example/a", DiscoveredFrom: "https://a:s3cret@news.example/"}); strings.Contains(m.URL, "s3cret") || strings.Contains(fmt.Sprint(m.Fields), "s3cret") {
					t.Errorf("Describe logs the secret: %+v", m)
				}
			},
		},
		{
			name: "duplicate", give: "HTTPS://News.Example/a?utm_source=x",
			setup:       func(f *fixture) { f.claims.state[site+"/a"] = schema.OutcomeFetched },
			wantOutcome: schema.OutcomeDuplicate, wantClaim: schema.OutcomeFetched,
			check: func(t *testing.T, f *fixture, outs []bus.Out) {
				if r := outs[0].Body.(schema.Outcome).Reason; r != "already fetched" {
					t.Errorf("reason %q", r)
				}
			},
		},
		{
			name: "disallowed by robots.txt", give: site + "/private/x",
			setup:       func(f *fixture) { f.robots.files[site] = "User-agent: *\nDisallow: /private/\n" },
			wantOutcome: schema.OutcomeRobotsDenied, wantClaim: schema.OutcomeRobotsDenied,
		},
		{
			name: "robots.txt unreachable", give: site + "/a",
			setup:   func(f *fixture) { f.robots.status[site] = 503 },
			wantErr: true, wantDelay: 30 * time.Minute, wantClaim: "released",
		},
		{
			name: "robots.txt unreachable, last attempt", give: site + "/a", last: true,
			setup:       func(f *fixture) { f.robots.status[site] = 503 },
			wantOutcome: schema.OutcomeRobotsDenied, wantClaim: schema.OutcomeRobotsDenied,
		},
		{
			name: "host busy", give: site + "/a",
			setup:   func(f *fixture) { f.slots.far = 45 * time.Second },
			wantErr: true, wantDelay: 45 * time.Second, wantClaim: "released",
		},
		{
			name: "503 with Retry-After", give: site + "/a",
			setup: func(f *fixture) {
				f.fetcher.answers[site+"/a"] = page(503, "", http.Header{"Retry-After": {"120"}})
			},
			wantErr: true, wantDelay: 2 * time.Minute, wantClaim: "released",
			check: func(t *testing.T, f *fixture, _ []bus.Out) {
				if f.slots.penalties["news.example"] != 2*time.Minute {
					t.Errorf("host penalties %v, want 2m", f.slots.penalties)
				}
			},
		},
		{
			name: "503, last attempt", give: site + "/a", last: true,
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = page(503, "", nil) },
			wantOutcome: schema.OutcomeHTTPError, wantStatus: 503, wantClaim: schema.OutcomeHTTPError,
		},
		{
			name: "500", give: site + "/a",
			setup:   func(f *fixture) { f.fetcher.answers[site+"/a"] = page(500, "", nil) },
			wantErr: true, wantClaim: "released",
		},
		{name: "404", give: site + "/gone", wantOutcome: schema.OutcomeHTTPError, wantStatus: 404, wantClaim: schema.OutcomeHTTPError},
		{
			name: "not modified", give: site + "/a",
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = page(304, "", nil) },
			wantOutcome: schema.OutcomeNotModified, wantStatus: 304, wantClaim: schema.OutcomeNotModified,
		},
		{
			name: "timeout", give: site + "/a",
			setup:   func(f *fixture) { f.fetcher.answers[site+"/a"] = answer{err: context.DeadlineExceeded} },
			wantErr: true, wantClaim: "released",
		},
		{
			name: "timeout, last attempt", give: site + "/a", last: true,
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = answer{err: context.DeadlineExceeded} },
			wantOutcome: schema.OutcomeTimeout, wantClaim: schema.OutcomeTimeout,
		},
		{
			name: "robots.txt on a blocked address", give: site + "/a",
			setup: func(f *fixture) {
				f.robots.err = &guard.BlockedError{Host: "news.example", Addr: netip.MustParseAddr("10.0.0.1"), Reason: "private"}
			},
			wantOutcome: schema.OutcomeBlockedAddress, wantClaim: schema.OutcomeBlockedAddress,
		},
		{
			name: "too large", give: site + "/a",
			setup:       func(f *fixture) { f.fetcher.answers[site+"/a"] = answer{err: fetch.ErrTooLarge} },
			wantOutcome: schema.OutcomeTooLarge, wantClaim: schema.OutcomeTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			if tt.setup != nil {
				tt.setup(f)
			}
			outs, err := f.handle(t, tt.give, tt.last)
			if tt.wantErr {
				if err == nil || bus.IsPermanent(err) {
					t.Fatalf("Handle = %v, %v; want a transient error", outs, err)
				}
				if outs != nil {
					t.Errorf("outputs with an error: %v", outs)
				}
				if d, _ := bus.RetryDelay(err); d < tt.wantDelay {
					t.Errorf("error %v asks for a retry after %v, want at least %v", err, d, tt.wantDelay)
				}
			} else {
				if err != nil {
					t.Fatalf("Handle: %v", err)
				}
				n := 1
				if tt.wantPage {
					n = 2
				}
				if len(outs) != n {
					t.Fatalf("%d outputs, want %d: %+v", len(outs), n, outs)
				}
				last := outs[len(outs)-1]
				oc, ok := last.Body.(schema.Outcome)
				if !ok || last.Subject != schema.SubjectCrawlOutcome {
					t.Fatalf("last output %+v, want an outcome", last)
				}
				if oc.Outcome != tt.wantOutcome || oc.Status != tt.wantStatus || oc.URL != urlnorm.Redact(tt.give) || oc.TraceID != "trace-1" || oc.Stage != Name {
					t.Errorf("outcome %+v, want %s with status %d", oc, tt.wantOutcome, tt.wantStatus)
				}
				if err := oc.Validate(); err != nil {
					t.Errorf("outcome invalid: %v", err)
				}
				if tt.wantPage && outs[0].Subject != schema.SubjectPagesFetched {
					t.Errorf("first output on %s, want the page", outs[0].Subject)
				}
			}
			if norm, err := urlnorm.Normalize(tt.give); err == nil && tt.wantClaim != "" {
				if got := f.claims.get(norm); got != tt.wantClaim {
					t.Errorf("seen-set state %q, want %q", got, tt.wantClaim)
				}
			}
			if tt.check != nil {
				tt.check(t, f, outs)
			}
			if len(f.side.outs) != 0 {
				t.Errorf("published at once: %v (no Sitemap lines here)", f.side.outs)
			}
		})
	}
}

func randomWords(n int) string {
	var b strings.Builder
	x := uint32(2463534242)
	for range n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteString(string(rune('a' + x%26)))
		b.WriteString(string(rune('a' + (x>>5)%26)))
		b.WriteByte(' ')
	}
	return b.String()
}

// TestRobotsSitemapsArePublishedWhenRead: a robots.txt read afresh hands
// its Sitemap lines on at once, under an id of its own, even when the
// request that read it then fails; they are never part of a request's
// outputs, and a later request of the origin does not hand them on again.
func TestRobotsSitemapsArePublishedWhenRead(t *testing.T) {
	f := newFixture()
	f.robots.files[site] = "User-agent: *\nAllow: /\nSitemap: " + site + "/sitemap.xml\nSitemap: " + site + "/news.xml\n"
	f.slots.far = time.Minute // the first request finds the host busy
	if _, err := f.handle(t, site+"/a", false); err == nil {
		t.Fatal("Handle with the host busy: want a transient error")
	}
	if len(f.side.outs) != 1 {
		t.Fatalf("%d pages published at once, want the robots.txt page", len(f.side.outs))
	}
	o := f.side.outs[0]
	p, ok := pageIn(o)
	if !ok || o.Subject != schema.SubjectPagesFetched || !strings.HasPrefix(o.ID, "robots:") {
		t.Fatalf("published %+v, want a page on %s with a robots: id", o, schema.SubjectPagesFetched)
	}
	if p.URL != site+"/robots.txt" || p.Hints == nil || p.Hints.Kind != schema.KindRobots ||
		string(p.Body) != "Sitemap: "+site+"/sitemap.xml\nSitemap: "+site+"/news.xml\n" || p.TraceID != "trace-1" {
		t.Errorf("robots page %+v body %q", p, p.Body)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("robots page invalid: %v", err)
	}

	f.slots.far = 0
	f.fetcher.answers[site+"/a"] = page(200, "<p>story</p>", nil)
	outs, err := f.handle(t, site+"/a", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if p, ok := pageIn(o); ok && p.Hints != nil && p.Hints.Kind == schema.KindRobots {
			t.Errorf("the robots page is among a request's outputs: %+v", o)
		}
	}
	if len(outs) != 2 || len(f.side.outs) != 1 {
		t.Errorf("%d outputs and %d published at once, want 2 and still 1", len(outs), len(f.side.outs))
	}
}

// TestRobotsSitemapsNotPublished: a robots.txt whose Sitemap lines cannot
// be published fails the request, to be retried; without a publisher the
// lines are dropped and the request goes on.
func TestRobotsSitemapsNotPublished(t *testing.T) {
	f := newFixture()
	f.robots.files[site] = "User-agent: *\nSitemap: " + site + "/sitemap.xml\n"
	f.side.err = errors.New("nats: timeout")
	f.fetcher.answers[site+"/a"] = page(200, "<p>story</p>", nil)
	if _, err := f.handle(t, site+"/a", false); err == nil || !strings.Contains(err.Error(), "robots.txt sitemaps") || bus.IsPermanent(err) {
		t.Errorf("Handle = %v, want a transient robots.txt sitemaps error", err)
	}
	if got := f.claims.get(site + "/a"); got != "released" {
		t.Errorf("seen-set state %q, want released", got)
	}
	// The retry reads robots.txt again and hands its lines on then.
	f.side.err = nil
	if _, err := f.handle(t, site+"/a", false); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if len(f.side.outs) != 1 {
		t.Errorf("retry published %d robots pages, want 1: the Sitemap lines were lost with the cached rules", len(f.side.outs))
	}

	f = newFixture()
	f.robots.files[site] = "User-agent: *\nSitemap: " + site + "/sitemap.xml\n"
	f.stage.Side = nil
	f.fetcher.answers[site+"/a"] = page(200, "<p>story</p>", nil)
	if outs, err := f.handle(t, site+"/a", false); err != nil || len(outs) != 2 {
		t.Errorf("Handle without a publisher = %d outputs, %v; want the page and its outcome", len(outs), err)
	}
}

// pageIn reads the page an output publishes on pages.fetched, as the
// parser would; false for any other output.
func pageIn(o bus.Out) (schema.FetchedPage, bool) {
	data, ok := o.Body.([]byte)
	if !ok || o.Subject != schema.SubjectPagesFetched {
		return schema.FetchedPage{}, false
	}
	p, err := pagebody.Unmarshal(data)
	return p, err == nil
}

// pageOf is pageIn for an output that must be a page.
func pageOf(t *testing.T, o bus.Out) schema.FetchedPage {
	t.Helper()
	p, ok := pageIn(o)
	if !ok {
		t.Fatalf("output %s %T is not a readable page", o.Subject, o.Body)
	}
	return p
}

// gzipOf returns body gzipped as an origin sends it.
func gzipOf(body []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}
