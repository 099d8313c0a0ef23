package pagebody

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Errors of Decode and Open. No retry helps with any of them.
var (
	// ErrTooLarge: the decoded body would exceed its limit.
	ErrTooLarge = errors.New("body too large")
	// ErrCorrupt: the body does not decode, or its encoding is unknown.
	ErrCorrupt = errors.New("body corrupt")
)

var (
	encOnce sync.Once
	enc     *zstd.Encoder
	// One decoder per limit: zstd bounds its memory at construction.
	pageDecoder, _    = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxPage))
	listingDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxListing))
)

// Encode returns body in the encoding pages travel in and that
// encoding's name (schema.EncodingZstd). It is safe for concurrent use.
func Encode(body []byte) (data []byte, encoding string) {
	encOnce.Do(func() {
		enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	})
	return enc.EncodeAll(body, make([]byte, 0, len(body)/3+64)), schema.EncodingZstd
}

// Decode returns the body that data holds in encoding, at most limit
// bytes (MaxPage or MaxListing). sizeHint, the decoded size the page
// announces, only sizes the buffer. Errors wrap ErrTooLarge or ErrCorrupt.
func Decode(encoding string, data []byte, limit, sizeHint int) ([]byte, error) {
	switch encoding {
	case schema.EncodingIdentity:
		if len(data) > limit {
			return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrTooLarge, len(data), limit)
		}
		return data, nil
	case schema.EncodingZstd:
		dec := pageDecoder
		if limit > MaxPage {
			dec = listingDecoder
		}
		out, err := dec.DecodeAll(data, make([]byte, 0, min(max(sizeHint, 0), limit)))
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return nil, fmt.Errorf("%w: zstd: %v", ErrTooLarge, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
		}
		if len(out) > limit {
			return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrTooLarge, len(out), limit)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unknown encoding %q", ErrCorrupt, encoding)
}
