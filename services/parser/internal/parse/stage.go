// Package parse is the parser stage: a FetchedPage in, an Article (for
// article pages), in-scope CrawlRequests for discovered links, and, for
// pages that are not articles, an outcome record out. It is a plain
// function over messages, tested without NATS.
package parse

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
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
	in := extract.Input{URL: pageURL, ContentType: page.ContentType, Body: body}
	if h := page.Hints; h != nil {
		in.Hints = &extract.Hints{Title: h.Title, Published: h.Published}
	}
	art, err := extract.Extract(in)
	if err != nil {
		return nil, bus.Permanent(fmt.Errorf("extract: %w", err))
	}

	traceID := bus.TraceID(ctx)
	pageID := pageKey(&page)
	var outs []bus.Out
	if art.PageType == schema.PageArticle {
		outs = append(outs, bus.Out{
			Subject: schema.SubjectArticlesParsed,
			// A redelivery publishes nothing new; a reparse run does.
			ID:   "article:" + extract.Version + ":" + pageID + reparseSuffix(page.Reparse),
			Body: s.article(&page, pageURL, art, traceID),
		})
	}
	if page.Reparse != "" {
		// The page's fate was recorded and its links followed the first time.
		return outs, nil
	}
	// One outcome per page, so the ledger can account for every fetch.
	outcome := schema.Outcome{V: schema.Version, URL: page.URL, Stage: "parser", Outcome: schema.OutcomeParsed, TraceID: traceID, At: s.now()}
	if art.PageType != schema.PageArticle {
		outcome.Outcome, outcome.Reason = schema.OutcomeNonArticle, "page type "+art.PageType
	}
	outs = append(outs, bus.Out{Subject: schema.SubjectCrawlOutcome, ID: "outcome:parser:" + pageID, Body: outcome})
	return append(outs, s.links(ctx, &page, pageURL, art.Links)...), nil
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
		Body:             art.Body,
		PageType:         art.PageType,
		WordCount:        art.WordCount,
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

func reparseSuffix(run string) string {
	if run == "" {
		return ""
	}
	return ":reparse:" + run
}
