package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Version is the extractor version written into Article.extractor_version.
// It changes whenever the output for the same page changes.
const Version = "8"

// maxInput bounds the bytes parsed; pages beyond it are cut, which keeps
// the time spent on one page bounded.
const maxInput = 16 << 20

// ErrDecode is returned, wrapped, when the body cannot be turned into text.
var ErrDecode = errors.New("undecodable body")

// Input is one fetched page.
type Input struct {
	URL         string // final URL of the page: resolves relative links, URL-date fallback
	ContentType string // HTTP Content-Type header value, may carry charset; may be empty
	Body        []byte // raw bytes as fetched (any charset)
	Hints       *Hints // optional: title/published from a feed or sitemap, used only as a fallback
	// Now is the time of extraction, the library's only clock: a date
	// later than Now (give or take a day and a half of time zones) is
	// not a publication date, and two-digit years are read as the
	// century that puts them closest before it. Callers pass the
	// fetch time, or time.Now(); zero accepts any date up to 2200.
	Now time.Time
	// NoLinks says the caller follows no link of this page (it is at the
	// crawl's deepest depth): Article.Links stays empty, and resolving
	// every href is saved. Nothing else of the result changes.
	NoLinks bool
}

// Hints are what a feed or sitemap said about the page; they fill fields
// the page itself leaves empty.
type Hints struct {
	Title     string
	Published *time.Time
}

// Link is one outgoing link: absolute, fragment removed, http(s) only.
type Link struct {
	URL  string
	Text string
}

// Article is what Extract finds in a page. Provenance maps a field name
// (the JSON names of schema.Article) to the source that gave it: "json-ld",
// "opengraph", "meta", "microdata", "time", "text", "url", "hint" or "html".
type Article struct {
	Title, CanonicalURL, SiteName, Language, Description, Image, Section string

	Authors             []string
	Published, Modified *time.Time // with the page's own offset
	Tags                []string
	Body                string // main text, paragraphs separated by "\n\n"
	HTML                string // clean HTML of the same content
	PageType            string // schema.PageArticle, PageListing, PageSection or PageHome
	// PageTypeReason says why the page got its type: the rule that decided
	// and the signals it read, as "section: mostly links (no date; 3 prose
	// blocks, 420 chars; link density 0.62)". Provenance["page_type"] holds
	// the same text.
	PageTypeReason string
	WordCount      int
	Links          []Link // every outgoing link of the page, deduplicated
	Provenance     map[string]string
}

// Extract reads one HTML page and returns its article and links. It returns
// an error wrapping ErrDecode only when the body cannot be decoded or parsed
// at all; a page with no story yields an Article with an empty Body and a
// non-article PageType. Extract never panics.
func Extract(in Input) (a *Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("extract %s: internal error: %v", in.URL, r)
		}
	}()
	body := in.Body
	if len(body) > maxInput {
		body = body[:maxInput]
	}
	text, _, err := decode(body, in.ContentType)
	if err != nil {
		return nil, fmt.Errorf("decode: %w: %v", ErrDecode, err)
	}
	doc, err := prepassParse(text)
	if err != nil {
		return nil, fmt.Errorf("parse: %w: %v", ErrDecode, err)
	}
	base, _ := url.Parse(in.URL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	pg := walk(doc, base, !in.NoLinks)
	c := selectContent(pg)
	a = &Article{Provenance: map[string]string{}, Links: pg.links}
	if len(c.blocks) > 0 {
		a.Provenance["body"] = "html"
	}
	fillMetadata(a, pg, &c, in, base)
	// The body is rendered once, after the title is known, so a headline
	// repeated at the top of the story can be left out.
	blocks := dropTitle(c.blocks, a.Title, pg.signals.title)
	a.Body = renderText(blocks)
	a.HTML = renderHTML(blocks)
	a.WordCount = countWords(a.Body)
	pg.release()
	return a, nil
}

// parseHTML parses the page; when the parser refuses a page for nesting too
// deep, the nesting is flattened and the page parsed again.
func parseHTML(b []byte) (*html.Node, error) {
	doc, err := html.Parse(bytes.NewReader(b))
	if err == nil {
		return doc, nil
	}
	for _, limit := range []int{200, 40} {
		doc, err = html.Parse(bytes.NewReader(flatten(b, limit)))
		if err == nil {
			return doc, nil
		}
	}
	return nil, err
}

var voidTags = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true}

// flatten drops start and end tags nested deeper than limit.
func flatten(b []byte, limit int) []byte {
	z := html.NewTokenizer(bytes.NewReader(b))
	var out bytes.Buffer
	out.Grow(len(b))
	depth := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidTags[string(name)] {
				out.Write(z.Raw())
				continue
			}
			depth++
			if depth > limit {
				continue
			}
		case html.EndTagToken:
			depth--
			if depth >= limit {
				continue
			}
			if depth < 0 {
				depth = 0
			}
		}
		out.Write(z.Raw())
	}
}

// ContentHash returns the hex FNV-1a 64-bit hash of body lowercased with
// whitespace collapsed: equal for bodies that differ only in case and
// spacing. ASCII, most of a body, takes a path without the Unicode tables;
// every other rune is read as a range over the string reads it (an invalid
// byte is U+FFFD).
func ContentHash(body string) string {
	h := uint64(fnvOffset)
	var buf [4]byte
	space := false
	started := false
	for i := 0; i < len(body); {
		c := body[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || '\t' <= c && c <= '\r' { // unicode.IsSpace in ASCII
				space = started
				continue
			}
			if space {
				h = (h ^ ' ') * fnvPrime
				space = false
			}
			started = true
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			h = (h ^ uint64(c)) * fnvPrime
			continue
		}
		r, size := utf8.DecodeRuneInString(body[i:])
		i += size
		if unicode.IsSpace(r) {
			space = started
			continue
		}
		if space {
			h = (h ^ ' ') * fnvPrime
			space = false
		}
		started = true
		n := encodeRune(buf[:], unicode.ToLower(r))
		for _, b := range buf[:n] {
			h = (h ^ uint64(b)) * fnvPrime
		}
	}
	var out [16]byte
	for k := len(out) - 1; k >= 0; k-- {
		out[k] = "0123456789abcdef"[h&0xf]
		h >>= 4
	}
	return string(out[:])
}

func encodeRune(p []byte, r rune) int { return utf8.EncodeRune(p, r) }

// dropTitle removes a headline repeated at the top of the story by markup
// other than <h1>.
func dropTitle(bs []block, titles ...string) []block {
	for i := 0; i < len(bs) && i < 3; i++ {
		t := strings.ToLower(bs[i].text)
		for _, title := range titles {
			title = strings.ToLower(collapse(title))
			if len(title) >= 10 && (t == title || strings.HasPrefix(title, t) && len(t)*10 >= len(title)*8) {
				return append(bs[:i:i], bs[i+1:]...)
			}
		}
	}
	return bs
}
