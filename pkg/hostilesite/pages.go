package hostilesite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// words make up the articles' prose: ordinary news vocabulary, so the
// extractor reads the pages as stories.
var words = strings.Fields(`council city mayor budget vote members residents plan housing
transport river bridge school hospital police report minister government
election campaign voters market prices energy water weather storm harbour
festival museum library street district station railway airport workers union
strike agreement talks officials statement spokesperson investigation court
judge ruling appeal evidence witness families community neighbours volunteers
funding project construction delay contract company shares profits losses
growth jobs industry farmers harvest drought flood emergency services
firefighters rescue crews road closure traffic commuters passengers tickets
fares schedule morning evening weekend week month year decade history
archive records survey figures data analysis experts researchers university
students teachers parents children health doctors nurses patients care`)

// articleOptions shape one article page.
type articleOptions struct {
	title    string // default: from the path
	siteName string // default: Hostile Herald
	// paragraphs of generated prose (default 8); text, if set, replaces
	// the prose of paragraph i when it returns a non-empty string.
	paragraphs int
	text       func(i int) string
	// before and after go around the <article> (deep nesting, giant
	// attributes).
	before, after string
}

// articleHTML renders a news article whose prose is seeded by its path.
func articleHTML(path string, o articleOptions) []byte {
	if o.title == "" {
		slug := path[strings.LastIndexByte(path, '/')+1:]
		o.title = strings.ToUpper(slug[:min(len(slug), 1)]) + strings.ReplaceAll(slug[min(len(slug), 1):min(len(slug), 90)], "-", " ")
	}
	if o.siteName == "" {
		o.siteName = "Hostile Herald"
	}
	if o.paragraphs == 0 {
		o.paragraphs = 8
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	rng := rand.New(rand.NewPCG(h.Sum64(), 11))
	headline, _ := json.Marshal(o.title)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>%s</title>
<meta property="og:type" content="article">
<meta property="og:title" content="%s">
<meta property="og:site_name" content="%s">
<meta property="article:published_time" content="2026-11-29T08:30:00Z">
<link rel="canonical" href="%s">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":%s,"datePublished":"2026-11-29T08:30:00Z","author":{"@type":"Person","name":"Ada Reporter"}}</script>
</head><body>
`, html.EscapeString(o.title), html.EscapeString(o.title), html.EscapeString(o.siteName), html.EscapeString(path), headline)
	b.WriteString(o.before)
	fmt.Fprintf(&b, `<article><h1>%s</h1><p class="byline">By Ada Reporter</p>
<time datetime="2026-11-29T08:30:00Z">29 November 2026</time>
<div class="article-body">
`, html.EscapeString(o.title))
	for i := range o.paragraphs {
		text := ""
		if o.text != nil {
			text = o.text(i)
		}
		if text == "" {
			text = html.EscapeString(prose(rng, 4+rng.IntN(3)))
		}
		b.WriteString("<p>" + text + "</p>\n")
	}
	b.WriteString("</div></article>\n")
	b.WriteString(o.after)
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

// prose returns n sentences of news-like words.
func prose(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		k := 8 + rng.IntN(9)
		for j := range k {
			w := words[rng.IntN(len(words))]
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		b.WriteByte('.')
	}
	return b.String()
}

// The large pages, built once.
var (
	deepDOMPage = sync.OnceValue(func() []byte {
		return articleHTML(PathDeepDOM, articleOptions{
			before: strings.Repeat("<div>", DeepDOMLevels),
			after:  strings.Repeat("</div>", DeepDOMLevels),
		})
	})
	giantAttributePage = sync.OnceValue(func() []byte {
		return articleHTML(PathGiantAttribute, articleOptions{
			before: `<div class="tracking" data-payload="` + strings.Repeat("A", GiantAttributeBytes) + `"></div>`,
		})
	})
	hugeArticlePage = sync.OnceValue(func() []byte {
		// About 480 bytes a paragraph: some to spare.
		return articleHTML(PathHugeArticle, articleOptions{paragraphs: HugeArticleBytes / 400})
	})
	binaryPage = sync.OnceValue(func() []byte {
		var seed [32]byte
		copy(seed[:], "hostilesite: random bytes as html")
		b := make([]byte, BinaryBytes)
		rand.NewChaCha8(seed).Read(b)
		return b
	})
)

// longSiteName is LongSiteNameBytes of made-up words, as incompressible
// as LongURLPath's slug.
func longSiteName() string {
	return "The " + gibberish(LongSiteNameBytes-4, ' ')
}

// gibberish returns n bytes of random lower-case words of 2 to 9 letters
// separated by sep, the same on every call.
func gibberish(n int, sep byte) string {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(sep)))
	b := make([]byte, 0, n+10)
	for len(b) < n {
		if len(b) > 0 {
			b = append(b, sep)
		}
		for range 2 + rng.IntN(8) {
			b = append(b, byte('a'+rng.IntN(26)))
		}
	}
	b = b[:n]
	if n > 0 && b[n-1] == sep {
		b[n-1] = 'x'
	}
	return string(b)
}

// controlText is the paragraph of PathControlChars: STX and ETX (a search
// snippet's own highlight markers) around ControlWord, next to
// "councillors", and other C0 controls besides.
const controlText = "The councillors \x02" + ControlWord + "\x03 the vote through at night, \x01the minutes say\x07, " +
	"while the \x1b[31mred\x1b[0m ink of the agenda ran\x7f and a \x0bvertical tab\x0c and form feed slipped in."

func (s *Site) article(w http.ResponseWriter, r *http.Request) {
	var page []byte
	switch r.URL.Path {
	case PathDeepDOM:
		page = deepDOMPage()
	case PathGiantAttribute:
		page = giantAttributePage()
	case PathHugeArticle:
		page = hugeArticlePage()
	case PathLongSiteName:
		page = articleHTML(r.URL.Path, articleOptions{siteName: longSiteName()})
	case PathControlChars:
		page = articleHTML(r.URL.Path, articleOptions{
			title: "Council \x02vote\x03 passed\x07 at night",
			text: func(i int) string {
				if i == 2 {
					return controlText
				}
				return ""
			},
		})
	default:
		page = articleHTML(r.URL.Path, articleOptions{})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

func (s *Site) binary(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(binaryPage())
}

func (s *Site) links(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Every link</title></head><body><h1>Every link</h1><ul>`)
	for i := range LinkCount {
		fmt.Fprintf(&b, `<li><a href="/links/to/%d">Linked page %d</a></li>`, i, i)
	}
	b.WriteString("</ul></body></html>")
	w.Write([]byte(b.String()))
}
