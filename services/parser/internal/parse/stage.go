// Package parse is the parser stage: a FetchedPage in; out, one record
// of what the page was on articles.parsed (the Article for an article
// page, a page-type record otherwise) and crawl requests for what the page
// leads to: in-scope links, the entries of a feed or sitemap, the Sitemap
// lines of a robots.txt, the feeds a seed page announces. It is a plain
// function over messages, tested without NATS.
package parse

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/discover"
	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Stage turns fetched pages into articles and crawl requests.
type Stage struct {
	// MaxDepth is the deepest crawl depth a discovered link may have; links
	// from a page at MaxDepth are not followed.
	MaxDepth int
	// MaxLinks caps the links followed from one page.
	MaxLinks int
	// NoExpand records feeds, sitemaps and robots.txt pages without
	// queuing their entries, and ignores the feeds a seed announces.
	NoExpand bool
	// Bodies reads bodies stored in the object store. Optional.
	Bodies BodySource
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// RecentLinks is how many published link ids the stage remembers to
	// skip republishing them (0: 100,000).
	RecentLinks int

	recentOnce sync.Once
	recent     *recent
}

// Handle is the bus.Handler of the parser.
func (s *Stage) Handle(ctx context.Context, page schema.FetchedPage) ([]bus.Out, error) {
	body, err := Body(ctx, &page, s.Bodies)
	if err != nil {
		return nil, err
	}
	pageURL := page.FinalURL
	if pageURL == "" {
		pageURL = page.URL
	}
	expected := ""
	if page.Hints != nil {
		expected = page.Hints.Kind
	}
	media := mediaType(page.ContentType)
	if kind := discover.Detect(media, body, expected); kind != discover.KindPage {
		return s.listing(ctx, &page, pageURL, kind, media, body)
	}

	in := extract.Input{URL: pageURL, ContentType: page.ContentType, Body: body, Now: s.now()}
	if h := page.Hints; h != nil {
		in.Hints = &extract.Hints{Title: h.Title, Published: h.Published}
	}
	art, err := extract.Extract(in)
	if err != nil {
		return nil, bus.Permanent(fmt.Errorf("extract: %w", err))
	}
	pageID := pageKey(&page)
	outs := []bus.Out{record(pageID, s.article(&page, pageURL, art, bus.TraceID(ctx)))}
	if page.Reparse != "" {
		// The page's links were followed the first time.
		return outs, nil
	}
	if page.Depth == 0 && !s.NoExpand {
		if base, err := url.Parse(pageURL); err == nil {
			outs = append(outs, s.requests(&page, pageURL, pageID, discover.Autodiscover(body, base))...)
		}
	}
	return append(outs, s.links(ctx, &page, pageURL, art.Links)...), nil
}

// listing handles a feed, a sitemap or the Sitemap lines of a robots.txt:
// a record of the page (none for robots.txt, which answers no crawl
// request) and a crawl request per entry.
func (s *Stage) listing(ctx context.Context, page *schema.FetchedPage, pageURL, kind, media string, body []byte) ([]bus.Out, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, bus.Permanent(fmt.Errorf("page url: %w", err))
	}
	entries, err := discover.Parse(kind, media, body, base)
	if err != nil && len(entries) == 0 {
		return nil, bus.Permanent(fmt.Errorf("unreadable %s: %w", kind, err))
	}
	pageID := pageKey(page)
	var outs []bus.Out
	if kind != discover.KindRobots {
		sum := sha256.Sum256(body)
		canonical := pageURL
		if n, err := urlnorm.Normalize(pageURL); err == nil {
			canonical = n
		}
		outs = append(outs, record(pageID, schema.Article{
			V: schema.Version, URL: page.URL, CanonicalURL: canonical, FinalURL: page.FinalURL,
			Title: feedTitle(page), PageType: kind, Description: fmt.Sprintf("%d entries", len(entries)),
			ContentHash: hex.EncodeToString(sum[:16]), FetchedAt: page.FetchedAt,
			ExtractorVersion: extract.Version, TraceID: bus.TraceID(ctx), Reparse: page.Reparse,
		}))
	}
	if page.Reparse != "" || s.NoExpand {
		return outs, nil
	}
	return append(outs, s.requests(page, pageURL, pageID, entries)...), nil
}

func feedTitle(page *schema.FetchedPage) string {
	if page.Hints != nil {
		return page.Hints.Title
	}
	return ""
}

