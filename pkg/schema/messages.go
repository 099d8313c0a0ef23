package schema

import (
	"time"
)

// Hints are what a feed or sitemap said about a URL before it was fetched.
// The parser falls back on them when the page itself says nothing.
type Hints struct {
	Title     string     `json:"title,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	// Source is the feed or sitemap URL the hints came from.
	Source string `json:"source,omitempty"`
	// Kind says what the URL is expected to be: KindFeed, KindSitemap,
	// KindPolledPage (a registered page) or "" (a page). On a FetchedPage,
	// KindRobots marks the Sitemap lines of a robots.txt the fetcher read.
	Kind string `json:"kind,omitempty"`
	// Budget is how many feed and sitemap fetches, this one included, a
	// listing found through another listing may still lead to: a site's
	// listings share one budget per poll, so a sitemap index that lists
	// itself, or a new child each time, ends. Zero on a root listing (a
	// robots.txt line, a registered source, a submitted URL) means the
	// parser's full budget.
	Budget int `json:"budget,omitempty"`
}

// Kinds of Hints.Kind.
const (
	KindFeed    = "feed"
	KindSitemap = "sitemap"
	// KindPolledPage is a page registered to be re-polled on schedule (a
	// home or section page watched for new stories). It is fetched and
	// parsed as a page, as a seed: its links are followed.
	KindPolledPage = "page"
	// KindRobots is a FetchedPage holding the Sitemap lines of a host's
	// robots.txt, published once per fresh read of it. It answers no
	// crawl request; the parser turns its lines into sitemap requests.
	KindRobots = "robots"
)

// CrawlRequest asks the fetcher to fetch one URL. Published on crawl.urls.
type CrawlRequest struct {
	V     int    `json:"v"`
	URL   string `json:"url"`
	Depth int    `json:"depth"`
	// Origin is the seed the crawl started from; it sets the crawl's scope.
	Origin string `json:"origin,omitempty"`
	// DiscoveredFrom is the page whose link led here, empty for a seed.
	DiscoveredFrom string    `json:"discovered_from,omitempty"`
	SubmittedAt    time.Time `json:"submitted_at"`
	TraceID        string    `json:"trace_id,omitempty"`
	Hints          *Hints    `json:"hints,omitempty"`
}

// Body encodings of FetchedPage.Body.
const (
	// EncodingS2 is an s2 block (github.com/klauspost/compress/s2), what
	// the fetcher writes for a body up to pagebody.MaxPage.
	EncodingS2 = "s2"
	// EncodingZstd is a zstd frame: bodies over pagebody.MaxPage, and
	// every body published before s2 (PAGES keeps them for reparse).
	EncodingZstd = "zstd"
	// EncodingIdentity is the body as it is (a few lines of text).
	EncodingIdentity = "identity"
	// EncodingGzip is the origin's own gzip (RFC 1952, one member or
	// more), kept as it came off the wire for an HTML page the server
	// sent with Content-Encoding gzip: the fetcher neither inflates nor
	// re-encodes it. BodySize is then what the gzip trailer announces,
	// which a hostile server may understate: readers bound the
	// inflation themselves. Parsers older than this encoding refuse it,
	// so they are upgraded before fetchers (OPERATIONS.md).
	EncodingGzip = "gzip"
)

// FetchedPage is one fetched page, published on pages.fetched.
// The body travels compressed in Body, or, when too large for one message,
// in the JetStream object store bucket BucketPageBodies under BodyRef.
type FetchedPage struct {
	V           int               `json:"v"`
	URL         string            `json:"url"`
	FinalURL    string            `json:"final_url"`
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers,omitempty"`
	ContentType string            `json:"content_type"`
	// Charset is the charset the HTTP header declared, if any.
	Charset   string    `json:"charset,omitempty"`
	FetchedAt time.Time `json:"fetched_at"`
	Depth     int       `json:"depth"`
	Origin    string    `json:"origin,omitempty"`
	TraceID   string    `json:"trace_id,omitempty"`
	Hints     *Hints    `json:"hints,omitempty"`
	// BodyEncoding is EncodingS2, EncodingZstd, EncodingGzip or
	// EncodingIdentity.
	BodyEncoding string `json:"body_encoding"`
	Body         []byte `json:"body,omitempty"`
	// BodyRef names the object holding the encoded body when Body is empty.
	BodyRef string `json:"body_ref,omitempty"`
	// BodySize is the decoded body length in bytes (for EncodingGzip,
	// as the gzip trailer announces it: a hint, not a promise).
	BodySize int `json:"body_size"`
	// Reparse names the `newsflow reparse` run that sent this retained page
	// through the parser again: its article is re-extracted and republished,
	// its links are not followed again. Empty for a fresh fetch.
	Reparse string `json:"reparse,omitempty"`
}

// MaxBodyText caps an article's body text (in bytes, cut on a rune
// boundary, with Truncated set), so a record always fits in one message
// of a server's default 1 MiB max payload, with room for JSON escapes.
// Real stories are far shorter: 256 KiB is some 40,000 words.
const MaxBodyText = 256 << 10

