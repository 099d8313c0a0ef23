// Package discover turns fetched feeds and sitemaps into URLs to crawl,
// with the title and date they announce as hints: XML sitemaps and
// sitemap indexes (including Google News sitemaps), text sitemaps, either
// gzipped, RSS, RDF, Atom and JSON feeds (via gofeed), the Sitemap lines
// of a robots.txt, and feed autodiscovery from an HTML page's
// <link rel="alternate">.
//
// What a body is comes from its bytes first (Detect), as sites serve feeds
// as text/html and sitemaps as text/plain or application/octet-stream;
// the Content-Type and the kind the crawl expected only settle what the
// bytes leave open. XML is read in the charset its declaration names.
//
// Inputs are untrusted: every parser is bounded (MaxListingSize once
// decompressed, MaxXMLDepth, MaxEntries, no entity expansion) and fuzzed.
// No network, no NATS, no logging. The parser service uses it; the
// fetcher only fetches.
package discover

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Kinds of documents (and of discovered URLs), as in schema.Hints.Kind.
const (
	KindPage    = ""
	KindFeed    = schema.KindFeed
	KindSitemap = schema.KindSitemap
	KindRobots  = schema.KindRobots
)

// Limits on what one document may cost.
const (
	// MaxEntries bounds what one document yields (the sitemap protocol's
	// own limit is 50,000).
	MaxEntries = 50000
	// MaxListingSize bounds a feed or sitemap once decompressed. The
	// sitemap protocol allows 50 MB, but 50,000 entries (MaxEntries) fit
	// in well under 16 MiB, and a parser worker must not hold more. A
	// larger document is read up to this size.
	MaxListingSize = 16 << 20
	// MaxXMLDepth bounds element nesting in a feed or sitemap. Sitemaps
	// nest 4 deep, feeds a dozen with XHTML content; a deeper document is
	// refused (ErrTooDeep) before any structure is built for it.
	MaxXMLDepth = 256
	// MaxTitleBytes bounds an entry's title, cut on a rune boundary.
	MaxTitleBytes = 1000
	// maxLineBytes bounds one line of a text sitemap or robots.txt; a
	// longer line is skipped (a URL over urlnorm.MaxLength is refused
	// anyway).
	maxLineBytes = urlnorm.MaxLength
)

// Errors returned by Parse, wrapped with detail.
var (
	// ErrTooDeep is returned for XML nested deeper than MaxXMLDepth.
	ErrTooDeep = errors.New("xml nested too deep")
	// ErrNotListing is returned when a body is not of the kind asked for.
	ErrNotListing = errors.New("not a feed or sitemap")
)

// Entry is one discovered URL.
type Entry struct {
	URL       string
	Title     string
	Published *time.Time
	// Kind is KindSitemap for the children of a sitemap index and the
	// Sitemap lines of a robots.txt, KindFeed for autodiscovered feeds,
	// KindPage otherwise.
	Kind string
}

// Parse extracts the entries of a feed, sitemap or robots.txt body
// fetched from base, as Detect classified it. contentType is the response
// header (its charset is used when an XML document declares none) or a
// bare media type. The body may be gzipped. URLs are resolved against
// base as a browser would and normalised (urlnorm); those that are not
// http(s) or do not normalise are dropped, as are duplicates.
//
// On a malformed document, Parse returns the entries read before the
// fault with the error (a truncated sitemap still yields its first
// entries). Errors: ErrNotListing, ErrTooDeep, XML, JSON and gzip errors.
func Parse(kind, contentType string, body []byte, base *url.URL) ([]Entry, error) {
	body, zerr := decompress(body)
	var (
		entries []Entry
		err     error
	)
	switch kind {
	case KindSitemap:
		if text := toUTF8(body, charsetOf(contentType)); looksLikeXML(text) {
			entries, err = parseXMLSitemap(text)
		} else {
			entries, err = parseTextSitemap(text)
		}
	case KindFeed:
		entries, err = parseFeed(body, charsetOf(contentType))
	case KindRobots:
		entries = parseRobotsSitemaps(body)
	default:
		return nil, ErrNotListing
	}
	if err == nil {
		err = zerr
	}
	return clean(entries, base), err
}

// clean resolves, normalises and de-duplicates entries, and tidies their
// titles.
func clean(entries []Entry, base *url.URL) []Entry {
	baseURL := ""
	if base != nil {
		baseURL = base.String()
		if _, err := urlnorm.Normalize(baseURL); err != nil {
			baseURL = "" // relative entries are dropped
		}
	}
	out := entries[:0]
	seen := map[string]bool{}
	for _, e := range entries {
		var (
			u   string
			err error
		)
		if baseURL != "" {
			u, err = urlnorm.Resolve(baseURL, e.URL)
		} else {
			u, err = urlnorm.Normalize(e.URL)
		}
		if err != nil || seen[u] {
			continue
		}
		seen[u] = true
		e.URL = u
		e.Title = cleanTitle(e.Title)
		out = append(out, e)
		if len(out) >= MaxEntries {
			break
		}
	}
	return out
}

// cleanTitle collapses white space, replaces invalid UTF-8 and cuts the
// title at MaxTitleBytes without splitting a character.
func cleanTitle(s string) string {
	if s == "" {
		return ""
	}
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	return cutUTF8(s, MaxTitleBytes)
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does
// not end inside a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
