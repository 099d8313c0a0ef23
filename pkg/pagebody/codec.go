package pagebody

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
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
	// zstd bounds a decoder's memory at construction.
	pageDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxPage))
)

// Encode returns body in the encoding pages travel in and that
// encoding's name: an s2 block (schema.EncodingS2) for a body up to
// MaxPage, the cheapest codec by CPU that was measured (docs/PERFORMANCE.md,
// "Codec of the page body"); zstd (schema.EncodingZstd) for a longer one,
// a feed or sitemap of which readers keep a prefix, which a zstd stream
// gives without decoding the rest. It is safe for concurrent use: s2
// keeps no state between calls.
func Encode(body []byte) (data []byte, encoding string) {
	if len(body) <= MaxPage {
		return s2.Encode(nil, body), schema.EncodingS2
	}
	encOnce.Do(func() {
		enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	})
	return enc.EncodeAll(body, make([]byte, 0, len(body)/3+64)), schema.EncodingZstd
}

// decodeS2 decodes an s2 block, reading the decoded size it announces
// before allocating: a block announcing more than limit bytes is refused
// unread. Errors wrap ErrTooLarge or ErrCorrupt.
// The block is decoded into dst's memory when it is large enough.
func decodeS2(data []byte, limit int, dst []byte) ([]byte, error) {
	n, err := s2.DecodedLen(data)
	if err != nil {
		return nil, fmt.Errorf("%w: s2: %v", ErrCorrupt, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: s2 block announces %d bytes, limit %d", ErrTooLarge, n, limit)
	}
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	out, err := s2.Decode(dst[:n], data)
	if err != nil {
		return nil, fmt.Errorf("%w: s2: %v", ErrCorrupt, err)
	}
	return out, nil
}

// Decode returns the body that data holds in encoding, refusing one over
// limit bytes (at most MaxPage). sizeHint, the decoded size the page
// announces (a hostile message may understate it), only sizes the
// buffer. Errors wrap ErrTooLarge or ErrCorrupt.
func Decode(encoding string, data []byte, limit, sizeHint int) ([]byte, error) {
	return decode(encoding, data, limit, sizeHint, nil)
}

// decode is Decode, writing the body into dst's memory when it is large
// enough (identity returns data itself, whatever dst).
func decode(encoding string, data []byte, limit, sizeHint int, dst []byte) ([]byte, error) {
	limit = min(limit, MaxPage)
	switch encoding {
	case schema.EncodingIdentity:
		if len(data) > limit {
			return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrTooLarge, len(data), limit)
		}
		return data, nil
	case schema.EncodingZstd:
		if want := min(max(sizeHint, 0), limit); cap(dst) < want {
			dst = make([]byte, 0, want)
		}
		out, err := pageDecoder.DecodeAll(data, dst[:0])
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
	case schema.EncodingS2:
		return decodeS2(data, limit, dst)
	case schema.EncodingGzip:
		return decodeGzip(data, limit, sizeHint, false, dst)
	}
	return nil, fmt.Errorf("%w: unknown encoding %q", ErrCorrupt, encoding)
}

// gzipReaders are inflaters for reuse: a gzip.Reader holds about 40 KB
// of tables and window, which Reset keeps.
var gzipReaders sync.Pool

// decodeGzip inflates data, a gzip stream of one member or more (the
// origin's own, passed through by the fetcher), reading at most limit
// bytes of output: past limit it stops and, for a whole body, fails
// with ErrTooLarge (a gzip bomb, or a trailer that understated the size,
// costs limit bytes and no more); for a prefix it returns the first
// limit bytes without reading the rest. Each member's CRC and size are
// checked when a whole body is read. sizeHint (the trailer's claim)
// only sizes the buffer, which is dst's memory when dst is large enough
// for that size. Errors wrap ErrTooLarge or ErrCorrupt.
func decodeGzip(data []byte, limit, sizeHint int, prefix bool, dst []byte) ([]byte, error) {
	limit = max(limit, 0)
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(data))
	} else {
		err = zr.Reset(bytes.NewReader(data))
	}
	if err != nil {
		if zr != nil {
			gzipReaders.Put(zr)
		}
		return nil, fmt.Errorf("%w: gzip: %v", ErrCorrupt, err)
	}
	defer gzipReaders.Put(zr)
	// One byte more than the limit tells a body at the limit from one
	// past it. The buffer grows with what is read, never past read.
	read := limit + 1
	if prefix {
		read = limit
	}
	var out []byte
	if want := min(max(sizeHint, 0)+1, read); cap(dst) >= want {
		out = dst[:0:min(cap(dst), read)]
	} else {
		out = make([]byte, 0, want)
	}
	for len(out) < read {
		if len(out) == cap(out) {
			grown := make([]byte, len(out), len(out)+min(max(cap(out), 32<<10), read-len(out)))
			out = grown[:copy(grown, out)]
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if len(out) > limit {
			// Past the limit, whatever the member's trailer would say.
			return nil, fmt.Errorf("%w: gzip inflates past %d bytes (its trailer announced %d)", ErrTooLarge, limit, sizeHint)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrCorrupt, err)
		}
	}
	return out, nil
}

// GzipSize returns the size a gzip stream's trailer announces for its
// last member (ISIZE: the last 4 bytes, little-endian, the size modulo
// 2^32). It is a claim, cheap to read before inflating anything: honest
// for a single-member body under 4 GiB, and may be false for a hostile
// one, which readers bound anyway. ok is false for data too short to be
// gzip.
func GzipSize(data []byte) (size uint32, ok bool) {
	// 10 bytes of header, an empty deflate block, 8 of trailer.
	if len(data) < 18 || data[0] != 0x1f || data[1] != 0x8b {
		return 0, false
	}
	return binary.LittleEndian.Uint32(data[len(data)-4:]), true
}

// DecodePrefix returns at most the first limit bytes of the body that
// data holds in encoding, for a document whose head is worth reading
// when it is too long (a feed, a sitemap), or whose head is all a reader
// needs (the fetcher sniffing a gzip page it passes through); the rest of
// a zstd or gzip body is not read. Errors wrap ErrCorrupt, or
// ErrTooLarge for an s2 block announcing more than MaxPage (Encode writes
// longer bodies as zstd, so only a hostile message holds one).
func DecodePrefix(encoding string, data []byte, limit int) ([]byte, error) {
	switch encoding {
	case schema.EncodingIdentity:
		return data[:min(len(data), limit)], nil
	case schema.EncodingS2:
		out, err := decodeS2(data, MaxPage, nil)
		if err != nil {
			return nil, err
		}
		return out[:min(len(out), limit)], nil
	case schema.EncodingZstd:
		// The decoder's memory (its window) is bounded by MaxPage even
		// for a small limit; what is read, by limit.
		d, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(max(limit, MaxPage))))
		if err != nil {
			return nil, fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
		}
		defer d.Close()
		out, err := io.ReadAll(io.LimitReader(d, int64(limit)))
		if err != nil {
			return nil, fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
		}
		return out, nil
	case schema.EncodingGzip:
		return decodeGzip(data, limit, limit, true, nil)
	}
	return nil, fmt.Errorf("%w: unknown encoding %q", ErrCorrupt, encoding)
}
