package parse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/discover"
	"github.com/newsflow/newsflow/pkg/schema"
)

// ErrBodyNotFound is returned by a BodySource for an object that does not
// exist (it expired or was deleted): no retry brings it back.
var ErrBodyNotFound = errors.New("body not found")

// BodySource fetches a page body stored out of band (the JetStream object
// store, for pages too large for one message).
type BodySource interface {
	// Get returns the encoded body stored under name, or an error wrapping
	// ErrBodyNotFound.
	Get(ctx context.Context, name string) ([]byte, error)
}

// MaxBodySize bounds a decoded page body, and MaxListingSize that of a
// page fetched as a feed or a sitemap, so a hostile message cannot inflate
// into gigabytes. A listing is read up to discover.MaxListingSize (its
// first 50,000 entries fit well within it) and its tail dropped; a page
// over its limit is refused.
const (
	MaxBodySize    = 16 << 20
	MaxListingSize = discover.MaxListingSize
)

var pageDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxBodySize))

// Body returns the decoded body of page, reading it from src when the page
// carries a reference instead of the bytes.
func Body(ctx context.Context, page *schema.FetchedPage, src BodySource) ([]byte, error) {
	raw := page.Body
	if page.BodyRef != "" {
		if src == nil {
			return nil, bus.Permanentf("body_ref %q: no object store configured", page.BodyRef)
		}
		var err error
		raw, err = src.Get(ctx, page.BodyRef)
		if errors.Is(err, ErrBodyNotFound) {
			return nil, bus.Permanent(fmt.Errorf("body %s: %w", page.BodyRef, err))
		}
		if err != nil {
			return nil, fmt.Errorf("body %s: %w", page.BodyRef, err)
		}
	}
	limit, listing := MaxBodySize, false
	if h := page.Hints; h != nil && (h.Kind == schema.KindFeed || h.Kind == schema.KindSitemap) {
		limit, listing = MaxListingSize, true
	}
	switch page.BodyEncoding {
	case schema.EncodingIdentity:
		if len(raw) > limit {
			if listing {
				return raw[:limit], nil
			}
			return nil, bus.Permanentf("body: %d bytes exceeds %d", len(raw), limit)
		}
		return raw, nil
	case schema.EncodingZstd:
		if listing {
			return decodePrefix(raw, limit)
		}
		out, err := pageDecoder.DecodeAll(raw, make([]byte, 0, min(max(page.BodySize, 0), limit)))
		if err != nil {
			return nil, bus.Permanent(fmt.Errorf("decode zstd body: %w", err))
		}
		return out, nil
	}
	return nil, bus.Permanentf("body: unknown encoding %q", page.BodyEncoding)
}

// decodePrefix decodes the first limit bytes of a zstd body.
func decodePrefix(raw []byte, limit int) ([]byte, error) {
	d, err := zstd.NewReader(bytes.NewReader(raw), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)))
	if err != nil {
		return nil, bus.Permanent(fmt.Errorf("decode zstd body: %w", err))
	}
	defer d.Close()
	out, err := io.ReadAll(io.LimitReader(d, int64(limit)))
	if err != nil {
		return nil, bus.Permanent(fmt.Errorf("decode zstd body: %w", err))
	}
	return out, nil
}

// Compress encodes a body as the fetcher does, for tests and tools.
func Compress(body []byte) []byte {
	var buf bytes.Buffer
	w, _ := zstd.NewWriter(&buf)
	_, _ = io.Copy(w, bytes.NewReader(body))
	_ = w.Close()
	return buf.Bytes()
}
