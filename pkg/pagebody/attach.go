package pagebody

import (
	"context"
	"errors"
	"fmt"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Putter keeps encoded bodies too large for a message (Store).
type Putter interface {
	Put(ctx context.Context, name string, data []byte) error
}

// Getter reads them back (Store). Get returns an error wrapping
// ErrNotFound for a body that is gone.
type Getter interface {
	Get(ctx context.Context, name string) ([]byte, error)
}

// Attach encodes body into page: inline when the encoded body is at most
// inline bytes, else into store under name (page.BodyRef). It sets the
// encoding and the decoded size. name must be the same on every retry of
// the same fetch, so a retry overwrites rather than adds. Errors are the
// store's.
func Attach(ctx context.Context, page *schema.FetchedPage, body []byte, inline int, store Putter, name string) error {
	data, encoding := Encode(body)
	return AttachEncoded(ctx, page, data, encoding, len(body), inline, store, name)
}

// AttachEncoded is Attach for a body already encoded: data in encoding
// (the origin's gzip, schema.EncodingGzip, passed through as it came),
// size its decoded length as far as it is known. Readers bound the
// decoded size whatever size says.
func AttachEncoded(ctx context.Context, page *schema.FetchedPage, data []byte, encoding string, size, inline int, store Putter, name string) error {
	page.BodyEncoding, page.BodySize = encoding, size
	page.Body, page.BodyRef = nil, ""
	if len(data) <= inline {
		page.Body = data
		return nil
	}
	if err := store.Put(ctx, name, data); err != nil {
		return fmt.Errorf("store body: %w", err)
	}
	page.BodyRef = name
	return nil
}

// Text sets body as page's body as it is, for a few lines of text (the
// Sitemap lines of a robots.txt).
func Text(page *schema.FetchedPage, body string) {
	page.BodyEncoding, page.Body, page.BodySize, page.BodyRef = schema.EncodingIdentity, []byte(body), len(body), ""
}

// Open returns the decoded body of page, reading it from src when the
// page carries a reference: a page's whole body, refused over MaxPage; a
// feed's or sitemap's first ListingRead bytes. Errors wrapping
// ErrNotFound, ErrTooLarge or ErrCorrupt are final; others (the store
// unreachable) are worth a retry.
func Open(ctx context.Context, page *schema.FetchedPage, src Getter) ([]byte, error) {
	return open(ctx, page, src, nil)
}

// open is Open, decoding a whole page into dst's memory when it is large
// enough (see decode).
func open(ctx context.Context, page *schema.FetchedPage, src Getter, dst []byte) ([]byte, error) {
	data := page.Body
	if page.BodyRef != "" {
		if src == nil {
			return nil, fmt.Errorf("body %s: %w: no object store", page.BodyRef, ErrNotFound)
		}
		var err error
		if data, err = src.Get(ctx, page.BodyRef); err != nil {
			return nil, fmt.Errorf("body %s: %w", page.BodyRef, err)
		}
	}
	if Listing(kindOf(page)) {
		return DecodePrefix(page.BodyEncoding, data, ListingRead)
	}
	return decode(page.BodyEncoding, data, MaxPage, page.BodySize, dst)
}

// Final reports whether an error of Open is one no retry can fix.
func Final(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrCorrupt)
}
