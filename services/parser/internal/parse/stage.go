package parse

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/discover"
	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/pagebody"
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
	Bodies Bodies
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// RecentLinks is how many published link ids the stage remembers to
	// skip republishing them (0: 100,000).
	RecentLinks int
	// ListingBudget is how many feed and sitemap fetches one root listing
	// (a robots.txt's Sitemap line, a registered source, a submitted
	// sitemap) may lead to, itself included (0: DefaultListingBudget).
	ListingBudget int
	// Log receives the stage's decisions at debug level (links skipped
	// because they were queued moments ago). Nil logs nothing.
	Log *zap.Logger

	recentOnce sync.Once
	recent     *recent
	bufs       pagebody.Buffers // inflated bodies, reused from page to page
}

// Handle is the bus.Handler of the parser. It notes on the page's log
// line how many links (or feed and sitemap entries) the page holds,
// links_found, beside the links_queued of Report; not for a page whose
// links are not read (found < 0: see handle).
func (s *Stage) Handle(ctx context.Context, page schema.FetchedPage) ([]bus.Out, error) {
	outs, found, err := s.handle(ctx, page)
	if err == nil && found >= 0 {
		bus.Note(ctx, zap.Int("links_found", found))
	}
	return outs, err
}

// handle parses a page; found counts its links and entries, or is -1
// for a page none of whose links would be followed (re-parsed, or at the
// deepest depth), whose links are then not resolved at all.
func (s *Stage) handle(ctx context.Context, page schema.FetchedPage) (outs []bus.Out, found int, err error) {
	body, release, err := openBody(ctx, &s.bufs, &page, s.Bodies)
	defer release()
	if err != nil {
		return nil, 0, err
	}
	pageURL := page.FinalURL
	if pageURL == "" {
		pageURL = page.URL
	}
	expected := ""
	if page.Hints != nil {
		expected = page.Hints.Kind
	}
	// The bytes decide whether this is a feed or a sitemap, whatever the
	// Content-Type; discover reads its charset parameter too.
	if kind := discover.Detect(page.ContentType, body, expected); kind != discover.KindPage {
		return s.listing(ctx, &page, pageURL, kind, page.ContentType, body)
	}

	if why := binary(body); why != "" {
		// Not text: nothing to extract and no links to follow.
		return []bus.Out{record(pageKey(&page), s.other(&page, pageURL, body, why, bus.TraceID(ctx)))}, 0, nil
	}

	noLinks := page.Reparse != "" || page.Depth+1 > s.MaxDepth
	in := extract.Input{URL: pageURL, ContentType: page.ContentType, Body: body, Now: s.now(), NoLinks: noLinks}
	if h := page.Hints; h != nil {
		in.Hints = &extract.Hints{Title: h.Title, Published: h.Published}
	}
	art, err := extract.Extract(in)
	if err != nil {
		return nil, 0, bus.Permanent(fmt.Errorf("extract: %w", err))
	}
	pageID := pageKey(&page)
	outs = []bus.Out{record(pageID, s.article(&page, pageURL, art, bus.TraceID(ctx)))}
	if page.Reparse != "" {
		// The page's links were followed the first time.
		return outs, -1, nil
	}
	found = len(art.Links)
	if page.Depth == 0 && !s.NoExpand {
		if base, err := url.Parse(pageURL); err == nil {
			feeds := discover.Autodiscover(body, base)
			found += len(feeds)
			outs = append(outs, s.requests(&page, pageURL, pageID, feeds, nil)...)
		}
	}
	if noLinks {
		return outs, -1, nil
	}
	return append(outs, s.links(ctx, &page, pageURL, art.Links)...), found, nil
}

