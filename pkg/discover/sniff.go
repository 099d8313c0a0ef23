package discover

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
)

// sniffWindow is how much of a (decompressed) body Detect reads.
const sniffWindow = 8 << 10

// Detect says what a fetched body is, KindFeed, KindSitemap, KindRobots
// or KindPage, from its bytes first and then from its Content-Type and the
// kind the crawl expected (a schema.Hints.Kind).
//
// The bytes decide whenever they can: an RSS, RDF (RSS 1.0), Atom or JSON
// Feed document is a feed and a urlset or sitemapindex is a sitemap,
// whatever the Content-Type says (text/html, text/plain,
// application/octet-stream); an HTML document is a page even when a feed
// was expected. The root element is found as the MIME Sniffing standard
// finds a mislabelled feed: after a byte order mark, white space,
// comments, processing instructions and a DOCTYPE. A gzipped body is
// looked into. A list of http(s) URLs is a text sitemap when a sitemap was
// expected or it was served as text/plain.
//
// When the bytes say nothing (empty, truncated, unknown), a feed media
// type (application/rss+xml, atom+xml, rdf+xml, feed+json) makes a feed,
// and an expected feed or sitemap stays one unless served as HTML, so that
// Parse reports why it cannot be read.
func Detect(contentType string, body []byte, expected string) string {
	if expected == KindRobots {
		return KindRobots
	}
	media := mediaTypeOf(contentType)
	head, gzipped := sniffHead(body)
	switch k := sniffContent(head); k {
	case sniffFeed:
		return KindFeed
	case sniffRDF:
		if expected == KindFeed || bytes.Contains(head, []byte("http://purl.org/rss/1.0/")) {
			return KindFeed
		}
		return KindPage
	case sniffSitemap:
		return KindSitemap
	case sniffHTML, sniffOtherXML:
		return KindPage
	case sniffURLList:
		if expected == KindSitemap || gzipped || media == "text/plain" || media == "application/octet-stream" {
			return KindSitemap
		}
		return KindPage
	case sniffJSON:
		if bytes.Contains(head, []byte("jsonfeed.org/version")) ||
			media == "application/feed+json" || expected == KindFeed {
			return KindFeed
		}
		return KindPage
	}
	switch {
	case media == "application/rss+xml" || media == "application/atom+xml" ||
		media == "application/rdf+xml" || media == "application/feed+json":
		return KindFeed
	case media == "text/html" || media == "application/xhtml+xml":
		return KindPage
	case expected == KindFeed || expected == KindSitemap:
		return expected
	}
	return KindPage
}

// sniffHead returns the first sniffWindow bytes of body, decompressed
// if it is gzipped.
func sniffHead(body []byte) (head []byte, gzipped bool) {
	for layer := 0; layer < 2 && isGzip(body); layer++ {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, true
		}
		body, _ = io.ReadAll(io.LimitReader(zr, sniffWindow))
		gzipped = true
	}
	return body[:min(len(body), sniffWindow)], gzipped
}

// What the start of a body looks like.
type sniffed int

const (
	sniffUnknown  sniffed = iota
	sniffFeed             // <rss>, <feed>
	sniffRDF              // <rdf:RDF>: a feed if RSS 1.0
	sniffSitemap          // <urlset>, <sitemapindex>
	sniffHTML             // <html>, <!DOCTYPE html>, or HTML-looking
	sniffOtherXML         // any other root element
	sniffJSON             // "{"
	sniffURLList          // lines of http(s) URLs
)

// sniffContent classifies the start of a body.
func sniffContent(head []byte) sniffed {
	b := head
	if isUTF16(b) {
		b = toUTF8(b, "")
	}
	b = bytes.TrimPrefix(b, bomUTF8)
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) == 0 {
		return sniffUnknown
	}
	switch b[0] {
	case '<':
		return sniffMarkup(b)
	case '{':
		return sniffJSON
	}
	if isURLList(b) {
		return sniffURLList
	}
	return sniffUnknown
}

// sniffMarkup finds the root element of markup, skipping comments,
// processing instructions and declarations (the MIME Sniffing standard's
// "rules for distinguishing if a resource is a feed or HTML").
func sniffMarkup(b []byte) sniffed {
	for {
		b = bytes.TrimLeft(b, " \t\r\n\f")
		if len(b) < 2 || b[0] != '<' {
			return sniffUnknown
		}
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return sniffUnknown
			}
			b = b[4+i+3:]
			continue
		case hasPrefixFold(b, "<!doctype") && hasPrefixFold(bytes.TrimLeft(b[9:], " \t\r\n"), "html"):
			return sniffHTML
		case b[1] == '!':
			i := bytes.IndexByte(b, '>')
			if i < 0 {
				return sniffUnknown
			}
			b = b[i+1:]
			continue
		case b[1] == '?':
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return sniffUnknown
			}
			b = b[i+2:]
			continue
		}
		name := rootName(b[1:])
		local := name
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			local = name[i+1:]
		}
		switch strings.ToLower(local) {
		case "rss", "feed":
			return sniffFeed
		case "rdf":
			return sniffRDF
		case "urlset", "sitemapindex":
			return sniffSitemap
		case "html", "head", "body", "meta", "title", "script", "style", "link", "div", "p", "a", "table", "iframe", "h1", "br", "b", "font":
			return sniffHTML
		case "":
			return sniffUnknown
		}
		return sniffOtherXML
	}
}

// rootName returns the element name at the start of b.
func rootName(b []byte) string {
	i := 0
	for i < len(b) && i < 256 {
		c := b[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' {
			break
		}
		i++
	}
	return string(b[:i])
}

// isURLList reports whether the first lines of b that are not blank are
// absolute http(s) URLs (at most the first five are looked at; a line cut
// by the sniff window counts if it starts like a URL).
func isURLList(b []byte) bool {
	seen := 0
	for len(b) > 0 && seen < 5 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		lower := bytes.ToLower(line[:min(len(line), 8)])
		if !bytes.HasPrefix(lower, []byte("http://")) && !bytes.HasPrefix(lower, []byte("https://")) {
			return false
		}
		if bytes.ContainsAny(line, " \t<>\"") {
			return false
		}
		seen++
	}
	return seen > 0
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
