package extract

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// maxHostileTime bounds one Extract call on the huge hostile inputs. It is
// generous because CI shares small machines; the point is "bounded", not
// "fast".
const maxHostileTime = 20 * time.Second

// maxFuzzTime bounds one Extract call on a fuzzed input, which the fuzzer
// keeps small (kilobytes).
const maxFuzzTime = 5 * time.Second

// hostileInputs are deep and huge DOMs. They are far too big to be fuzz
// seeds (the fuzzer would spend its minute mutating megabytes), so they run
// as a plain test.
func hostileInputs() [][]byte {
	return [][]byte{
		[]byte(strings.Repeat("<div>", 100000) + "deep" + strings.Repeat("</div>", 100000)),
		[]byte(strings.Repeat("<a href=x>", 20000) + "links"),
		[]byte(strings.Repeat("<table><tr><td>", 5000) + "cells"),
		[]byte("<html><body><p>" + strings.Repeat("lorem ipsum dolor sit amet, ", 5<<20/28) + "</p></body></html>"),
		[]byte(strings.Repeat("<p>x", 100000)),
		[]byte("<script type=application/ld+json>" + strings.Repeat("[", 100000) + "</script>"),
		[]byte(strings.Repeat("<script>x</script><style>y</style><!-- z -->", 50000)),
		[]byte(strings.Repeat("<svg><math>", 20000) + "<script>x</script>"),
	}
}

// TestHostileInputs checks that deep and huge DOMs neither panic nor hang.
func TestHostileInputs(t *testing.T) {
	for i, s := range hostileInputs() {
		start := time.Now()
		a, err := Extract(Input{URL: "https://example.org/x", Body: s, Now: testNow})
		if d := time.Since(start); d > maxHostileTime {
			t.Errorf("input %d: Extract took %v", i, d)
		}
		if err == nil && a == nil {
			t.Errorf("input %d: nil article without error", i)
		}
	}
}

// fuzzSeeds are small pages, each exercising one path of the extractor:
// metadata sources, boilerplate boxes, text layouts, charsets, and the
// markup prepass has to step over.
var fuzzSeeds = []struct {
	body, contentType string
}{
	{`<html lang="en"><head><title>Bridge opens | Daily</title><meta property="og:title" content="Bridge opens"><meta name="author" content="Jane Doe"><meta property="article:published_time" content="2020-08-22T03:04:00+05:30"><link rel="canonical" href="/news/bridge"></head><body><article><h1>Bridge opens</h1><p class="byline">By Jane Doe</p><p>The new bridge over the river opened on Saturday, after three years of work, the city said.</p><p>Traffic is expected to ease, officials said, though tolls will apply.</p></article></body></html>`, "text/html; charset=utf-8"},
	{`<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"Port record","author":[{"@type":"Person","name":"Ana Ruiz"}],"datePublished":"2019-11-18","publisher":{"@type":"Organization","name":"Diario"}}]}</script><div itemprop="articleBody"><p>El puerto bate su récord de contenedores, con un aumento del 12 %.</p></div>`, ""},
	{`<div itemscope itemtype="https://schema.org/NewsArticle"><span itemprop="author" itemscope><span itemprop="name">Marco Bianchi</span></span><time itemprop="datePublished" datetime="2018-10-09T10:00:00+02:00">9 ottobre 2018</time><div itemprop="articleBody"><p>Il museo riapre dopo il restauro, con tre sale nuove.</p></div></div>`, "text/html"},
	{`<body><nav><a href="/">Home</a><a href="/world">World</a></nav><div class="share-bar"><a href="#">Share</a></div><div class="story-body"><p>Reuters | Updated: 22-08-2020 03:12 IST | Created: 22-08-2020 03:04 IST</p><p>Trade envoy to visit Oslo and Warsaw next week, the ministry said on Friday.</p><aside class="related"><h3>TRENDING</h3><ul><li><a href="/a">A story</a></li></ul></aside></div><footer>© 2020</footer></body>`, ""},
	{`<p>First line<br>second line<br><br>New paragraph after two breaks.</p><table><tr><th>City</th><th>Trees</th></tr><tr><td>Oslo</td><td>10,000</td></tr></table><ul><li>one</li><li>two</li></ul><blockquote class="twitter-tweet"><p>Quoted tweet</p>— Jane Doe (@jane) November 18, 2019</blockquote><pre>code  block</pre>`, ""},
	{`<!-- <script>not a script</script> --><script>var s = "</p>"; if (a < b) {}</script><style>p { color: red }</style><textarea><script>kept</script></textarea><title>t</title><svg><style>x</style><script>y</script></svg><noscript><img src="p.gif"></noscript><p a='x>y' b=c/>Text after odd markup.</p>`, ""},
	{`<script><!--<script>nested</script>--></script><p>after</p><plaintext><script>x</script>`, ""},
	{`<meta charset="windows-1251"><p>` + "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0" + `</p>`, ""},
	{"\xff\xfe<\x00p\x00>\x00h\x00i\x00", ""},
	{"<p>Caf\xe9 cr\xe8me</p>", "text/html; charset=iso-8859-1"},
	{strings.Repeat("<div>", 300) + "deep text" + strings.Repeat("</div>", 300), ""},
	{`<div class="a`, ""},
	{`<a href="https://example.org/tag/x" rel="tag">x</a><a href="../rel?q=1#frag">rel</a><a href="mailto:a@b.c">m</a><img src="data:x"><img src="/i.jpg" width="800">`, ""},
	{`<html><body><h1>Section</h1><ul><li><a href="/1">One headline here</a></li><li><a href="/2">Two headline here</a></li><li><a href="/3">Three headline here</a></li></ul></body></html>`, ""},
}

