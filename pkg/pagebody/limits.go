package pagebody

import "github.com/newsflow/newsflow/pkg/schema"

// Size limits of a decoded body. The fetcher cuts a body at its
// configured limit (by default DefaultPage, or DefaultListing for a URL
// expected to be a feed or sitemap), which may not exceed the ceiling
// (MaxPage, MaxListing). Readers refuse a page over MaxPage, and read a
// feed or sitemap up to ListingRead, dropping the tail: the sitemap
// protocol allows 50 MB, but its 50,000 entries fit well within 16 MiB,
// and a parser worker must not hold more. So a hostile message cannot
// inflate into gigabytes.
const (
	DefaultPage    = 5 << 20
	MaxPage        = 16 << 20
	DefaultListing = 50 << 20
	MaxListing     = 64 << 20
	ListingRead    = 16 << 20
)

// Size limits of an encoded body carried inside a message: larger ones go
// to the object store. The ceiling leaves room in the server's default
// 1 MiB payload for the page's metadata, and for base64 in JSON, which
// grows a body by a third, should a page be published as JSON (the form
// before the envelope, which readers still accept).
const (
	DefaultInline = 512 << 10
	MaxInline     = 700 << 10
)

// Listing reports whether a page fetched as kind (a schema.Kind*) is a
// feed or a sitemap, read up to ListingRead rather than refused over
// MaxPage.
func Listing(kind string) bool {
	return kind == schema.KindFeed || kind == schema.KindSitemap
}

// kindOf returns the kind a page was fetched as.
func kindOf(p *schema.FetchedPage) string {
	if p.Hints == nil {
		return ""
	}
	return p.Hints.Kind
}
