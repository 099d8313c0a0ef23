package discover

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const newsSitemap = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example/world/talks</loc>
    <news:news>
      <news:publication><news:name>News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-28T07:55:00+00:00</news:publication_date>
      <news:title>Diplomat to visit Russia</news:title>
    </news:news>
  </url>
  <url><loc>/relative/page</loc><lastmod>2026-11-27</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>`

const sitemapIndex = `<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-1.xml</loc><lastmod>2026-11-28</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-news.xml</loc></sitemap>
</sitemapindex>`

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>First story</title><link>https://news.example/a</link><pubDate>Sat, 28 Nov 2026 07:00:00 GMT</pubDate></item>
<item><title>Second</title><link>/b</link></item>
</channel></rss>`

const atomFeed = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Atom story</title><link href="https://news.example/atom-1"/><updated>2026-11-28T06:00:00Z</updated></entry></feed>`

const jsonFeed = `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://news.example/j1","title":"Json story","date_published":"2026-11-28T05:00:00Z"}]}`

func TestParse(t *testing.T) {
	base := mustURL(t, "https://news.example/feed")
	pub := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	tests := []struct {
		name  string
		media string
		give  string
		want  []Entry
	}{
		{name: "news sitemap", media: "application/xml", give: newsSitemap, want: []Entry{
			{URL: "https://news.example/world/talks", Title: "Diplomat to visit Russia", Published: pub("2026-11-28T07:55:00Z")},
			{URL: "https://news.example/relative/page", Published: pub("2026-11-27T00:00:00Z")},
		}},
		{name: "sitemap index", media: "text/xml", give: sitemapIndex, want: []Entry{
			{URL: "https://news.example/sitemap-1.xml", Kind: KindSitemap},
			{URL: "https://news.example/sitemap-news.xml", Kind: KindSitemap},
		}},
		{name: "text sitemap", media: "text/plain", give: "https://news.example/x\n# comment\nhttps://news.example/y\n", want: []Entry{
			{URL: "https://news.example/x"}, {URL: "https://news.example/y"},
		}},
		{name: "robots.txt sitemaps", media: "text/plain", give: "User-agent: *\nDisallow: /private/\nSITEMAP: /sitemap.xml\nsitemap:https://news.example/news.xml\n# Sitemap: https://news.example/commented\n", want: []Entry{
			{URL: "https://news.example/sitemap.xml", Kind: KindSitemap},
			{URL: "https://news.example/news.xml", Kind: KindSitemap},
		}},
		{name: "rss", media: "application/rss+xml", give: rss, want: []Entry{
			{URL: "https://news.example/a", Title: "First story", Published: pub("2026-11-28T07:00:00Z")},
			{URL: "https://news.example/b", Title: "Second"},
		}},
		{name: "atom", media: "application/atom+xml", give: atomFeed, want: []Entry{
			{URL: "https://news.example/atom-1", Title: "Atom story", Published: pub("2026-11-28T06:00:00Z")},
		}},
		{name: "json feed", media: "application/feed+json", give: jsonFeed, want: []Entry{
			{URL: "https://news.example/j1", Title: "Json story", Published: pub("2026-11-28T05:00:00Z")},
		}},
	}
	for _, tt := range tests {
		expected := ""
		if tt.media == "text/plain" {
			expected = KindSitemap
		}
		if strings.HasPrefix(tt.name, "robots") {
			expected = KindRobots
		}
		kind := Detect(tt.media, []byte(tt.give), expected)
		got, err := Parse(kind, tt.media, []byte(tt.give), base)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %d entries %+v, want %d", tt.name, len(got), got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.URL != w.URL || g.Title != w.Title || g.Kind != w.Kind {
				t.Errorf("%s[%d] = %+v, want %+v", tt.name, i, g, w)
			}
			if (g.Published == nil) != (w.Published == nil) || (g.Published != nil && !g.Published.Equal(*w.Published)) {
				t.Errorf("%s[%d] published = %v, want %v", tt.name, i, g.Published, w.Published)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	html := "<!DOCTYPE html><html><head><title>x</title></head><body>story</body></html>"
	tests := []struct {
		name, contentType, body, expected, want string
	}{
		{"html page", "text/html", html, "", KindPage},
		{"html without doctype", "text/html", "<html><body>x</body></html>", "", KindPage},
		{"html where a feed was expected", "text/html", html, KindFeed, KindPage},
		{"html as xml where a sitemap was expected", "application/xml", html, KindSitemap, KindPage},
		{"sitemap index", "application/xml", sitemapIndex, "", KindSitemap},
		{"urlset as text/html", "text/html", newsSitemap, "", KindSitemap},
		{"urlset as text/plain", "text/plain", newsSitemap, "", KindSitemap},
		{"urlset with comments, PI and doctype first", "application/octet-stream", "<?xml version=\"1.0\"?>\n<!-- a -->\n<?xml-stylesheet href=\"s.xsl\"?>\n<!DOCTYPE urlset>\n<urlset/>", "", KindSitemap},
		{"rss as text/xml", "text/xml", rss, "", KindFeed},
		{"rss as text/html", "text/html; charset=UTF-8", rss, "", KindFeed},
		{"rss as text/plain", "text/plain", rss, "", KindFeed},
		{"atom as application/xml", "application/xml", atomFeed, "", KindFeed},
		{"rss 1.0", "application/xml", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>`, "", KindFeed},
		{"rdf that is no feed", "application/rdf+xml", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/"><foaf:Person/></rdf:RDF>`, "", KindPage},
		{"utf-16 rss", "text/xml", "\xff\xfe<\x00r\x00s\x00s\x00>\x00<\x00/\x00r\x00s\x00s\x00>\x00", "", KindFeed},
		{"feed media type, empty body", "application/rss+xml", "", "", KindFeed},
		{"json feed", "application/json", jsonFeed, "", KindFeed},
		{"json feed as text/plain", "text/plain", jsonFeed, "", KindFeed},
		{"json feed expected", "application/json", `{"items":[]}`, KindFeed, KindFeed},
		{"json document", "application/json", `{"a":1}`, "", KindPage},
		{"text sitemap expected", "text/plain", "https://x.example/\nhttps://x.example/b", KindSitemap, KindSitemap},
		{"text sitemap with BOM as text/plain", "text/plain", "\xef\xbb\xbfhttps://x.example/a\r\nhttps://x.example/b\r\n", "", KindSitemap},
		{"url list as text/html", "text/html", "https://x.example/a\n", "", KindPage},
		{"robots.txt lines", "text/plain", "Sitemap: https://x/s.xml", KindRobots, KindRobots},
		{"robots.txt not expected", "text/plain", "Sitemap: https://x/s.xml", "", KindPage},
		{"unknown xml root", "application/xml", "<other/>", "", KindPage},
		{"unknown xml where a sitemap was expected", "application/xml", "<other/>", KindSitemap, KindPage},
		{"empty body where a sitemap was expected", "application/xml", "", KindSitemap, KindSitemap},
		{"garbage where a feed was expected", "application/octet-stream", "\x00\x01binary", KindFeed, KindFeed},
		{"garbage, nothing expected", "application/octet-stream", "\x00\x01binary", "", KindPage},
		{"gzip, no hint", "application/octet-stream", string(gz(t, []byte(sitemapIndex))), "", KindSitemap},
		{"gzip text sitemap", "application/x-gzip", string(gz(t, []byte("https://x.example/a\n"))), "", KindSitemap},
		{"corrupt gzip where a sitemap was expected", "application/octet-stream", "\x1f\x8b garbage", KindSitemap, KindSitemap},
		{"polled page that is a feed", "text/html", rss, "page", KindFeed},
	}
	for _, tt := range tests {
		if got := Detect(tt.contentType, []byte(tt.body), tt.expected); got != tt.want {
			t.Errorf("%s: Detect(%s, %.20q, %q) = %q, want %q", tt.name, tt.contentType, tt.body, tt.expected, got, tt.want)
		}
	}
}

func TestAutodiscover(t *testing.T) {
	page := `<html><head><title>x</title>
<link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss.xml">
<link rel="Alternate stylesheet" type="text/css" href="/s.css">
<link rel="alternate" type="application/atom+xml" href="https://news.example/atom.xml">
<link rel="alternate" hreflang="de" href="/de/">
</head><body><link rel="alternate" type="application/rss+xml" href="/late.xml"></body></html>`
	got := Autodiscover([]byte(page), mustURL(t, "https://news.example/section/"))
	want := []string{"https://news.example/rss.xml", "https://news.example/atom.xml"}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %v", got, want)
	}
	for i, w := range want {
		if got[i].URL != w || got[i].Kind != KindFeed {
			t.Errorf("[%d] = %+v, want %s", i, got[i], w)
		}
	}
	if got[0].Title != "Top stories" {
		t.Errorf("title = %q", got[0].Title)
	}
}

