// Package hostilesite serves a hostile web for tests: compression bombs
// behind every status class, endless and dripping responses, slowloris
// headers, floods of informational responses, redirect loops, huge
// headers, deep and giant documents, binary bytes served as HTML, XML made
// to exhaust a parser (deep nesting, billion laughs, a sitemap index that
// never ends), and the page shapes that once broke the pipeline (issue 11:
// an article larger than the bus allows, a 3.5 KB site name, a 3 KB URL,
// control characters in the text).
//
// A Site is an http.Handler: each attack lives under its own path (the
// Path constants and the *Path functions), every other path under /news/
// is an ordinary news article, and robots.txt allows everything and names
// the sitemaps given in Options. The Site records every request it gets,
// so a test can count fetches and see what a crawler sent. Expensive
// bodies (the bombs, the deep documents) are built once per process and
// shared by every Site.
//
// It depends on the standard library and the brotli codec only; it knows
// nothing of NATS or of the pipeline.
package hostilesite

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths of the attack pages. Each is served by every Site.
const (
	// PathRobots allows everything and lists Options.Sitemaps.
	PathRobots = "/robots.txt"
	// PathHome is a small home page with no links.
	PathHome = "/"
	// PathEndless is a 200 text/html response that never ends, sent as
	// fast as the client reads.
	PathEndless = "/stream/endless"
	// PathTrickle is a 200 text/html response whose body drips one byte
	// every DripInterval, forever (slowloris on the body).
	PathTrickle = "/stream/trickle"
	// PathSlowHeaders sends its status line, then its headers one byte
	// every DripInterval, forever (slowloris on the headers).
	PathSlowHeaders = "/slow/headers"
	// PathInformational answers with 103 Early Hints responses, one after
	// another, forever, and never a final response.
	PathInformational = "/informational/flood"
	// PathRedirectLoop redirects to PathRedirectLoopB, which redirects
	// back here.
	PathRedirectLoop  = "/redirect/loop/a"
	PathRedirectLoopB = "/redirect/loop/b"
	// PathRedirectChain starts a chain of redirects that never ends:
	// /redirect/chain/N redirects to /redirect/chain/N+1.
	PathRedirectChain = "/redirect/chain/0"
	// PathHugeHeaders answers 200 with HugeHeaderBytes of response headers.
	PathHugeHeaders = "/headers/huge"
	// PathDeepDOM is a news article buried under DeepDOMLevels nested
	// <div> elements.
	PathDeepDOM = "/news/2026/11/29/deep-dom-story-under-a-hundred-thousand-divs"
	// PathGiantAttribute is a news article carrying a GiantAttributeBytes
	// attribute value.
	PathGiantAttribute = "/news/2026/11/29/giant-attribute-story-of-four-megabytes"
	// PathBinary serves BinaryBytes of random bytes as text/html.
	PathBinary = "/news/2026/11/29/random-bytes-served-as-an-html-story"
	// PathHugeArticle is a news article whose text (HugeArticleBytes) is
	// larger than a NATS message may be (1 MiB by default).
	PathHugeArticle = "/news/2026/11/29/story-longer-than-the-bus-payload-limit"
	// PathLongSiteName is a news article whose og:site_name is
	// LongSiteNameBytes long.
	PathLongSiteName = "/news/2026/11/29/story-with-a-three-and-a-half-kilobyte-site-name"
	// PathControlChars is a news article whose title and text hold C0
	// control characters, among them STX and ETX around ControlWord.
	PathControlChars = "/news/2026/11/29/story-with-control-characters-in-its-text"
	// PathLyingGzip is a gzip-encoded HTML page whose one member inflates
	// to LyingGzipSize bytes while its trailer (ISIZE) announces
	// LyingGzipClaim: a reader trusting the trailer gets a bomb.
	PathLyingGzip = "/news/2026/11/29/gzip-story-whose-trailer-lies"
	// PathLinks is a section page linking LinkCount pages of this site.
	PathLinks = "/links/thousand"
	// PathDeepSitemap is a gzip-encoded sitemap of DeepXMLLevels nested
	// <a> elements.
	PathDeepSitemap = "/sitemap/deep.xml"
	// PathSitemapIndex starts a sitemap index that never ends:
	// /sitemap/index-N.xml lists itself and /sitemap/index-(N+1).xml.
	PathSitemapIndex = "/sitemap/index-0.xml"
	// PathLaughsSitemap is a sitemap whose DTD defines the billion laughs.
	PathLaughsSitemap = "/sitemap/laughs.xml"
	// PathLaughsFeed is an RSS feed whose DTD defines the billion laughs.
	PathLaughsFeed = "/feed/laughs.xml"
)

// Sizes of the attacks.
const (
	// DripInterval spaces the bytes of the dripping responses.
	DripInterval = 500 * time.Millisecond
	// HugeHeaderBytes is the size of PathHugeHeaders' headers (over the
	// 256 KiB a careful client accepts).
	HugeHeaderBytes = 300 << 10
	// DeepDOMLevels is the nesting of PathDeepDOM.
	DeepDOMLevels = 100_000
	// GiantAttributeBytes is the attribute value of PathGiantAttribute.
	GiantAttributeBytes = 4 << 20
	// BinaryBytes is the size of PathBinary.
	BinaryBytes = 1 << 20
	// HugeArticleBytes is about the size of PathHugeArticle's text.
	HugeArticleBytes = 2_500_000
	// LongSiteNameBytes is the length of PathLongSiteName's site name.
	LongSiteNameBytes = 3500
	// ControlWord is the word PathControlChars wraps in STX and ETX, the
	// markers a search snippet uses for its highlights.
	ControlWord = "smuggled"
	// LinkCount is the number of links on PathLinks.
	LinkCount = 1000
	// DeepXMLLevels is the nesting of PathDeepSitemap; its decompressed
	// size stays under the 50 MB a sitemap may have.
	DeepXMLLevels = 16 << 20
)

