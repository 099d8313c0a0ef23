package extract

import (
	"fmt"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// This file tells a story from a home, section or listing page. The
// decision weighs what the page says about itself (JSON-LD and og:type,
// a publication date, a dated or slugged URL) against how much link-free
// prose the story container holds. Its reason, with the signals it read,
// is Article.PageTypeReason.

// pageType returns the page type and the reason for it: the rule that
// decided and the signals it read, as "article: dated headline over prose
// (published from opengraph; headline; 4 prose blocks, 2310 chars; link
// density 0.04)".
func pageType(f *facts, a *Article, pub dateCand) (kind, reason string) {
	path, rawQuery := "", ""
	if f.base != nil {
		path, rawQuery = f.base.Path, f.base.RawQuery
	}
	segs := strings.FieldsFunc(strings.ToLower(path), func(r rune) bool { return r == '/' })
	var signals []string
	note := func(format string, args ...any) { signals = append(signals, fmt.Sprintf(format, args...)) }

	articleSignals := 0
	if f.ld.hasArticle {
		articleSignals += 2
		note("json-ld %s", f.ld.typ)
	}
	ogArticle := strings.Contains(strings.ToLower(f.mi.first["og:type"]), "article")
	if ogArticle {
		articleSignals++
		note("og:type article")
	}
	// dated: the page dates itself, in its metadata or printed at the head
	// of the story; a date from the URL or a feed says nothing of the page.
	dated := pub.ok() && pub.rank >= rankHeadText && pub.src != "url"
	// datedHead: the date belongs to the headline: stated in the page's
	// metadata, or printed between the headline and the story's first
	// block (a teaser list dates each teaser after its own heading).
	datedHead := dated && (pub.rank >= rankMetaWeak || pub.pos >= 0 && (pub.pos <= f.lay.first || f.lay.headline >= 0 && pub.pos < f.lay.headline && f.lay.shareHeader(pub.pos, f.lay.headline)))
	switch {
	case dated:
		articleSignals++
		note("published from %s", pub.src)
	case pub.ok() && pub.src != "url" && pub.src != "hint":
		// A date printed somewhere in the page still marks a story.
		articleSignals++
		note("date only from %s", pub.src)
	case pub.ok():
		note("date only from %s", pub.src)
	default:
		note("no date")
	}
	if f.base != nil {
		if _, ok := urlDate(path); ok {
			articleSignals++
			note("dated url")
		}
		if len(segs) > 0 {
			last := segs[len(segs)-1]
			if strings.Count(last, "-") >= 3 || len(last) > 40 || containsDigit(last) && len(last) > 6 {
				articleSignals++
				note("story slug in url")
			}
		}
	}
	listingLD := false
	for _, t := range f.ld.pageTypes {
		switch strings.ToLower(t) {
		case "collectionpage", "itemlist", "searchresultspage", "profilepage":
			articleSignals -= 2
			listingLD = true
			note("json-ld %s", t)
		}
	}
	headline := f.lay.headline >= 0 && a.Title != "" && (countWords(a.Title) >= 3 || isCJKName(a.Title) && len([]rune(a.Title)) >= 6)
	if headline {
		note("headline")
	}
	c := f.c
	story := c.storyText
	// Teasers' titles: linked headings in the story container (the
	// selected blocks leave them out).
	linkedHeads := 0
	for i := range f.pg.blocks {
		b := &f.pg.blocks[i]
		if b.kind == kindHeading && b.tlen > 0 && b.llen*5 >= b.tlen*4 && c.root >= 0 && b.elem >= c.root && b.elem <= f.lay.end {
			linkedHeads++
		}
	}
	longParas, proseBlocks := 0, 0
	for i := range c.blocks {
		b := &c.blocks[i]
		if b.tlen >= 150 && isProse(b) {
			longParas++
		}
		if b.tlen >= 100 && isProse(b) {
			proseBlocks++
		}
	}
	density := 1.0
	if c.root >= 0 && f.pg.elems[c.root].text > 0 {
		density = float64(f.pg.elems[c.root].link) / float64(f.pg.elems[c.root].text)
	}
	note("%d prose blocks, %d chars", proseBlocks, story)
	if linkedHeads > 0 {
		note("%d linked headings", linkedHeads)
	}
	note("link density %.2f", density)
	why := func(kind, rule string) (string, string) {
		return kind, kind + ": " + rule + " (" + strings.Join(signals, "; ") + ")"
	}

	home := f.base != nil && (len(segs) == 0 || len(segs) == 1 && rawQuery == "" &&
		(strings.HasPrefix(segs[0], "index.") || strings.HasPrefix(segs[0], "default.") || len(segs[0]) == 2 || segs[0] == "home"))
	if home && articleSignals < 3 {
		return why(schema.PageHome, "site root")
	}
	// A story under its dated headline is an article, whatever its
	// template around it looks like (teasers, link lists, a section's
	// URL).
	prose := longParas >= 1 && story >= 300 || proseBlocks >= 2 && story >= 250
	if headline && datedHead && prose && density < 0.5 && linkedHeads < 3 && !(listingLD && !f.ld.hasArticle) {
		return why(schema.PageArticle, "dated headline over prose")
	}
	// A page with no date from any source, no article markup and only a
	// little prose is an about, contact or policy page; a story without a
	// date still reads as one when it is long.
	if !pub.ok() && !f.ld.hasArticle && !ogArticle && f.mi.first["article:published_time"] == "" && story < 1000 {
		return why(nonArticleKind(f, segs, rawQuery), "no date, no article markup, little prose")
	}
	switch {
	case story >= 1500 && density < 0.35:
		return why(schema.PageArticle, "long prose")
	case story >= 400 && longParas >= 2 && density < 0.3:
		return why(schema.PageArticle, "prose paragraphs")
	}
	if articleSignals >= 2 && story >= 150 && density < 0.5 {
		return why(schema.PageArticle, "article markup over prose")
	}
	k := nonArticleKind(f, segs, rawQuery)
	switch {
	case density >= 0.5:
		return why(k, "mostly links")
	case story < 150:
		return why(k, "little prose")
	}
	return why(k, "too few article signals for its prose")
}

// nonArticleKind names a page that holds no story by its address; a page
// that came without one is a section.
func nonArticleKind(f *facts, segs []string, query string) string {
	if f.base == nil {
		return schema.PageSection
	}
	if len(segs) == 0 {
		return schema.PageHome
	}
	for _, s := range segs {
		switch s {
		case "tag", "tags", "topic", "topics", "search", "author", "authors", "archive", "archives", "page", "category", "categories", "themen", "thema", "autor", "auteur", "etiqueta", "tema", "argomenti", "label":
			return schema.PageListing
		}
	}
	if strings.Contains(query, "page=") || strings.Contains(query, "q=") {
		return schema.PageListing
	}
	return schema.PageSection
}