// TestAutodiscoverHTMLRules: the HTML rules for rel, type and base.
func TestAutodiscoverHTMLRules(t *testing.T) {
	tests := []struct {
		name, head string
		want       []string
	}{
		{"type with charset", `<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/a.xml">`, []string{"https://news.example/a.xml"}},
		{"type in capitals, spaced", `<link rel="alternate" type=" Application/RSS+XML " href="/a.xml">`, []string{"https://news.example/a.xml"}},
		{"rel in capitals", `<link rel="ALTERNATE" type="application/atom+xml" href="/a.xml">`, []string{"https://news.example/a.xml"}},
		{"rel token list", "<link rel=\"feed\talternate\" type=\"application/rss+xml\" href=\"/a.xml\">", []string{"https://news.example/a.xml"}},
		{"rel substring is no token", `<link rel="alternates" type="application/rss+xml" href="/a.xml">`, nil},
		{"WordPress REST link is no feed", `<link rel="alternate" type="application/json" href="https://news.example/wp-json/wp/v2/posts/42">`, nil},
		{"oEmbed is no feed", `<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">`, nil},
		{"JSON Feed", `<link rel="alternate" type="application/feed+json" href="/feed.json">`, []string{"https://news.example/feed.json"}},
		{"RSS 1.0", `<link rel="alternate" type="application/rdf+xml" href="/index.rdf">`, []string{"https://news.example/index.rdf"}},
		{"base href", `<base href="https://cdn.news.example/static/"><link rel="alternate" type="application/rss+xml" href="feed.xml">`, []string{"https://cdn.news.example/static/feed.xml"}},
		{"base after the link", `<link rel="alternate" type="application/rss+xml" href="feed.xml"><base href="/b/">`, []string{"https://news.example/b/feed.xml"}},
		{"relative base", `<base href="../other/"><link rel="alternate" type="application/rss+xml" href="feed.xml">`, []string{"https://news.example/other/feed.xml"}},
		{"first base counts", `<base href="/one/"><base href="/two/"><link rel="alternate" type="application/rss+xml" href="f">`, []string{"https://news.example/one/f"}},
		{"base without href ignored", `<base target="_blank"><base href="/x/"><link rel="alternate" type="application/rss+xml" href="f">`, []string{"https://news.example/x/f"}},
		{"empty href", `<link rel="alternate" type="application/rss+xml" href="">`, nil},
		{"wrapped href", "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/a\n.xml\">", []string{"https://news.example/a.xml"}},
		{"duplicates once", `<link rel="alternate" type="application/rss+xml" href="/a.xml"><link rel="alternate" type="application/atom+xml" href="https://NEWS.example/a.xml">`, []string{"https://news.example/a.xml"}},
	}
	for _, tt := range tests {
		page := "<!doctype html><html><head><title>t</title>" + tt.head + "</head><body></body></html>"
		got := Autodiscover([]byte(page), mustURL(t, "https://news.example/section/page.html"))
		var urls []string
		for _, e := range got {
			urls = append(urls, e.URL)
		}
		if strings.Join(urls, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: got %q, want %q", tt.name, urls, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	entries := []Entry{
		{URL: "https://www.news.example/a"},
		{URL: "https://NEWS.example/b#frag"},
		{URL: "https://cdn.news.example/c", Kind: KindSitemap},
		{URL: "https://other.example/d"},
		{URL: "https://user:pw@news.example/e"},
		{URL: "not a url"},
		{URL: "https://www.news.example/a?utm_source=x"},
	}
	tests := []struct {
		name, origin, from string
		want               []string
	}{
		{"a sitemap below the seed", "https://news.example/", "https://news.example/sitemap.xml",
			[]string{"https://www.news.example/a", "https://news.example/b", "https://cdn.news.example/c"}},
		{"the crawl's root may point elsewhere", "https://feeds.cdn.example/news.rss", "https://feeds.cdn.example/news.rss",
			[]string{"https://www.news.example/a", "https://news.example/b", "https://cdn.news.example/c", "https://other.example/d"}},
		{"the root spelled otherwise", "HTTPS://feeds.cdn.example:443/news.rss", "https://feeds.cdn.example/news.rss#x",
			[]string{"https://www.news.example/a", "https://news.example/b", "https://cdn.news.example/c", "https://other.example/d"}},
		{"a listing on another site", "https://other.example/", "https://other.example/robots.txt",
			[]string{"https://other.example/d"}},
		{"no origin", "", "https://news.example/sitemap.xml", nil},
	}
	for _, tt := range tests {
		got := Scope(append([]Entry(nil), entries...), tt.origin, tt.from)
		var urls []string
		for _, e := range got {
			urls = append(urls, e.URL)
		}
		if strings.Join(urls, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: got %q, want %q", tt.name, urls, tt.want)
		}
	}
}

func FuzzSitemap(f *testing.F) {
	for _, s := range []string{
		newsSitemap, sitemapIndex, "<urlset><url><loc>http://a/</loc></url>", "https://a/\nhttps://b/", "Sitemap: /s.xml\nsitemap:",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>http://a/caf\xe9</loc><lastmod>2026-11</lastmod></url></urlset>",
		"\xff\xfe<\x00u\x00r\x00l\x00s\x00e\x00t\x00/\x00>\x00", "<urlset>" + strings.Repeat("<a>", 300),
		string(gz(f, []byte(sitemapIndex))), "\xef\xbb\xbfhttps://a/x\r\nhttps://a/y",
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://news.example/")
	f.Fuzz(func(t *testing.T, body string) {
		kind := Detect("application/octet-stream", []byte(body), KindSitemap)
		if kind != KindSitemap && kind != KindFeed && kind != KindPage {
			t.Fatalf("Detect = %q", kind)
		}
		for _, ct := range []string{"application/xml", "text/plain; charset=iso-8859-1"} {
			got, _ := Parse(KindSitemap, ct, []byte(body), base)
			checkEntries(t, got)
		}
		got, _ := Parse(KindRobots, "text/plain", []byte(body), base)
		checkEntries(t, got)
		_ = parseDate(body)
	})
}

func FuzzFeed(f *testing.F) {
	for _, s := range []string{
		rss, atomFeed, jsonFeed, "<rss><channel><item><link>x</link></item></channel></rss>",
		"<rss><channel><item><guid>/a</guid></item></channel></rss>", "<feed><entry><link href=\"a\"/></entry></feed>",
		`<html><head><base href="/b/"><link rel="alternate" type="application/rss+xml; charset=utf-8" href="f"></head></html>`,
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://news.example/")
	f.Fuzz(func(t *testing.T, body string) {
		kind := Detect("text/html", []byte(body), KindFeed)
		if kind == KindPage {
			kind = KindFeed
		}
		got, _ := Parse(kind, "application/xml", []byte(body), base)
		checkEntries(t, got)
		checkEntries(t, Autodiscover([]byte(body), base))
	})
}

func checkEntries(t *testing.T, got []Entry) {
	t.Helper()
	if len(got) > MaxEntries {
		t.Fatalf("%d entries, more than %d", len(got), MaxEntries)
	}
	for _, e := range got {
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("entry URL %q is not an absolute http(s) URL without userinfo", e.URL)
		}
		if n, err := urlnorm.Normalize(e.URL); err != nil || n != e.URL {
			t.Fatalf("entry URL %q is not normalised (%q, %v)", e.URL, n, err)
		}
		if len(e.Title) > MaxTitleBytes || !utf8.ValidString(e.Title) {
			t.Fatalf("title of %d bytes, valid UTF-8 %v", len(e.Title), utf8.ValidString(e.Title))
		}
	}
}