// Options configure a Site.
type Options struct {
	// Sitemaps are paths robots.txt names in Sitemap lines.
	Sitemaps []string
}

// Request is one request a Site received.
type Request struct {
	Path string // path and query
	// Authorization is the request's Authorization header: a crawler that
	// sends the credentials of a URL sends them here.
	Authorization string
	At            time.Time
}

// Site serves the hostile pages. Use New; it is safe for concurrent use.
type Site struct {
	opts Options
	mux  *http.ServeMux
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	requests []Request
}

// New returns a Site.
func New(opts Options) *Site {
	s := &Site{opts: opts, mux: http.NewServeMux(), done: make(chan struct{})}
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET "+PathRobots, s.robots)
	s.mux.HandleFunc("GET /bomb/{encoding}/{status}", s.bomb)
	s.mux.HandleFunc("GET "+PathEndless, s.endless)
	s.mux.HandleFunc("GET "+PathTrickle, s.trickle)
	s.mux.HandleFunc("GET "+PathSlowHeaders, s.slowHeaders)
	s.mux.HandleFunc("GET "+PathInformational, s.informational)
	s.mux.HandleFunc("GET "+PathRedirectLoop, redirectTo(PathRedirectLoopB))
	s.mux.HandleFunc("GET "+PathRedirectLoopB, redirectTo(PathRedirectLoop))
	s.mux.HandleFunc("GET /redirect/chain/{n}", s.chain)
	s.mux.HandleFunc("GET "+PathHugeHeaders, s.hugeHeaders)
	s.mux.HandleFunc("GET "+PathBinary, s.binary)
	s.mux.HandleFunc("GET "+PathLyingGzip, s.lyingGzip)
	s.mux.HandleFunc("GET /news/", s.article)
	s.mux.HandleFunc("GET "+PathLinks, s.links)
	s.mux.HandleFunc("GET "+PathDeepSitemap, s.deepSitemap)
	s.mux.HandleFunc("GET /sitemap/{name}", s.sitemapIndex)
	s.mux.HandleFunc("GET "+PathLaughsSitemap, s.laughsSitemap)
	s.mux.HandleFunc("GET "+PathLaughsFeed, s.laughsFeed)
	return s
}

// ServeHTTP records the request and serves its page.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.RequestURI(), Authorization: r.Header.Get("Authorization"), At: time.Now()})
	s.mu.Unlock()
	s.mux.ServeHTTP(w, r)
}

// Close ends every response still streaming (endless, dripping, flooding),
// so a test's server can shut down. The Site serves nothing endless after.
func (s *Site) Close() { s.once.Do(func() { close(s.done) }) }

// Requests returns every request received so far, in order.
func (s *Site) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Hits counts the requests whose path (and query) starts with prefix.
func (s *Site) Hits(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// BombPath is the path of a compression bomb: BombSize bytes once
// decoded, sent with Content-Encoding encoding ("gzip", "br" or
// "deflate") and the given status. With location, the response carries a
// Location header (a 3xx a client does not follow, such as 300 or 305,
// still has its body read by a careless client); without, it has none.
func BombPath(encoding string, status int, location bool) string {
	p := fmt.Sprintf("/bomb/%s/%d", encoding, status)
	if !location {
		p += "?location=none"
	}
	return p
}

// ArticlePath is the path of an ordinary news article on any Site; the
// slug seeds its text, so two slugs give two different stories.
func ArticlePath(slug string) string { return "/news/2026/11/29/" + slug }

// LongURLPath is the path of an ordinary news article, n bytes long (at
// least the prefix): a slug of made-up words joined by hyphens, random
// enough that no compression shrinks it much (PostgreSQL compresses a key
// before it checks the index row limit, so a repeated phrase would slip
// under it).
func LongURLPath(n int) string {
	prefix := ArticlePath("long-url")
	if n <= len(prefix) {
		return prefix
	}
	return prefix + "-" + gibberish(n-len(prefix)-1, '-')
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile Herald</title></head>`+
		`<body><h1>Hostile Herald</h1><p>Nothing to read here.</p></body></html>`)
}

func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	for _, p := range s.opts.Sitemaps {
		fmt.Fprintf(w, "Sitemap: http://%s%s\n", r.Host, p)
	}
}

func redirectTo(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, path, http.StatusFound)
	}
}

func (s *Site) chain(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/redirect/chain/%d", n+1), http.StatusMovedPermanently)
}

func (s *Site) hugeHeaders(w http.ResponseWriter, r *http.Request) {
	line := strings.Repeat("x", 1000)
	for i := range HugeHeaderBytes / 1024 {
		w.Header().Set(fmt.Sprintf("X-Padding-%03d", i), line)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(articleHTML(r.URL.Path, articleOptions{}))
}
