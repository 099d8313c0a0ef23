// Package parse is the parser stage: a FetchedPage in; out, one record
// of what the page was on articles.parsed (the Article for an article
// page, a page-type record otherwise) and crawl requests for what the page
// leads to: in-scope links, the entries of a feed or sitemap, the Sitemap
// lines of a robots.txt, the feeds a seed page announces. It is a plain
// function over messages, tested without NATS.
//
// A discovered URL goes as the page spelled it (resolved against the
// page): the fetcher normalises every URL it takes, once, into the key of
// its seen-set. What the parser publishes validates as a crawl request.
//
// Files:
//
//	stage.go    Stage, Handle: a page's record and the crawl requests it leads to
//	body.go     the page's body, through pkg/pagebody, in a buffer reused from page to page
//	recent.go   the links published lately, not published again
//	testdata/   real-looking pages, feeds and sitemaps
package parse
