package discover

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mmcdole/gofeed"
	rssfeed "github.com/mmcdole/gofeed/rss"
)

// parseFeed reads an RSS (0.9x, 1.0/RDF, 2.0), Atom or JSON Feed
// document with gofeed, after converting XML to UTF-8 (see toUTF8) and
// checking its depth.
func parseFeed(body []byte, httpCharset string) ([]Entry, error) {
	if looksLikeXML(body) {
		body = toUTF8(body, httpCharset)
		if err := checkDepth(body); err != nil {
			return nil, err
		}
	} else {
		body = bytes.TrimPrefix(body, bomUTF8)
	}
	p := gofeed.NewParser()
	p.RSSTranslator = &rssTranslator{}
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	var out []Entry
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" {
			continue
		}
		e := Entry{URL: link, Title: it.Title}
		switch {
		case it.PublishedParsed != nil:
			e.Published = checkYear(*it.PublishedParsed)
		case it.UpdatedParsed != nil:
			e.Published = checkYear(*it.UpdatedParsed)
		}
		out = append(out, e)
		if len(out) >= MaxEntries {
			break
		}
	}
	return out, nil
}

// rssTranslator is gofeed's RSS translation, plus the RSS 2.0 rule that a
// guid is the item's permalink unless isPermaLink="false": an item with
// no <link> but such a guid keeps its URL.
type rssTranslator struct{ gofeed.DefaultRSSTranslator }

// Translate implements gofeed.Translator.
func (t *rssTranslator) Translate(feed any) (*gofeed.Feed, error) {
	out, err := t.DefaultRSSTranslator.Translate(feed)
	if err != nil {
		return nil, err
	}
	src, ok := feed.(*rssfeed.Feed)
	if !ok || len(src.Items) != len(out.Items) {
		return out, nil
	}
	for i, it := range src.Items {
		if it == nil || out.Items[i] == nil || out.Items[i].Link != "" || len(out.Items[i].Links) > 0 {
			continue
		}
		out.Items[i].Link = permalink(it.GUID)
	}
	return out, nil
}

// permalink returns the URL a guid gives, or "". RSS 2.0: isPermaLink is
// true by default, and then the guid is a URL. Feeds that forget the
// attribute on guids that are only identifiers ("12345@site",
// "tag:...") are common, and gofeed cannot tell a missing attribute from
// "true", so a guid counts only if it reads as a URL: absolute http(s), or
// a path from the site's root.
func permalink(g *rssfeed.GUID) string {
	if g == nil || strings.EqualFold(strings.TrimSpace(g.IsPermalink), "false") {
		return ""
	}
	v := strings.TrimSpace(g.Value)
	lower := strings.ToLower(v[:min(len(v), 8)])
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
		(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//")) {
		return v
	}
	return ""
}
