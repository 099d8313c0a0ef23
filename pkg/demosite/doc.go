// Package demosite serves a deterministic, generated news site for demos,
// end-to-end tests, benchmarks and chaos runs.
//
// A Site is an http.Handler. Everything it serves (home page, section
// listings with pagination, tag pages, article pages, robots.txt, a sitemap,
// an RSS feed and a JSON manifest at /_manifest.json) is produced by this
// package's own word lists and sentence templates from Options.Seed, so the
// same Options always yield byte-identical pages for the same Host. Pages carry
// the boilerplate that makes extraction hard in the real world: menus,
// breadcrumbs, share bars, TRENDING and OPINION boxes, "Latest News" teasers
// written as prose, newsletter boxes, comments, cookie banners and footers.
//
// The Manifest is the truth a test checks a crawler and an extractor against:
// which URLs are articles and what their title, authors, dates and paragraphs
// are, which URLs are listings, which are disallowed by robots.txt, which are
// dead and which redirect.
//
// NewNetwork builds several sites that syndicate the same wire stories, so an
// indexer can be tested on grouping copies.
//
// The package depends on the standard library and golang.org/x/text (for the
// few pages served in legacy charsets); it has no network access and no
// global state.
package demosite