// Page types. Only PageArticle records carry a story; the others record
// what a fetched page turned out to be.
const (
	PageArticle = "article"
	PageListing = "listing"
	PageSection = "section"
	PageHome    = "home"
	// PageFeed and PageSitemap: the page was a feed or a sitemap, and its
	// entries went to crawl.urls.
	PageFeed    = "feed"
	PageSitemap = "sitemap"
	// PageOther: the page holds no readable text (binary content served
	// as HTML, say); Reason says what it held.
	PageOther = "other"
)

// Article is what the parser made of one fetched page, published on
// articles.parsed: one record per fetched page, so every fetch ends in a
// recorded state. PageType says what the page was; only PageArticle
// records hold a story (title, body, dates...), and consumers that want
// stories keep those. Times are RFC 3339 with the page's own offset.
type Article struct {
	V            int        `json:"v"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	FinalURL     string     `json:"final_url,omitempty"`
	SiteName     string     `json:"site_name,omitempty"`
	Title        string     `json:"title"`
	Authors      []string   `json:"authors,omitempty"`
	Published    *time.Time `json:"published,omitempty"`
	Modified     *time.Time `json:"modified,omitempty"`
	Language     string     `json:"language,omitempty"`
	Description  string     `json:"description,omitempty"`
	Image        string     `json:"image,omitempty"`
	Section      string     `json:"section,omitempty"`
	Tags         []string   `json:"tags,omitempty"`
	Body         string     `json:"body"`
	PageType     string     `json:"page_type"`
	WordCount    int        `json:"word_count"`
	// ContentHash is a hex hash of the normalised body.
	ContentHash      string    `json:"content_hash"`
	FetchedAt        time.Time `json:"fetched_at"`
	ExtractorVersion string    `json:"extractor_version"`
	TraceID          string    `json:"trace_id,omitempty"`
	// Reparse names the `newsflow reparse` run this extraction comes from:
	// it replaces the extraction of the same fetch in the index.
	Reparse string `json:"reparse,omitempty"`
	// Reason says why a page that is not an article was classed as it was
	// (a non-article record's explanation); empty on articles.
	Reason string `json:"reason,omitempty"`
	// Truncated is set when Body was cut at MaxBodyText bytes.
	Truncated bool `json:"truncated,omitempty"`
	// Provenance maps a field name to the source that gave it
	// ("json-ld", "opengraph", "meta", "microdata", "time", "text", "url", "hint").
	Provenance map[string]string `json:"provenance,omitempty"`
}

// Outcome values. Each URL accepted on crawl.urls ends in exactly one
// terminal outcome at the fetcher. A fetched page then ends in exactly one
// parser record on articles.parsed, or a dead letter.
const (
	OutcomeFetched        = "fetched"
	OutcomeNotModified    = "not_modified"
	OutcomeDuplicate      = "duplicate"
	OutcomeRobotsDenied   = "robots_denied"
	OutcomeOutOfScope     = "out_of_scope"
	OutcomeTooLarge       = "too_large"
	OutcomeBadContentType = "bad_content_type"
	OutcomeHTTPError      = "http_error"
	OutcomeTimeout        = "timeout"
	OutcomeNetworkError   = "network_error"
	OutcomeBlockedAddress = "blocked_address"
	OutcomeInvalid        = "invalid"
	OutcomeDeadLetter     = "dead_letter"
)

// Outcome records how the fetcher finished with one URL. Published on
// crawl.outcome.
type Outcome struct {
	V       int       `json:"v"`
	URL     string    `json:"url"`
	Stage   string    `json:"stage"`
	Outcome string    `json:"outcome"`
	Reason  string    `json:"reason,omitempty"`
	Status  int       `json:"status,omitempty"`
	TraceID string    `json:"trace_id,omitempty"`
	At      time.Time `json:"at"`
}

// DeadLetter records one message a stage gave up on, with its payload, so
// an operator can inspect it and send it back (newsflow deadletters).
type DeadLetter struct {
	V        int    `json:"v"`
	Stage    string `json:"stage"`
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	// Seq is the message's sequence in Stream.
	Seq     uint64 `json:"seq"`
	Subject string `json:"subject"`
	// Fate is "invalid", "failed" or "dead_letter".
	Fate     string    `json:"fate"`
	Reason   string    `json:"reason"`
	Attempts int       `json:"attempts"`
	URL      string    `json:"url,omitempty"`
	TraceID  string    `json:"trace_id,omitempty"`
	At       time.Time `json:"at"`
	// Data is the payload, cut at MaxDeadLetterData bytes (Truncated).
	Data      []byte `json:"data"`
	Truncated bool   `json:"truncated,omitempty"`
}

// MaxDeadLetterData bounds the payload kept in a dead-letter record, so a
// huge poison message cannot make its own record unpublishable.
const MaxDeadLetterData = 256 << 10

// MessageURL returns the URL the request is about.
func (r *CrawlRequest) MessageURL() string { return r.URL }

// MessageURL returns the URL the page was fetched from.
func (p *FetchedPage) MessageURL() string { return p.URL }

// MessageURL returns the URL the article was fetched from.
func (a *Article) MessageURL() string { return a.URL }