// requests returns a crawl request per entry of a feed or sitemap, with
// what the entry announced as hints. A listing is not a hop: a sitemap or
// feed entry keeps the page's depth, a page entry is one deeper.
func (s *Stage) requests(page *schema.FetchedPage, pageURL, pageID string, entries []discover.Entry) []bus.Out {
	origin := cmp.Or(page.Origin, page.URL)
	now := s.now()
	outs := make([]bus.Out, 0, len(entries))
	for _, e := range entries {
		depth := page.Depth + 1
		if e.Kind != discover.KindPage {
			depth = page.Depth
		}
		outs = append(outs, bus.Out{
			Subject: schema.SubjectCrawlURLs,
			// One id per entry of this fetch: a redelivered page publishes
			// nothing new, the next poll of the feed does.
			ID: "crawl:" + hash(pageID+"\x00"+e.URL),
			Body: schema.CrawlRequest{V: schema.Version, URL: e.URL, Depth: depth, Origin: origin,
				DiscoveredFrom: pageURL, SubmittedAt: now,
				Hints: &schema.Hints{Title: e.Title, Published: e.Published, Source: page.URL, Kind: e.Kind}},
			TraceID: bus.NewTraceID(),
		})
	}
	return outs
}

// mediaType returns the lower-case media type of a Content-Type header.
func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func (s *Stage) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Stage) article(page *schema.FetchedPage, pageURL string, art *extract.Article, traceID string) schema.Article {
	canonical := pageURL
	if art.CanonicalURL != "" {
		canonical = art.CanonicalURL
	}
	if n, err := urlnorm.Normalize(canonical); err == nil {
		canonical = n
	}
	body, words := art.Body, art.WordCount
	if art.PageType != schema.PageArticle {
		// A record of what the page was, not a story.
		body, words = "", 0
	}
	return schema.Article{
		V:                schema.Version,
		URL:              page.URL,
		CanonicalURL:     canonical,
		FinalURL:         page.FinalURL,
		SiteName:         art.SiteName,
		Title:            art.Title,
		Authors:          art.Authors,
		Published:        art.Published,
		Modified:         art.Modified,
		Language:         art.Language,
		Description:      art.Description,
		Image:            art.Image,
		Section:          art.Section,
		Tags:             art.Tags,
		Body:             body,
		PageType:         art.PageType,
		WordCount:        words,
		ContentHash:      extract.ContentHash(art.Body),
		FetchedAt:        page.FetchedAt,
		ExtractorVersion: extract.Version,
		TraceID:          traceID,
		Reparse:          page.Reparse,
		Provenance:       art.Provenance,
	}
}

// links returns crawl requests for the page's in-scope links: same
// registrable domain as the crawl's origin, not deeper than MaxDepth.
func (s *Stage) links(ctx context.Context, page *schema.FetchedPage, pageURL string, links []extract.Link) []bus.Out {
	s.recentOnce.Do(func() { s.recent = newRecent(cmp.Or(s.RecentLinks, 100_000)) })
	// A redelivered page publishes all its links: the first attempt may
	// have remembered links it then failed to publish.
	firstAttempt := bus.Attempt(ctx) <= 1
	depth := page.Depth + 1
	if depth > s.MaxDepth {
		return nil
	}
	origin := page.Origin
	if origin == "" {
		origin = page.URL
	}
	scope := urlnorm.SiteOf(origin)
	if scope == "" {
		return nil
	}
	now := s.now()
	seen := map[string]bool{}
	var outs []bus.Out
	for _, l := range links {
		if s.MaxLinks > 0 && len(outs) >= s.MaxLinks {
			break
		}
		norm, err := urlnorm.Normalize(l.URL)
		if err != nil || seen[norm] || urlnorm.SiteOf(norm) != scope {
			continue
		}
		seen[norm] = true
		id := "crawl:" + hash(norm)
		if s.recent.add(id) && firstAttempt {
			continue
		}
		outs = append(outs, bus.Out{
			Subject: schema.SubjectCrawlURLs,
			// One id per URL: the CRAWL stream drops the same URL
			// discovered again within its duplicate window.
			ID: id,
			Body: schema.CrawlRequest{V: schema.Version, URL: norm, Depth: depth, Origin: origin,
				DiscoveredFrom: pageURL, SubmittedAt: now},
			// Each discovered URL starts a journey of its own.
			TraceID: bus.NewTraceID(),
		})
	}
	return outs
}

// pageKey identifies one fetch of one page, so a redelivered page
// publishes nothing twice while a later refetch publishes anew.
func pageKey(p *schema.FetchedPage) string {
	return hash(p.URL + "\x00" + p.FetchedAt.UTC().Format(time.RFC3339Nano))
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// record is the articles.parsed message of a page's record. Its id makes
// a redelivery publish nothing new, and a reparse run publish anew; its
// headers carry the page type and reparse run for readers that count
// records without decoding them.
func record(pageID string, a schema.Article) bus.Out {
	id := "parsed:" + extract.Version + ":" + pageID
	header := map[string]string{schema.HeaderPageType: a.PageType}
	if a.Reparse != "" {
		id += ":reparse:" + a.Reparse
		header[schema.HeaderReparse] = a.Reparse
	}
	return bus.Out{Subject: schema.SubjectArticlesParsed, ID: id, Body: a, Header: header}
}