// listing handles a feed, a sitemap or the Sitemap lines of a robots.txt:
// a record of the page (none for robots.txt, which answers no crawl
// request) and a crawl request per entry.
func (s *Stage) listing(ctx context.Context, page *schema.FetchedPage, pageURL, kind, contentType string, body []byte) ([]bus.Out, int, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, 0, bus.Permanent(fmt.Errorf("page url: %w", err))
	}
	entries, err := discover.Parse(kind, contentType, body, base)
	if err != nil && len(entries) == 0 {
		return nil, 0, bus.Permanent(fmt.Errorf("unreadable %s: %w", kind, err))
	}
	pageID := pageKey(page)
	var reqs []bus.Out
	var dropped int
	if page.Reparse == "" && !s.NoExpand {
		reqs, dropped = s.listingRequests(page, pageURL, pageID, entries)
	}
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
			Reason: budgetReason(dropped),
		}))
	}
	return append(outs, reqs...), len(entries), nil
}

// DefaultListingBudget is the feed and sitemap fetches one root listing
// may lead to: enough for a news site's sitemap index of monthly sitemaps
// going back decades, few enough that a sitemap index listing itself, or a
// new child on every fetch, ends.
const DefaultListingBudget = 1000

// listingRequests returns the crawl requests of a listing's entries, and
// how many child listings it dropped because the budget is spent. The
// listing's budget (its hint, or the full budget on a root listing) pays
// for its own fetch; the rest is shared among its child feeds and
// sitemaps, in the order the listing names them. A listing that names
// itself gets nothing more.
func (s *Stage) listingRequests(page *schema.FetchedPage, pageURL, pageID string, entries []discover.Entry) ([]bus.Out, int) {
	budget := cmp.Or(s.ListingBudget, DefaultListingBudget)
	if page.Hints != nil && page.Hints.Budget > 0 {
		budget = page.Hints.Budget
	}
	self := map[string]bool{}
	for _, u := range []string{page.URL, page.FinalURL, pageURL} {
		if n, err := urlnorm.Normalize(u); err == nil {
			self[n] = true
		}
	}
	var children int
	kept := entries[:0:0]
	for _, e := range entries {
		if e.Kind == discover.KindPage {
			kept = append(kept, e)
			continue
		}
		if n, err := urlnorm.Normalize(e.URL); err == nil && self[n] {
			continue
		}
		children++
		kept = append(kept, e)
	}
	left := budget - 1
	if page.Hints != nil && page.Hints.Kind == schema.KindRobots {
		left = budget // robots.txt is no listing fetch of its own
	}
	share := func(i int) int { // the budget of the i-th child listing (0: none)
		n := min(children, max(left, 0))
		if i >= n {
			return 0
		}
		b := left / n
		if i < left%n {
			b++
		}
		return b
	}
	reqs := s.requests(page, pageURL, pageID, kept, share)
	return reqs, children - min(children, max(left, 0))
}

// budgetReason says why a listing's record names fewer child listings
// than it held.
func budgetReason(dropped int) string {
	if dropped == 0 {
		return ""
	}
	return fmt.Sprintf("listing budget spent: %d child feeds or sitemaps not queued", dropped)
}

func feedTitle(page *schema.FetchedPage) string {
	if page.Hints != nil {
		return page.Hints.Title
	}
	return ""
}

