// Package discover turns fetched feeds and sitemaps into URLs to crawl,
// with the title and date they announce as hints: XML sitemaps and
// sitemap indexes (including Google News sitemaps), text sitemaps, RSS,
// Atom and JSON feeds (via gofeed), the Sitemap lines of a robots.txt, and
// feed autodiscovery from an HTML page's <link rel="alternate">. Inputs
// are untrusted; every parser is bounded and fuzzed. No network, no NATS.
// The parser uses it; the fetcher only fetches.
package discover

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Kinds of documents (and of discovered URLs), as in schema.Hints.Kind.
const (
	KindPage    = ""
	KindFeed    = schema.KindFeed
	KindSitemap = schema.KindSitemap
	KindRobots  = schema.KindRobots
)

// MaxEntries bounds what one document yields (the sitemap protocol's own
// limit is 50,000).
const MaxEntries = 50000

// Entry is one discovered URL.
type Entry struct {
	URL       string
	Title     string
	Published *time.Time
	// Kind is KindSitemap for the children of a sitemap index, KindFeed
	// for autodiscovered feeds, KindPage otherwise.
	Kind string
}

// Detect says whether a body is a feed or a sitemap, from its media type,
// its first element and the kind the request expected.
func Detect(mediaType string, body []byte, expected string) string {
	if expected == KindRobots {
		return KindRobots
	}
	switch mediaType {
	case "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json":
		return KindFeed
	case "text/html", "application/xhtml+xml":
		return KindPage
	case "text/plain":
		if expected == KindSitemap {
			return KindSitemap
		}
		return KindPage
	case "application/json":
		if expected == KindFeed || bytes.Contains(body[:min(len(body), 512)], []byte("jsonfeed.org")) {
			return KindFeed
		}
		return KindPage
	}
	switch rootElement(body) {
	case "urlset", "sitemapindex":
		return KindSitemap
	case "rss", "feed", "RDF":
		return KindFeed
	}
	return KindPage
}

// rootElement returns the local name of the first XML element, or "".
func rootElement(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body[:min(len(body), 4096)]))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// Parse extracts the entries of a feed or sitemap body fetched from base.
// Relative and non-http(s) URLs are resolved or dropped.
func Parse(kind string, mediaType string, body []byte, base *url.URL) ([]Entry, error) {
	var (
		entries []Entry
		err     error
	)
	switch kind {
	case KindSitemap:
		if mediaType == "text/plain" {
			entries = parseTextSitemap(body)
		} else {
			entries, err = parseXMLSitemap(body)
		}
	case KindFeed:
		entries, err = parseFeed(body)
	case KindRobots:
		entries = parseRobotsSitemaps(body)
	default:
		return nil, errors.New("not a feed or sitemap")
	}
	return clean(entries, base), err
}

func clean(entries []Entry, base *url.URL) []Entry {
	out := entries[:0]
	seen := map[string]bool{}
	for _, e := range entries {
		u, err := url.Parse(strings.TrimSpace(e.URL))
		if err != nil {
			continue
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		u.Fragment = ""
		e.URL = u.String()
		if seen[e.URL] {
			continue
		}
		seen[e.URL] = true
		e.Title = strings.TrimSpace(e.Title)
		if len(e.Title) > 1000 {
			e.Title = e.Title[:1000]
		}
		out = append(out, e)
		if len(out) >= MaxEntries {
			break
		}
	}
	return out
}

func parseTextSitemap(body []byte) []Entry {
	return scanLines(body, func(line string) (Entry, bool) {
		line = strings.TrimSpace(line)
		ok := strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://")
		return Entry{URL: line}, ok
	})
}

// parseRobotsSitemaps reads the Sitemap lines of a robots.txt (RFC 9309
// section 2.2.4: the field name is case-insensitive).
func parseRobotsSitemaps(body []byte) []Entry {
	return scanLines(body, func(line string) (Entry, bool) {
		name, value, ok := strings.Cut(line, ":")
		ok = ok && strings.EqualFold(strings.TrimSpace(name), "sitemap")
		return Entry{URL: strings.TrimSpace(value), Kind: KindSitemap}, ok
	})
}

// scanLines returns the entries entry makes of body's lines, at most
// MaxEntries; lines over 8 KiB end the scan.
func scanLines(body []byte, entry func(line string) (Entry, bool)) []Entry {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 8192)
	for sc.Scan() && len(out) < MaxEntries {
		if e, ok := entry(sc.Text()); ok {
			out = append(out, e)
		}
	}
	return out
}

// parseXMLSitemap reads urlset and sitemapindex documents, including the
// Google News extension (news:title, news:publication_date).
func parseXMLSitemap(body []byte) ([]Entry, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var (
		out     []Entry
		cur     *Entry
		index   bool
		path    []string
		lastmod string
		newsPub string
	)
	for len(out) < MaxEntries {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			path = append(path, name)
			switch {
			case name == "sitemapindex":
				index = true
			case (name == "url" || name == "sitemap") && len(path) == 2:
				cur = &Entry{}
				lastmod, newsPub = "", ""
				if index || name == "sitemap" {
					cur.Kind = KindSitemap
				}
			}
		case xml.CharData:
			if cur == nil || len(path) < 3 {
				continue
			}
			text := string(t)
			switch path[len(path)-1] {
			case "loc":
				if len(path) == 3 {
					cur.URL += text
				}
			case "lastmod":
				lastmod += text
			case "title":
				if len(path) >= 4 && path[len(path)-2] == "news" {
					cur.Title += text
				}
			case "publication_date":
				newsPub += text
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			if cur != nil && len(path) == 1 && (t.Name.Local == "url" || t.Name.Local == "sitemap") {
				if ts := parseTime(newsPub); ts != nil {
					cur.Published = ts
				} else if ts := parseTime(lastmod); ts != nil && cur.Kind == KindPage {
					cur.Published = ts
				}
				out = append(out, *cur)
				cur = nil
			}
		}
	}
	return out, nil
}

var timeLayouts = []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return &t
		}
	}
	return nil
}

func parseFeed(body []byte) ([]Entry, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" {
			continue
		}
		e := Entry{URL: link, Title: it.Title}
		if it.PublishedParsed != nil {
			t := *it.PublishedParsed
			e.Published = &t
		} else if it.UpdatedParsed != nil {
			t := *it.UpdatedParsed
			e.Published = &t
		}
		out = append(out, e)
		if len(out) >= MaxEntries {
			break
		}
	}
	return out, nil
}

var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
	"application/rdf+xml":   true,
}

// Autodiscover returns the feeds an HTML page announces with
// <link rel="alternate" type="application/rss+xml" href="...">, resolved
// against base. It reads at most the first 256 KiB.
func Autodiscover(body []byte, base *url.URL) []Entry {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), 256<<10)]))
	var out []Entry
	for len(out) < 20 {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if a == atom.Body {
			break
		}
		if a != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href, title string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(strings.TrimSpace(string(v)))
			case "href":
				href = string(v)
			case "title":
				title = string(v)
			}
			if !more {
				break
			}
		}
		if href != "" && feedTypes[typ] && hasToken(rel, "alternate") {
			out = append(out, Entry{URL: href, Title: title, Kind: KindFeed})
		}
	}
	return clean(out, base)
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if f == tok {
			return true
		}
	}
	return false
}
