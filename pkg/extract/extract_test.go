package extract

import (
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/pkg/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// testNow is the clock of every test extraction, so results do not depend
// on the day the tests run.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// goldenPages maps each testdata page to the URL it is extracted as.
var goldenPages = map[string]string{
	"wire_portal":    "https://portal.example.org/headlines/international/trade-envoy-to-visit-oslo-warsaw-1234567",
	"jsonld_graph":   "https://zeitung.example/lokales/neue-bruecke-ueber-den-fluss-eroeffnet-100.html",
	"opengraph_meta": "https://journal.example/culture/festival-de-jazz-public-record?utm_source=rss",
	"microdata":      "https://diario.example/economia/el-puerto-bate-su-record-de-contenedores",
	"byline_time":    "https://giornale.example/cultura/museo-riapre-dopo-restauro",
	"url_date":       "https://dorpskrant.example/2017/03/21/lokale-bakkerij-wint-landelijke-prijs/",
	"boilerplate":    "https://daily.example/news/local/city-plans-to-plant-10000-trees",
	"home":           "https://courier.example/",
	"section":        "https://courier.example/business/",
	"split_story":    "https://deltareview.example/science/delta-sinking",
	// Fixtures of the metadata rules: dates, authors, titles, page type.
	"dateline_de":               "https://stadtanzeiger.example/lokales/stadtrat-sperrt-alte-bruecke",
	"byline_fr":                 "https://courrier.example/local/le-conseil-ferme-le-vieux-pont",
	"listing_teasers":           "https://times.example/local/page/2/",
	"story_in_listing_template": "https://times.example/local/ferry",
}

// golden is the stable JSON form of an Article for golden files.
type golden struct {
	Title        string            `json:"title"`
	CanonicalURL string            `json:"canonical_url"`
	SiteName     string            `json:"site_name,omitempty"`
	Language     string            `json:"language,omitempty"`
	Description  string            `json:"description,omitempty"`
	Image        string            `json:"image,omitempty"`
	Section      string            `json:"section,omitempty"`
	Authors      []string          `json:"authors,omitempty"`
	Published    *time.Time        `json:"published,omitempty"`
	Modified     *time.Time        `json:"modified,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	PageType     string            `json:"page_type"`
	WordCount    int               `json:"word_count"`
	Provenance   map[string]string `json:"provenance"`
	Body         []string          `json:"body"` // split on blank lines for readable diffs
	HTML         string            `json:"html"`
	Links        []Link            `json:"links"`
}

func toGolden(a *Article) golden {
	var body []string
	if a.Body != "" {
		body = strings.Split(a.Body, "\n\n")
	}
	return golden{
		Title: a.Title, CanonicalURL: a.CanonicalURL, SiteName: a.SiteName, Language: a.Language,
		Description: a.Description, Image: a.Image, Section: a.Section, Authors: a.Authors,
		Published: a.Published, Modified: a.Modified, Tags: a.Tags, PageType: a.PageType,
		WordCount: a.WordCount, Provenance: a.Provenance, Body: body, HTML: a.HTML, Links: a.Links,
	}
}

func extractFile(t *testing.T, name string) *Article {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Extract(Input{URL: goldenPages[name], ContentType: "text/html", Body: b, Now: testNow})
	if err != nil {
		t.Fatalf("Extract(%s): %v", name, err)
	}
	return a
}

func TestGolden(t *testing.T) {
	for name := range goldenPages {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(toGolden(extractFile(t, name)), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from golden file; run go test -update and review the diff\ngot:\n%s", name, got)
			}
		})
	}
}

// TestStoryOnly checks, independently of the golden files, that the story
// pages keep their text and lose the boilerplate around it.
func TestStoryOnly(t *testing.T) {
	tests := []struct {
		page     string
		want     []string
		dontWant []string
	}{
		{
			page: "wire_portal",
			want: []string{"The deputy trade envoy will visit Oslo", "keep both sides at the table"},
			dontWant: []string{"TRENDING", "OPINION", "Latest News", "newsletter", "Left Menu", "Updated:", "Image Credit",
				"Advertisement", "Copyright", "Why small ports", "EXCLUSIVE-Trade envoy", "Development News Edition", "Facebook"},
		},
		{
			page:     "boilerplate",
			want:     []string{"approved a plan to plant 10,000 trees", "How residents can take part", "Shade is not a luxury", "2024 1,500"},
			dontWant: []string{"cookies", "By Sam Carter", "Share", "Related", "Heat map", "ADVERTISEMENT", "morning briefing", "covers city hall", "Tags:", "Great news", "Most Popular", "Photo by", "All rights reserved", "City plans to plant"},
		},
		{
			page:     "jsonld_graph",
			want:     []string{"Nach drei Jahren Bauzeit", "Weniger Stau in der Innenstadt", "Länge: 240 Meter", "Das ist ein guter Tag"},
			dontWant: []string{"Von Anna Schmidt", "Kommentare", "Endlich", "Startseite", "Impressum"},
		},
		{
			page:     "opengraph_meta",
			want:     []string{"Plus de 80 000 spectateurs", "le public nous a suivis"},
			dontWant: []string{"cookies", "Partager", "À lire aussi", "Par Claire Dubois"},
		},
		{
			page:     "byline_time",
			want:     []string{"Il museo civico riapre", "visite guidate"},
			dontWant: []string{"di Giulia Rossi", "Foto:", "scrive di arte", "Cronaca"},
		},
	}
	for _, tt := range tests {
		a := extractFile(t, tt.page)
		if a.PageType != schema.PageArticle {
			t.Errorf("%s: page type %q, want article", tt.page, a.PageType)
		}
		for _, s := range tt.want {
			if !strings.Contains(a.Body, s) {
				t.Errorf("%s: body lacks %q\nbody:\n%s", tt.page, s, a.Body)
			}
		}
		for _, s := range tt.dontWant {
			if strings.Contains(a.Body, s) {
				t.Errorf("%s: body has %q\nbody:\n%s", tt.page, s, a.Body)
			}
		}
	}
}

func TestMetadataSources(t *testing.T) {
	ist := time.FixedZone("", 5*3600+1800)
	tests := []struct {
		page            string
		title           string
		authors         []string
		published       time.Time
		modified        time.Time
		lang            string
		pubSrc, authSrc string
	}{
		{page: "wire_portal", title: "EXCLUSIVE-Trade envoy to visit Oslo and Warsaw for grain talks -sources",
			authors: []string{"Reuters"}, published: time.Date(2020, 8, 22, 3, 4, 0, 0, ist), modified: time.Date(2020, 8, 22, 3, 12, 0, 0, ist),
			lang: "en", pubSrc: "text", authSrc: "text"},
		{page: "jsonld_graph", title: "Neue Brücke über den Fluss eröffnet", authors: []string{"Anna Schmidt", "Peter Müller"},
			published: time.Date(2021, 3, 4, 9, 15, 0, 0, time.FixedZone("", 3600)), modified: time.Date(2021, 3, 4, 11, 40, 0, 0, time.FixedZone("", 3600)),
			lang: "de", pubSrc: "json-ld", authSrc: "json-ld"},
		{page: "opengraph_meta", title: "Le festival de jazz attire un public record", authors: []string{"Claire Dubois"},
			published: time.Date(2019, 7, 14, 18, 30, 0, 0, time.FixedZone("", 7200)), modified: time.Date(2019, 7, 15, 8, 5, 0, 0, time.FixedZone("", 7200)),
			lang: "fr", pubSrc: "opengraph", authSrc: "meta"},
		{page: "microdata", title: "El puerto bate su récord de contenedores", authors: []string{"María García"},
			published: time.Date(2022, 1, 10, 10, 0, 0, 0, time.FixedZone("", -3*3600)), modified: time.Date(2022, 1, 10, 12, 30, 0, 0, time.FixedZone("", -3*3600)),
			lang: "es", pubSrc: "microdata", authSrc: "microdata"},
		{page: "byline_time", title: "Il museo riapre dopo il restauro", authors: []string{"Giulia Rossi"},
			published: time.Date(2018, 5, 12, 9, 0, 0, 0, time.FixedZone("", 7200)), lang: "it", pubSrc: "time", authSrc: "text"},
		{page: "url_date", title: "Lokale bakkerij wint landelijke prijs", published: time.Date(2017, 3, 21, 0, 0, 0, 0, time.UTC), lang: "nl", pubSrc: "url"},
		{page: "boilerplate", title: "City plans to plant 10,000 trees by 2030", authors: []string{"Sam Carter"},
			published: time.Date(2023, 4, 2, 0, 0, 0, 0, time.UTC), lang: "en", pubSrc: "meta", authSrc: "meta"},
	}
	for _, tt := range tests {
		a := extractFile(t, tt.page)
		if a.Title != tt.title {
			t.Errorf("%s: title %q, want %q", tt.page, a.Title, tt.title)
		}
		if strings.Join(a.Authors, "|") != strings.Join(tt.authors, "|") {
			t.Errorf("%s: authors %q, want %q", tt.page, a.Authors, tt.authors)
		}
		if a.Published == nil || !a.Published.Equal(tt.published) || a.Published.Format(time.RFC3339) != tt.published.Format(time.RFC3339) {
			t.Errorf("%s: published %v, want %v", tt.page, a.Published, tt.published)
		}
		if !tt.modified.IsZero() && (a.Modified == nil || a.Modified.Format(time.RFC3339) != tt.modified.Format(time.RFC3339)) {
			t.Errorf("%s: modified %v, want %v", tt.page, a.Modified, tt.modified)
		}
		if a.Language != tt.lang {
			t.Errorf("%s: language %q, want %q", tt.page, a.Language, tt.lang)
		}
		if a.Provenance["published"] != tt.pubSrc {
			t.Errorf("%s: published from %q, want %q", tt.page, a.Provenance["published"], tt.pubSrc)
		}
		if tt.authSrc != "" && a.Provenance["authors"] != tt.authSrc {
			t.Errorf("%s: authors from %q, want %q", tt.page, a.Provenance["authors"], tt.authSrc)
		}
	}
}

func TestPageType(t *testing.T) {
	tests := []struct{ page, want string }{
		{page: "home", want: schema.PageHome},
		{page: "section", want: schema.PageSection},
		{page: "wire_portal", want: schema.PageArticle},
		{page: "url_date", want: schema.PageArticle},
	}
	for _, tt := range tests {
		if got := extractFile(t, tt.page).PageType; got != tt.want {
			t.Errorf("%s: page type %q, want %q", tt.page, got, tt.want)
		}
	}
}

func TestPageTypeUndated(t *testing.T) {
	para := "<p>Our newsroom was founded by a small group of reporters who believed that local stories deserve the same care as global ones, and it still works that way.</p>"
	var story strings.Builder
	for _, who := range []string{"The mayor", "A council engineer", "Local shop owners", "The transport union", "Residents of the east bank", "The regional governor"} {
		fmt.Fprintf(&story, "<p>%s said on Tuesday that closing the old bridge for repairs would send thousands of commuters on a long detour through the industrial district, and asked for a plan by spring.</p>", who)
	}
	tests := []struct{ name, url, body, want string }{
		{name: "about", url: "https://news.example/about/", body: "<h1>About us</h1>" + strings.Repeat(para, 3), want: schema.PageSection},
		{name: "long story", url: "https://news.example/local/council-closes-old-bridge", body: "<h1>Council closes old bridge</h1>" + story.String(), want: schema.PageArticle},
	}
	for _, tt := range tests {
		page := "<html><head><title>x</title></head><body><main>" + tt.body + "</main></body></html>"
		a, err := Extract(Input{URL: tt.url, Body: []byte(page), Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if a.PageType != tt.want {
			t.Errorf("%s: page type %q, want %q", tt.name, a.PageType, tt.want)
		}
	}
}

func TestLinks(t *testing.T) {
	page := `<html><body><a href="/a#x">A</a><a href="/a">A again</a><a href="https://other.example/b?q=1#frag">B</a>
<a href="mailto:x@y">mail</a><a href="javascript:void(0)">js</a><a href="../c">C</a><a href="HTTPS://UP.example/D">D</a></body></html>`
	a, err := Extract(Input{URL: "https://site.example/dir/page.html", Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{
		{URL: "https://site.example/a", Text: "A"},
		{URL: "https://other.example/b?q=1", Text: "B"},
		{URL: "https://site.example/c", Text: "C"},
		{URL: "https://up.example/D", Text: "D"},
	}
	if len(a.Links) != len(want) {
		t.Fatalf("links %v, want %v", a.Links, want)
	}
	for i := range want {
		if a.Links[i] != want[i] {
			t.Errorf("link %d = %v, want %v", i, a.Links[i], want[i])
		}
	}
}

// TestLinkTextPastIndentation: the text of a link around blocks (a teaser
// card) is read up to a limit that counts text, not the indentation of the
// markup before it.
func TestLinkTextPastIndentation(t *testing.T) {
	indent := "\n" + strings.Repeat(" ", 400)
	page := `<html><body><a href="/2024/05/story"><div class="card">` + indent + `<div>` + indent + `<h3>Bridge reopens after repairs</h3>` +
		indent + `<p>Traffic returns to the old bridge on Monday.</p>` + indent + `</div></div></a></body></html>`
	a, err := Extract(Input{URL: "https://site.example/", Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := Link{URL: "https://site.example/2024/05/story", Text: "Bridge reopens after repairs Traffic returns to the old bridge on Monday."}
	if len(a.Links) != 1 || a.Links[0] != want {
		t.Errorf("links %q, want %q", a.Links, want)
	}
	// The same without the pre-pass, which cuts the indentation first.
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.DataAtom == atom.A {
			if got := collapse(textOfLimit(n, 300)); got != want.Text {
				t.Errorf("textOfLimit = %q, want %q", got, want.Text)
			}
		}
	}
}

// TestLinksBrowsersAccept: hrefs that Go's URL parser refuses and
// browsers follow (WHATWG URL: TAB and newlines removed, a stray % kept
// as %25) are links too.
func TestLinksBrowsersAccept(t *testing.T) {
	page := "<html><body><a href=\"/sale/100%-off\">sale</a><a href=\"/news/2026/\n  long-story\">wrapped</a>" +
		"<a href=\"/a\tb\">tab</a></body></html>"
	a, err := Extract(Input{URL: "https://site.example/", Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"https://site.example/sale/100%25-off":            "sale",
		"https://site.example/news/2026/%20%20long-story": "wrapped",
		"https://site.example/ab":                         "tab",
	}
	got := map[string]string{}
	for _, l := range a.Links {
		got[l.URL] = l.Text
	}
	for u, text := range want {
		if got[u] != text {
			t.Errorf("link %s (%q) missing; links %v", u, text, a.Links)
		}
	}
}

func TestContentHash(t *testing.T) {
	a := ContentHash("Hello   World\n\nSecond para")
	b := ContentHash(" hello world second   PARA ")
	if a != b {
		t.Errorf("hashes differ for bodies equal after normalisation: %s %s", a, b)
	}
	if a == ContentHash("hello world second paragraph") {
		t.Error("different bodies hash equal")
	}
	if len(a) != 16 {
		t.Errorf("hash %q is not 16 hex digits", a)
	}
}

// TestMetadataFixtures states what each fixture of the metadata rules is
// for, independently of the golden files.
func TestMetadataFixtures(t *testing.T) {
	tests := []struct {
		page, title, published, pubSrc, modified, pageType, rule string
		authors                                                  []string
	}{
		{
			// A dateline under the headline (numeric, German labels), no
			// metadata dates; the ticker, related stories and comments
			// carry other dates and names.
			page: "dateline_de", title: "Stadtrat sperrt die alte Brücke für ein Jahr",
			authors:   []string{"Anna Schmidt", "Peter Müller"},
			published: "2021-06-08T09:30:00Z", pubSrc: "text", modified: "2021-06-09T17:05:00Z",
			pageType: schema.PageArticle, rule: "article: dated headline over prose",
		},
		{
			// The publisher as JSON-LD author, the people in the printed
			// byline; og:title a social variant; the JSON-LD date in UTC,
			// the meta tag the same instant in the page's zone.
			page: "byline_fr", title: "Le conseil ferme le vieux pont pour un an",
			authors:   []string{"Claire Dubois", "Marc Petit"},
			published: "2021-06-07T23:30:00-04:00", pubSrc: "opengraph", modified: "2021-06-08T10:00:00Z",
			pageType: schema.PageArticle, rule: "article: dated headline over prose",
		},
		{
			// Dated teasers, each under its own linked heading.
			page: "listing_teasers", title: "Local news - page 2",
			pageType: schema.PageListing, rule: "listing: ",
		},
		{
			// A short dated story inside a template of teaser cards, on an
			// address without a slug or a date.
			page: "story_in_listing_template", title: "Ferry to carry cyclists while the bridge is shut",
			published: "2021-06-09T14:20:00Z", pubSrc: "text",
			pageType: schema.PageArticle, rule: "article: dated headline over prose",
		},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			a := extractFile(t, tt.page)
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			if tt.authors != nil && strings.Join(a.Authors, "|") != strings.Join(tt.authors, "|") {
				t.Errorf("authors %q, want %q", a.Authors, tt.authors)
			}
			if tt.published != "" && (a.Published == nil || a.Published.Format(time.RFC3339) != tt.published || a.Provenance["published"] != tt.pubSrc) {
				t.Errorf("published %v from %q, want %s from %q", a.Published, a.Provenance["published"], tt.published, tt.pubSrc)
			}
			if tt.modified != "" && (a.Modified == nil || a.Modified.Format(time.RFC3339) != tt.modified) {
				t.Errorf("modified %v, want %s", a.Modified, tt.modified)
			}
			if a.PageType != tt.pageType || !strings.HasPrefix(a.PageTypeReason, tt.rule) {
				t.Errorf("page type %q (%s), want %q (%s...)", a.PageType, a.PageTypeReason, tt.pageType, tt.rule)
			}
		})
	}
}

// contentHashRef is ContentHash as first written (hash/fnv over each
// lowercased rune of a range over body): ContentHash must return the same
// for every body, since stored records compare by it.
func contentHashRef(body string) string {
	h := fnv.New64a()
	var buf [4]byte
	space := false
	started := false
	for _, r := range body {
		if unicode.IsSpace(r) {
			space = started
			continue
		}
		if space {
			h.Write([]byte{' '})
			space = false
		}
		started = true
		n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
		h.Write(buf[:n])
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func TestContentHashUnchanged(t *testing.T) {
	tests := []string{
		"", " ", "a", "Hello   World\n\nSecond para", "\t\v\f\r\n x \x85y\u00a0z\u2003",
		"ÉCOLE Ärger İstanbul ΣΟΦΙΑ", "日本語の文章。", "bad \xff\xfe utf-8 \xc3", "\x00\x1f\x7f",
		strings.Repeat("Mixed CASE words, and ünïcödé. ", 50),
	}
	names, bodies := goldenBodies(t)
	for i := range names {
		a, err := Extract(Input{URL: goldenPages[names[i]], Body: bodies[i], Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, a.Body, string(bodies[i]))
	}
	for _, give := range tests {
		if got, want := ContentHash(give), contentHashRef(give); got != want {
			t.Errorf("ContentHash(%.40q) = %s, want %s", give, got, want)
		}
	}
}

func FuzzContentHash(f *testing.F) {
	f.Add("Hello  World\u00a0\x85 ÄÖ \xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ContentHash(s), contentHashRef(s); got != want {
			t.Errorf("ContentHash(%q) = %s, want %s", s, got, want)
		}
	})
}
