package parse

import (
	"context"
	"slices"
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
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/news-sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 0},
		{name: "sitemap.xml.gz (the fetcher unzips it, the type stays)", give: rawPage("https://courier.example/sitemap.xml.gz", "application/x-gzip", schema.KindSitemap, testSitemapIndex, 0),
			wantRecord: schema.PageSitemap, wantURLs: []string{"https://courier.example/news-sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 0},
		{name: "robots.txt sitemaps", give: rawPage("https://courier.example/robots.txt", "text/plain; charset=utf-8", schema.KindRobots, "Sitemap: https://courier.example/sitemap.xml\n", 0),
			wantURLs: []string{"https://courier.example/sitemap.xml"}, wantKind: schema.KindSitemap, wantDepth: 0},
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
	if i < 0 || crawls[i].Hints == nil || crawls[i].Hints.Kind != schema.KindFeed || crawls[i].Depth != 0 {
		t.Fatalf("requests %+v: want the announced feed as a depth-0 feed request", crawls)
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
