package demosite

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a generated site. The zero value is usable.
type Options struct {
	Articles int    // number of article pages per site (default 240)
	Seed     int64  // generator seed (default 1); same seed => byte-identical site
	Name     string // site name, e.g. "The Daily Demo" (default chosen from Seed)
	// Slow maps a path to an artificial delay before the response (for AckWait tests).
	// A key matches the request path ("/world/") or the path with its query
	// ("/world/?x=1"); the delay ends early when the client goes away.
	Slow map[string]time.Duration
}

func (o Options) withDefaults() Options {
	if o.Articles <= 0 {
		o.Articles = 240
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// RequestRecord is one request a Site received.
type RequestRecord struct {
	Path      string // URL path plus "?query" when there is one
	At        time.Time
	UserAgent string
}

// maxRequests bounds the request log; older records are dropped first.
const maxRequests = 1_000_000

// Site is one generated news site. It implements http.Handler and is safe for
// concurrent use. Pages are rendered on first request per Host and cached.
type Site struct {
	opts     Options
	name     string
	sep      string     // between headline and site name in <title>
	style    int        // site-level choice of byline and URL flavours
	articles []*article // oldest first; article.idx is the position
	byPath   map[string]*article
	sections []*section
	secBy    map[string]*section
	tagOrder []string
	tags     map[string][]*article // newest first
	redirs   []redirect
	latest   []*article // newest first
	opinions []*article // newest first
	staffBio map[string]string
	epoch    time.Time // Last-Modified of pages that do not change

	pages sync.Map // host + "\x00" + path -> *page

	mu      sync.Mutex
	reqs    []RequestRecord
	reqNext int // next slot to overwrite once reqs is full
}

var _ http.Handler = (*Site)(nil)

type section struct {
	slug, name string
	arts       []*article // newest first
}

const perPage = 20

func (c *section) pages() int {
	if n := (len(c.arts) + perPage - 1) / perPage; n > 1 {
		return n
	}
	return 1
}

func (c *section) pagePath(n int) string {
	if n <= 1 {
		return "/" + c.slug + "/"
	}
	return fmt.Sprintf("/%s/page/%d/", c.slug, n)
}

type redirect struct {
	from string
	to   *article
}

// page is a rendered response.
type page struct {
	status  int
	ctype   string
	body    []byte
	etag    string
	lastMod time.Time
}

func newPage(status int, ctype string, body []byte, lastMod time.Time) *page {
	h := fnv.New64a()
	h.Write(body)
	return &page{status: status, ctype: ctype, body: body, etag: fmt.Sprintf(`"%016x"`, h.Sum64()), lastMod: lastMod}
}

// New builds one site. It is the first site NewNetwork(1, opts) would build:
// its wire stories are credited to agencies and carry Story ids, but no other
// site shares them.
func New(opts Options) *Site {
	return NewNetwork(1, opts)[0]
}

// Name returns the site's name as shown in its pages.
func (s *Site) Name() string { return s.name }

// ServeHTTP serves the site: pages, /robots.txt, /sitemap.xml, /feed.xml and
// /_manifest.json. Unknown paths answer 404 with an HTML body, /private/
// answers 403, /old/... answers 301. GET and HEAD only.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	s.record(RequestRecord{Path: key, At: time.Now(), UserAgent: r.UserAgent()})
	if d, ok := s.opts.Slow[key]; ok || s.opts.Slow[r.URL.Path] > 0 {
		if !ok {
			d = s.opts.Slow[r.URL.Path]
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/old/") {
		for _, rd := range s.redirs {
			if rd.from == r.URL.Path {
				http.Redirect(w, r, rd.to.path, http.StatusMovedPermanently)
				return
			}
		}
	}
	base := "http://" + r.Host
	p := s.page(base, r.URL.Path)
	h := w.Header()
	h.Set("Content-Type", p.ctype)
	if p.status == http.StatusOK {
		h.Set("ETag", p.etag)
		h.Set("Last-Modified", p.lastMod.UTC().Format(http.TimeFormat))
		h.Set("Cache-Control", "max-age=60")
		if notModified(r, p) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(p.body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		w.Write(p.body)
	}
}

func notModified(r *http.Request, p *page) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == p.etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil {
			return !p.lastMod.Truncate(time.Second).After(t)
		}
	}
	return false
}

// page returns the cached response for base+path, rendering it once.
func (s *Site) page(base, path string) *page {
	key := base + "\x00" + path
	if p, ok := s.pages.Load(key); ok {
		return p.(*page)
	}
	p, own := s.render(base, path)
	if !own {
		// Error pages are shared per host so that a crawl of random paths
		// cannot grow the cache.
		key = base + "\x00#" + fmt.Sprint(p.status)
	}
	actual, _ := s.pages.LoadOrStore(key, p)
	return actual.(*page)
}

func (s *Site) record(rec RequestRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) < maxRequests {
		s.reqs = append(s.reqs, rec)
		return
	}
	s.reqs[s.reqNext] = rec
	s.reqNext = (s.reqNext + 1) % maxRequests
}

// Requests returns a copy of the request log, oldest first. It holds at most
// the last 1e6 requests.
func (s *Site) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RequestRecord, 0, len(s.reqs))
	out = append(out, s.reqs[s.reqNext:]...)
	out = append(out, s.reqs[:s.reqNext]...)
	return out
}
