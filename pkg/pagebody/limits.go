package pagebody

import "github.com/newsflow/newsflow/pkg/schema"

// Size limits of a decoded body. The fetcher cuts a body at its
// configured limit (by default DefaultPage, or DefaultListing for a URL
// expected to be a feed or sitemap), which may not exceed the ceiling
// (MaxPage, MaxListing); readers refuse a body over the ceiling, so a
// hostile message cannot inflate into gigabytes. The sitemap protocol
// allows 50 MB.
const (
	DefaultPage    = 5 << 20
	MaxPage        = 16 << 20
	DefaultListing = 50 << 20
	MaxListing     = 64 << 20
)

// Size limits of an encoded body carried inside a message: larger ones go
// to the object store. The ceiling leaves room in the server's default
// 1 MiB payload for base64 in JSON, which grows a body by a third.
const (
	DefaultInline = 512 << 10
	MaxInline     = 700 << 10
)

// Limit returns the ceiling of a decoded body for a page fetched as kind
// (a schema.Kind*): MaxListing for feeds and sitemaps, MaxPage otherwise.
func Limit(kind string) int {
	if kind == schema.KindFeed || kind == schema.KindSitemap {
		return MaxListing
	}
	return MaxPage
}

// kindOf returns the kind a page was fetched as.
func kindOf(p *schema.FetchedPage) string {
	if p.Hints == nil {
		return ""
	}
	return p.Hints.Kind
}