func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s.body), s.contentType)
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		start := time.Now()
		a, err := Extract(Input{URL: "https://example.org/2020/01/02/x", ContentType: contentType, Body: body, Now: testNow})
		if d := time.Since(start); d > maxFuzzTime {
			t.Fatalf("Extract took %v on %d bytes", d, len(body))
		}
		if err == nil && a == nil {
			t.Fatal("nil article without error")
		}
	})
}

// FuzzPrepass checks that the pre-pass never changes the tree as far as
// the extractor reads it (extractorView), and never grows the page by more
// than the hash attribute it puts on an <a>.
func FuzzPrepass(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s.body))
	}
	for _, s := range []string{
		`<svg class=i><title>t</title><g><path d="M0"/></g></svg><a href=/ data-x=1 title=a>l</a><!-- c --><p>x`,
		"<table> <!-- c -->x<tr><td><!-- c --><p>y</p></td></tr></table><pre><!-- c -->\nz</pre>",
		`<math><mi>x</mi><mo>=</mo><mn>1</mn></math><b data-x=1><b data-x=2><b data-x=3><b data-x=4><p>t</b>`,
		`<a href=/ data-i=1><div><a href=/ data-i=2><div><a href=/ data-i=3><div><a href=/ data-i=1><div>t`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := prepass(b)
		if len(p) > len(b)+bytes.Count(b, []byte("<"))*(len(hashAttr)+19) {
			t.Fatalf("pre-pass grew %d bytes to %d", len(b), len(p))
		}
		if want, got := extractorView(t, b), extractorView(t, p); want != got {
			t.Fatalf("tree changed:\n%s\n%s\npre-passed: %q", want, got, p)
		}
	})
}

// FuzzParseDate checks that any text reads as no date or as a date the
// calendar has, never a panic.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Aug. 22, 2020, 3:04 PM EDT", "22. August 2020, 14:30 Uhr", "2021. március 3.", "١٥ مارس ٢٠٢١",
		"14 มีนาคม 2563", "2020年4月14日", "Publié le 14/07/2019 à 18h30, mis à jour le 15/07/2019", "5 ΙΑΝΟΥΑΡΙΟΥ 2021"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, mdy := range []bool{false, true} {
			if d, ok := parseDate(s, mdy, testNow); ok && (d.Year() < 1900 || d.Year() > 2200) {
				t.Fatalf("parseDate(%q) = %v, out of range", s, d)
			}
		}
		textDates(s, false, testNow)
		findDates(s, false, testNow, 8)
	})
}

// FuzzSplitNames checks that any byline cuts into clean names, never a
// panic.
func FuzzSplitNames(f *testing.F) {
	for _, s := range []string{"By Jane Doe and John Roe", "Par Claire Dubois et Marc Petit (avec AFP)", "Lucas Nolte22 Dec 2016651",
		"Jong, Michiel de", "Автор: Егор Лебедев", "홍길동 기자", "Bruno (Henrique) Rodrigo", "Finian Roe. Example International"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range splitNames(s, []string{"Example"}) {
			if a.name == "" || strings.ContainsAny(a.name, "0123456789@") {
				t.Fatalf("splitNames(%q) gave %q", s, a.name)
			}
		}
	})
}
