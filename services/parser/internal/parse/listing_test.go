package parse

import (
	"bytes"
	"compress/gzip"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

const (
	testRSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title>
<item><title>Sea wall vote</title><link>https://courier.example/local/sea-wall</link><pubDate>Sat, 28 Nov 2026 06:00:00 GMT</pubDate></item>
<item><title>Ferry strike</title><link>/local/ferry</link></item></channel></rss>`
	testSitemapIndex = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://courier.example/news-sitemap.xml</loc></sitemap></sitemapindex>`
	testSeed         = `<html><head><title>Courier</title><link rel="alternate" type="application/rss+xml" title="Top" href="/rss.xml"></head><body><a href="/local/">Local</a></body></html>`
)

func rawPage(url, contentType, kind, body string, depth int) schema.FetchedPage {
	p := schema.FetchedPage{V: schema.Version, URL: url, FinalURL: url, Status: 200, ContentType: contentType,
		FetchedAt: fetchedAt, Depth: depth, Origin: "https://courier.example/",
		BodyEncoding: schema.EncodingIdentity, Body: []byte(body), BodySize: len(body)}
	if kind != "" {
		p.Hints = &schema.Hints{Kind: kind}
	}
	return p
}

// TestStageListings covers what the fetcher hands on without reading:
// feeds, sitemaps and robots.txt Sitemap lines become crawl requests with
// their hints, plus one record per fetched page (none for robots.txt,
// which answers no crawl request).
func TestStageListings(t *testing.T) {
	tests := []struct {
		name       string
		give       schema.FetchedPage
		wantRecord string // page type, "" for none
		wantURLs   []string
		wantKind   string // of every request
		wantDepth  int
	}{
		{name: "rss by media type", give: rawPage("https://courier.example/rss.xml", "application/rss+xml", "", testRSS, 0),
			wantRecord: schema.PageFeed, wantURLs: []string{"https://courier.example/local/sea-wall", "https://courier.example/local/ferry"}, wantDepth: 1},
		{name: "rss served as text/xml", give: rawPage("https://courier.example/rss.xml", "text/xml", schema.KindFeed, testRSS, 2),
			wantRecord: schema.PageFeed, wantURLs: []string{"https://courier.example/local/sea-wall", "https://courier.example/local/ferry"}, wantDepth: 3},
		{name: "sitemap index", give: rawPage("https://courier.example/sitemap.xml", "application/xml", schema.KindSitemap, testSitemapIndex, 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/news-sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 1},
		{name: "sitemap.xml.gz (the fetcher unzips it, the type stays)", give: rawPage("https://courier.example/sitemap.xml.gz", "application/x-gzip", schema.KindSitemap, testSitemapIndex, 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/news-sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 1},
		{name: "robots.txt sitemaps", give: rawPage("https://courier.example/robots.txt", "text/plain; charset=utf-8", schema.KindRobots, "Sitemap: https://courier.example/sitemap.xml\n", 0),
			wantURLs: []string{"https://courier.example/sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Stage{MaxDepth: 0} // entries of listings are queued whatever the link depth
			outs, err := s.Handle(bus.WithTraceID(context.Background(), "tr-1"), tt.give)
			if err != nil {
				t.Fatal(err)
			}
			records, crawls := split(t, outs)
			if tt.wantRecord == "" && len(records) != 0 {
				t.Errorf("records %+v, want none", records)
			}
			if tt.wantRecord != "" {
				if len(records) != 1 || records[0].PageType != tt.wantRecord || records[0].TraceID != "tr-1" {
					t.Fatalf("records %+v, want one %s record", records, tt.wantRecord)
				}
				if err := records[0].Validate(); err != nil {
					t.Errorf("record does not validate: %v", err)
				}
			}
			var urls []string
			for _, c := range crawls {
				urls = append(urls, c.URL)
				if c.Hints == nil || c.Hints.Kind != tt.wantKind || c.Hints.Source != tt.give.URL || c.Depth != tt.wantDepth {
					t.Errorf("request %+v hints %+v: want kind %q from %s at depth %d", c, c.Hints, tt.wantKind, tt.give.URL, tt.wantDepth)
				}
				if err := c.Validate(); err != nil {
					t.Errorf("request does not validate: %v", err)
				}
			}
			if !slices.Equal(urls, tt.wantURLs) {
				t.Errorf("requests for %v, want %v", urls, tt.wantURLs)
			}
		})
	}
}

func TestStageFeedHintsAndIDs(t *testing.T) {
	s := &Stage{}
	feed := rawPage("https://courier.example/rss.xml", "application/rss+xml", schema.KindFeed, testRSS, 0)
	outs, err := s.Handle(context.Background(), feed)
	if err != nil {
		t.Fatal(err)
	}
	_, crawls := split(t, outs)
	if h := crawls[0].Hints; h.Title != "Sea wall vote" || h.Published == nil || h.Published.Hour() != 6 {
		t.Errorf("hints %+v, want the item's title and date", h)
	}
	// The same fetch redelivered publishes the same ids; the next poll of
	// the feed publishes anew (the fetcher's seen-set decides what to fetch).
	again, _ := s.Handle(context.Background(), feed)
	next := feed
	next.FetchedAt = feed.FetchedAt.Add(15 * 60e9)
	later, _ := s.Handle(context.Background(), next)
	for i := range outs {
		if outs[i].ID != again[i].ID {
			t.Errorf("output %d: id %q then %q on redelivery", i, outs[i].ID, again[i].ID)
		}
		if outs[i].ID == later[i].ID {
			t.Errorf("output %d: id %q reused by the next poll", i, outs[i].ID)
		}
	}
}

func TestStageSeedAnnouncesFeeds(t *testing.T) {
	seed := rawPage("https://courier.example/", "text/html", "", testSeed, 0)
	outs, err := (&Stage{MaxDepth: 1}).Handle(context.Background(), seed)
	if err != nil {
		t.Fatal(err)
	}
	_, crawls := split(t, outs)
	i := slices.IndexFunc(crawls, func(c schema.CrawlRequest) bool { return c.URL == "https://courier.example/rss.xml" })
	if i < 0 || crawls[i].Hints == nil || crawls[i].Hints.Kind != schema.KindFeed || crawls[i].Depth != 1 || crawls[i].Hints.Budget != 0 {
		t.Fatalf("requests %+v: want the announced feed as a depth-1 feed request with the full budget", crawls)
	}
	// Deeper pages announce feeds too, but only a seed's are followed.
	deeper := seed
	deeper.Depth = 1
	outs, _ = (&Stage{MaxDepth: 3}).Handle(context.Background(), deeper)
	_, crawls = split(t, outs)
	if slices.ContainsFunc(crawls, func(c schema.CrawlRequest) bool { return c.Hints != nil && c.Hints.Kind == schema.KindFeed }) {
		t.Error("followed a feed announced by a page below the seed")
	}
}

func TestStageNoExpandRecordsListings(t *testing.T) {
	s := &Stage{NoExpand: true}
	outs, err := s.Handle(context.Background(), rawPage("https://courier.example/rss.xml", "application/rss+xml", "", testRSS, 0))
	if err != nil {
		t.Fatal(err)
	}
	records, crawls := split(t, outs)
	if len(records) != 1 || len(crawls) != 0 {
		t.Errorf("%d records, %d requests; want the feed recorded and nothing queued", len(records), len(crawls))
	}
}

func TestStageUnreadableFeedIsPermanent(t *testing.T) {
	_, err := (&Stage{}).Handle(context.Background(), rawPage("https://courier.example/rss.xml", "application/rss+xml", schema.KindFeed, "<rss><channel><item>", 0))
	if err == nil || !bus.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent error (a dead letter with its reason)", err)
	}
}

// TestStageSniffsListings: feeds and sitemaps are known by their bytes,
// whatever the Content-Type and the hint said.
func TestStageSniffsListings(t *testing.T) {
	urlset := `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://courier.example/local/a</loc></url></urlset>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(urlset))
	zw.Close()
	tests := []struct {
		name       string
		give       schema.FetchedPage
		wantRecord string // page type; "" for a page that is no listing
		wantURLs   []string
	}{
		{name: "feed served as text/html, no hint", give: rawPage("https://courier.example/rss.xml", "text/html; charset=utf-8", "", testRSS, 1),
			wantRecord: schema.PageFeed, wantURLs: []string{"https://courier.example/local/sea-wall", "https://courier.example/local/ferry"}},
		{name: "feed served as text/plain", give: rawPage("https://courier.example/rss.xml", "text/plain", schema.KindFeed, testRSS, 1),
			wantRecord: schema.PageFeed, wantURLs: []string{"https://courier.example/local/sea-wall", "https://courier.example/local/ferry"}},
		{name: "sitemap served as text/html", give: rawPage("https://courier.example/sitemap.xml", "text/html", "", urlset, 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/local/a"}},
		{name: "sitemap served as text/plain", give: rawPage("https://courier.example/sitemap.xml", "text/plain", schema.KindSitemap, urlset, 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/local/a"}},
		{name: "sitemap.xml.gz served as application/octet-stream", give: rawPage("https://courier.example/sitemap.xml.gz", "application/octet-stream", schema.KindSitemap, gz.String(), 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/local/a"}},
		{name: "ISO-8859-1 sitemap", give: rawPage("https://courier.example/sitemap.xml", "application/xml", schema.KindSitemap,
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://courier.example/caf\xe9</loc></url></urlset>", 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/caf%C3%A9"}},
		{name: "expected feed turned HTML page", give: rawPage("https://courier.example/rss.xml", "text/html", schema.KindFeed, testSeed, 0),
			wantURLs: []string{"https://courier.example/rss.xml"}}, // the feed it announces
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := (&Stage{MaxDepth: 0}).Handle(context.Background(), tt.give)
			if err != nil {
				t.Fatal(err)
			}
			records, crawls := split(t, outs)
			if len(records) != 1 || (tt.wantRecord != "" && records[0].PageType != tt.wantRecord) ||
				(tt.wantRecord == "" && (records[0].PageType == schema.PageFeed || records[0].PageType == schema.PageSitemap)) {
				t.Fatalf("records %+v, want one %s record", records, tt.wantRecord)
			}
			var urls []string
			for _, c := range crawls {
				urls = append(urls, c.URL)
			}
			if !slices.Equal(urls, tt.wantURLs) {
				t.Errorf("requests for %v, want %v", urls, tt.wantURLs)
			}
		})
	}
}

// TestStageListingScope: entries of a feed or sitemap are scope-checked
// like links; only a listing that is the crawl's root may name other
// sites.
func TestStageListingScope(t *testing.T) {
	feed := `<rss version="2.0"><channel>
<item><link>https://courier.example/local/a</link></item>
<item><link>https://www.courier.example/local/b</link></item>
<item><link>https://elsewhere.example/c</link></item>
<item><link>https://user:secret@courier.example/d</link></item>
</channel></rss>`
	robots := "Sitemap: https://courier.example/s.xml\nSitemap: https://elsewhere.example/s.xml\n"
	tests := []struct {
		name string
		give schema.FetchedPage
		want []string
	}{
		{name: "feed below the seed", give: rawPage("https://courier.example/rss.xml", "application/rss+xml", schema.KindFeed, feed, 0),
			want: []string{"https://courier.example/local/a", "https://www.courier.example/local/b"}},
		{name: "feed that is the crawl's root", give: func() schema.FetchedPage {
			p := rawPage("https://feeds.cdn.example/courier.rss", "application/rss+xml", schema.KindFeed, feed, 0)
			p.Origin = p.URL
			return p
		}(), want: []string{"https://courier.example/local/a", "https://www.courier.example/local/b", "https://elsewhere.example/c"}},
		{name: "robots.txt sitemaps", give: rawPage("https://courier.example/robots.txt", "text/plain", schema.KindRobots, robots, 0),
			want: []string{"https://courier.example/s.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := (&Stage{}).Handle(context.Background(), tt.give)
			if err != nil {
				t.Fatal(err)
			}
			_, crawls := split(t, outs)
			var urls []string
			for _, c := range crawls {
				urls = append(urls, c.URL)
				if strings.Contains(c.URL, "secret") {
					t.Errorf("request for a URL with credentials: %s", c.URL)
				}
			}
			if !slices.Equal(urls, tt.want) {
				t.Errorf("requests for %v, want %v", urls, tt.want)
			}
		})
	}
}

// TestStageCanonicalNeverKeepsCredentials: a canonical link with userinfo
// is stored without it.
func TestStageCanonicalNeverKeepsCredentials(t *testing.T) {
	html := `<html><head><title>Sea wall</title><link rel="canonical" href="https://editor:s3cret@courier.example/local/sea-wall"></head>
<body><article><h1>Sea wall</h1><p>` + strings.Repeat("The council voted on the sea wall today. ", 40) + `</p></article></body></html>`
	outs, err := (&Stage{}).Handle(context.Background(), rawPage("https://courier.example/local/sea-wall", "text/html", "", html, 1))
	if err != nil {
		t.Fatal(err)
	}
	records, _ := split(t, outs)
	if len(records) != 1 || strings.Contains(records[0].CanonicalURL, "s3cret") || strings.Contains(records[0].CanonicalURL, "editor") {
		t.Fatalf("records %+v: want the canonical URL without credentials", records)
	}
}
