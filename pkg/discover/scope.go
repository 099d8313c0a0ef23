package discover

import "github.com/newsflow/newsflow/pkg/urlnorm"

// Scope returns the entries of a listing (or the feeds a page announces)
// that a crawl may follow, as links are scope-checked: each URL
// normalised (urlnorm.Normalize; one that does not normalise, credentials
// included, is dropped), and on the registrable domain of the crawl's
// origin.
//
// One exception: what a crawl's root names directly. When the listing or
// page from is the crawl's origin itself (a feed or sitemap an operator
// submitted or registered, a seed page), its entries may lie on any site:
// feeds.example-cdn.net lists stories of www.example.com. Everything those
// entries lead to is scope-checked again against that origin.
func Scope(entries []Entry, origin, from string) []Entry {
	originKey, err := urlnorm.Normalize(origin)
	if err != nil {
		return nil
	}
	fromKey, err := urlnorm.Normalize(from)
	root := err == nil && fromKey == originKey
	site := urlnorm.SiteOf(originKey)
	out := make([]Entry, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		u, err := urlnorm.Normalize(e.URL)
		if err != nil || seen[u] {
			continue
		}
		if !root && urlnorm.SiteOf(u) != site {
			continue
		}
		seen[u] = true
		e.URL = u
		out = append(out, e)
	}
	return out
}