// requests returns a crawl request per entry of a feed or sitemap (or the
// feeds a page announces), with what the entry announced as hints. Every
// entry is one hop deeper than the page, a child listing too; budget gives
// the listing budget of the i-th child listing (nil: roots, the full
// budget), and a child whose budget is 0 is not queued.
func (s *Stage) requests(page *schema.FetchedPage, pageURL, pageID string, entries []discover.Entry, budget func(i int) int) []bus.Out {
	origin := cmp.Or(page.Origin, page.URL)
	// Scope-checked like links: what a listing names may lead off-site.
	entries = discover.Scope(entries, origin, page.URL)
	depth := page.Depth + 1
	if depth > schema.MaxDepth {
		return nil
	}
	now := s.now()
	outs := make([]bus.Out, 0, len(entries))
	child := 0
	for _, e := range entries {
		hints := &schema.Hints{Title: e.Title, Published: e.Published, Source: page.URL, Kind: e.Kind}
		if e.Kind != discover.KindPage && budget != nil {
			hints.Budget = budget(child)
			child++
			if hints.Budget == 0 {
				continue
			}
		}
		outs = append(outs, bus.Out{
			Subject: schema.SubjectCrawlURLs,
			// One id per entry of this fetch: a redelivered page publishes
			// nothing new, the next poll of the feed does.
			ID: "crawl:" + hash(pageID+"\x00"+e.URL),
			Body: schema.CrawlRequest{V: schema.Version, URL: e.URL, Depth: depth, Origin: origin,
				DiscoveredFrom: pageURL, SubmittedAt: now, Hints: hints},
			TraceID: bus.NewTraceID(),
		})
	}
	return outs
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
	} else {
		canonical = urlnorm.Redact(canonical) // never store credentials
	}
	body, words, reason := art.Body, art.WordCount, ""
	if art.PageType != schema.PageArticle {
		// A record of what the page was, and why, not a story.
		body, words, reason = "", 0, art.PageTypeReason
	}
	truncated := len(body) > schema.MaxBodyText
	if truncated {
		body = cutText(body, schema.MaxBodyText)
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
		Truncated:        truncated,
		PageType:         art.PageType,
		Reason:           reason,
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
//
// A link goes as the page spelled it (resolved against the page): the
// fetcher normalises every URL it takes, once, into the key of its
// seen-set, which folds the spellings of one page into one fetch.
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
	recent := 0
	defer func() {
		if recent > 0 && s.Log != nil {
			if ce := s.Log.Check(zap.DebugLevel, "dedup hit"); ce != nil {
				ce.Write(zap.String("url", pageURL), zap.String("trace_id", bus.TraceID(ctx)),
					zap.Int("links_skipped", recent), zap.String("reason", "queued moments ago"))
			}
		}
	}()
	for _, l := range links {
		if s.MaxLinks > 0 && len(outs) >= s.MaxLinks {
			break
		}
		if seen[l.URL] || urlnorm.SiteOf(l.URL) != scope {
			continue
		}
		seen[l.URL] = true
		req := schema.CrawlRequest{V: schema.Version, URL: l.URL, Depth: depth, Origin: origin, DiscoveredFrom: pageURL, SubmittedAt: now}
		if req.Validate() != nil {
			continue
		}
		id := "crawl:" + hash(l.URL)
		if s.recent.add(id) && firstAttempt {
			recent++
			continue
		}
		outs = append(outs, bus.Out{
			Subject: schema.SubjectCrawlURLs,
			// One id per URL: the CRAWL stream drops the same URL
			// discovered again within its duplicate window.
			ID:   id,
			Body: req,
			// Each discovered URL starts a journey of its own.
			TraceID: bus.NewTraceID(),
		})
	}
	return outs
}

// Describe tells the runner what a fetched page is about.
func Describe(page schema.FetchedPage) bus.Meta {
	return bus.Meta{URL: page.URL, TraceID: page.TraceID, Fields: []zap.Field{zap.Int("depth", page.Depth)}}
}

// Report says what the stage made of a page, from its outputs: the page
// type of its record and how many crawl requests it queued.
func Report(page schema.FetchedPage, outs []bus.Out) bus.Report {
	pageType, queued := "", 0
	for _, o := range outs {
		switch o.Subject {
		case schema.SubjectArticlesParsed:
			pageType = o.Header[schema.HeaderPageType]
		case schema.SubjectCrawlURLs:
			queued++
		}
	}
	if pageType == "" && page.Hints != nil && page.Hints.Kind == schema.KindRobots {
		pageType = schema.KindRobots
	}
	return bus.Report{Outcome: "parsed", Fields: []zap.Field{zap.String("page_type", pageType), zap.Int("links_queued", queued)}}
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
