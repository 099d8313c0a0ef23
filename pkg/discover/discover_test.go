package discover

import (
	"net/url"
	"strings"
	"testing"
	"time"
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
	tests := []struct {
		media, body, expected, want string
	}{
		{"text/html", "<html>", "", KindPage},
		{"application/xml", sitemapIndex, "", KindSitemap},
		{"text/xml", rss, "", KindFeed},
		{"application/xml", atomFeed, "", KindFeed},
		{"application/rss+xml", "", "", KindFeed},
		{"application/json", jsonFeed, "", KindFeed},
		{"application/json", `{"a":1}`, "", KindPage},
		{"text/plain", "https://x/", KindSitemap, KindSitemap},
		{"text/plain", "Sitemap: https://x/s.xml", KindRobots, KindRobots},
		{"text/plain", "Sitemap: https://x/s.xml", "", KindPage},
		{"application/xml", "<other/>", "", KindPage},
	}
	for _, tt := range tests {
		if got := Detect(tt.media, []byte(tt.body), tt.expected); got != tt.want {
			t.Errorf("Detect(%s, %.20q) = %q, want %q", tt.media, tt.body, got, tt.want)
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

func FuzzSitemap(f *testing.F) {
	for _, s := range []string{newsSitemap, sitemapIndex, "<urlset><url><loc>http://a/</loc></url>", "https://a/\nhttps://b/", "Sitemap: /s.xml\nsitemap:"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://news.example/")
	f.Fuzz(func(t *testing.T, body string) {
		for _, media := range []string{"application/xml", "text/plain"} {
			got, _ := Parse(KindSitemap, media, []byte(body), base)
			checkEntries(t, got)
		}
		got, _ := Parse(KindRobots, "text/plain", []byte(body), base)
		checkEntries(t, got)
	})
}

func FuzzFeed(f *testing.F) {
	for _, s := range []string{rss, atomFeed, jsonFeed, "<rss><channel><item><link>x</link></item></channel></rss>"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://news.example/")
	f.Fuzz(func(t *testing.T, body string) {
		kind := Detect("application/xml", []byte(body), KindFeed)
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
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("entry URL %q is not an absolute http(s) URL", e.URL)
		}
	}
}
