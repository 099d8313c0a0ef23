package discover

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Autodiscovery limits.
const (
	autodiscoverWindow = 256 << 10 // bytes of the page read
	maxAutodiscovered  = 20        // feeds taken from one page
)

// feedTypes are the link types that announce a feed. HTML names
// application/rss+xml and application/atom+xml; RSS 1.0 feeds announce
// application/rdf+xml and JSON Feed application/feed+json. Plain
// application/json is not among them: WordPress announces its REST API
// with it on every post.
var feedTypes = map[string]bool{
	"application/rss+xml":    true,
	"application/atom+xml":   true,
	"application/rdf+xml":    true,
	"application/feed+json":  true,
	"application/x-rss+xml":  true,
	"application/x-atom+xml": true,
}

// Autodiscover returns the feeds an HTML page announces with
// <link rel="alternate" type="application/rss+xml" href="..."> in its head,
// by the HTML rules: rel is a case-insensitive token list, type a MIME
// type whose parameters ("; charset=utf-8") do not matter, and href is
// resolved against the document's base URL (the first <base href>, itself
// resolved against base). It reads at most the first 256 KiB and returns
// at most 20 feeds.
func Autodiscover(body []byte, base *url.URL) []Entry {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), autodiscoverWindow)]))
	var (
		out     []Entry
		baseSet bool
	)
	for len(out) < maxAutodiscovered {
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
		if (a != atom.Link && a != atom.Base) || !hasAttr {
			continue
		}
		var rel, typ, href, title string
		var hasHref bool
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch string(k) {
			case "rel":
				rel = string(v)
			case "type":
				typ = mediaTypeOf(string(v))
			case "href":
				href, hasHref = string(v), true
			case "title":
				title = string(v)
			}
		}
		if a == atom.Base {
			if hasHref && !baseSet && base != nil {
				// Only the first <base href> counts, even if unusable.
				baseSet = true
				if b, err := urlnorm.Resolve(base.String(), href); err == nil {
					if u, err := url.Parse(b); err == nil {
						base = u
					}
				}
			}
			continue
		}
		if strings.TrimSpace(href) != "" && feedTypes[typ] && hasToken(rel, "alternate") {
			out = append(out, Entry{URL: href, Title: title, Kind: KindFeed})
		}
	}
	return clean(out, base)
}

// hasToken reports whether a space-separated token list holds tok, ASCII
// case-insensitively.
func hasToken(list, tok string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
	}) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
