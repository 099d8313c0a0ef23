package pagebody

import (
	"bytes"
	"cmp"
	stdgzip "compress/gzip"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/newsflow/newsflow/pkg/schema"
)

// s2Block returns body as an s2 block, and zstdFrame as a zstd frame, as
// written by fetchers before and after the codec changed.
func s2Block(body []byte) []byte { return s2.Encode(nil, body) }

func zstdFrame(body []byte) []byte {
	e, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	defer e.Close()
	return e.EncodeAll(body, nil)
}

// lyingS2 is an s2 block whose header announces n decoded bytes and
// whose data holds a few.
func lyingS2(n int) []byte {
	return append(binary.AppendUvarint(nil, uint64(n)), s2Block([]byte("abc"))[1:]...)
}

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name    string
		give    []byte
		wantEnc string // default schema.EncodingS2
	}{
		{name: "empty", give: nil},
		{name: "a page", give: []byte("<html><body><p>A harbour town votes to rebuild its sea wall.</p></body></html>")},
		{name: "binary", give: []byte{0, 1, 2, 0xff, 0xfe}},
		{name: "a large page", give: bytes.Repeat([]byte("<p>word after word</p>\n"), 100_000)},
		{name: "a page at the page limit", give: bytes.Repeat([]byte("<p>abc</p>"), MaxPage/10)},
		{name: "a listing over the page limit", give: bytes.Repeat([]byte("<loc>x</loc>"), MaxPage/12+1), wantEnc: schema.EncodingZstd},
	}
	for _, tt := range tests {
		data, enc := Encode(tt.give)
		if want := cmp.Or(tt.wantEnc, schema.EncodingS2); enc != want {
			t.Errorf("%s: encoding %q, want %q", tt.name, enc, want)
		}
		if len(tt.give) > 1000 && len(data) >= len(tt.give)/10 {
			t.Errorf("%s: %d bytes encode to %d, want compression", tt.name, len(tt.give), len(data))
		}
		got, err := Decode(enc, data, MaxPage, len(tt.give))
		if len(tt.give) > MaxPage { // read as a listing is
			got, err = DecodePrefix(enc, data, len(tt.give))
		}
		if err != nil || !bytes.Equal(got, tt.give) {
			t.Errorf("%s: round trip = %d bytes, %v; want the %d bytes back", tt.name, len(got), err, len(tt.give))
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	zeros := func(n int) []byte { return zstdFrame(make([]byte, n)) }
	s2zeros := func(n int) []byte { return s2Block(make([]byte, n)) }
	tests := []struct {
		name     string
		encoding string
		data     []byte
		limit    int
		wantErr  error
	}{
		{name: "zstd at the page limit", encoding: schema.EncodingZstd, data: zeros(MaxPage), limit: MaxPage},
		{name: "zstd bomb over the page limit", encoding: schema.EncodingZstd, data: zeros(MaxPage + 1), limit: MaxPage, wantErr: ErrTooLarge},
		{name: "a limit above MaxPage is MaxPage", encoding: schema.EncodingZstd, data: zeros(MaxPage + 1), limit: MaxListing, wantErr: ErrTooLarge},
		{name: "over a small limit", encoding: schema.EncodingZstd, data: zeros(1000), limit: 999, wantErr: ErrTooLarge},
		{name: "s2 at the page limit", encoding: schema.EncodingS2, data: s2zeros(MaxPage), limit: MaxPage},
		{name: "s2 bomb over the page limit", encoding: schema.EncodingS2, data: s2zeros(MaxPage + 1), limit: MaxPage, wantErr: ErrTooLarge},
		{name: "s2 over a small limit", encoding: schema.EncodingS2, data: s2zeros(1000), limit: 999, wantErr: ErrTooLarge},
		{name: "s2 announcing 4 GiB", encoding: schema.EncodingS2, data: lyingS2(1<<32 - 1), limit: MaxPage, wantErr: ErrTooLarge},
		{name: "s2 announcing more than it holds", encoding: schema.EncodingS2, data: lyingS2(500), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "s2 announcing less than it holds", encoding: schema.EncodingS2, data: append([]byte{2}, s2Block([]byte("abcdef"))[1:]...), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "not s2", encoding: schema.EncodingS2, data: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, limit: MaxPage, wantErr: ErrCorrupt},
		{name: "empty s2", encoding: schema.EncodingS2, data: nil, limit: MaxPage, wantErr: ErrCorrupt},
		{name: "identity at the limit", encoding: schema.EncodingIdentity, data: make([]byte, 100), limit: 100},
		{name: "identity over the limit", encoding: schema.EncodingIdentity, data: make([]byte, 101), limit: 100, wantErr: ErrTooLarge},
		{name: "not zstd", encoding: schema.EncodingZstd, data: []byte("<html>plain</html>"), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "unknown encoding", encoding: "br", data: []byte("x"), limit: MaxPage, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := Decode(tt.encoding, tt.data, tt.limit, 0)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Decode = %v, want %v", tt.name, err, tt.wantErr)
		}
		if err == nil && len(got) != tt.limit {
			t.Errorf("%s: Decode = %d bytes, want %d", tt.name, len(got), tt.limit)
		}
	}
}

// TestDecodePrefix: a listing is read up to its limit and its tail
// dropped, whatever size it claims.
func TestDecodePrefix(t *testing.T) {
	body := bytes.Repeat([]byte("<url><loc>https://news.example/a</loc></url>\n"), 10_000)
	data, enc := Encode(body)
	if enc != schema.EncodingS2 {
		t.Fatalf("a listing of %d bytes encodes as %q, want s2", len(body), enc)
	}
	tests := []struct {
		name     string
		encoding string
		data     []byte
		limit    int
		want     []byte
		wantErr  error
	}{
		{name: "s2 within the limit", encoding: enc, data: data, limit: len(body), want: body},
		{name: "s2 over the limit", encoding: enc, data: data, limit: 1000, want: body[:1000]},
		{name: "s2 announcing more than a page", encoding: schema.EncodingS2, data: lyingS2(MaxPage + 1), limit: 1000, wantErr: ErrTooLarge},
		{name: "s2 corrupt", encoding: schema.EncodingS2, data: lyingS2(500), limit: 1000, wantErr: ErrCorrupt},
		{name: "zstd within the limit", encoding: schema.EncodingZstd, data: zstdFrame(body), limit: len(body), want: body},
		{name: "zstd over the limit", encoding: schema.EncodingZstd, data: zstdFrame(body), limit: 1000, want: body[:1000]},
		{name: "identity over the limit", encoding: schema.EncodingIdentity, data: body, limit: 1000, want: body[:1000]},
		{name: "a four-times bomb", encoding: schema.EncodingZstd, data: func() []byte { d, _ := Encode(make([]byte, 4*ListingRead)); return d }(), limit: ListingRead, want: make([]byte, ListingRead)},
		{name: "corrupt", encoding: schema.EncodingZstd, data: []byte("plain"), limit: 1000, wantErr: ErrCorrupt},
		{name: "unknown encoding", encoding: "br", data: body, limit: 1000, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := DecodePrefix(tt.encoding, tt.data, tt.limit)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: DecodePrefix = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: %d bytes, want %d", tt.name, len(got), len(tt.want))
		}
	}
}

func TestListing(t *testing.T) {
	for kind, want := range map[string]bool{"": false, schema.KindPolledPage: false, schema.KindRobots: false, schema.KindFeed: true, schema.KindSitemap: true} {
		if got := Listing(kind); got != want {
			t.Errorf("Listing(%q) = %v, want %v", kind, got, want)
		}
	}
	if DefaultPage > MaxPage || DefaultListing > MaxListing || DefaultInline > MaxInline || ListingRead > MaxListing {
		t.Error("a default exceeds its ceiling")
	}
	if ListingRead > 16<<20 {
		t.Errorf("ListingRead %d: a parser worker must not hold more than 16 MiB", ListingRead)
	}
}

// FuzzDecode: a hostile body in any encoding never panics, never
// allocates for more than the limit, and what decodes, whole or as a
// prefix, stays within the limit; every error says too large or corrupt.
func FuzzDecode(f *testing.F) {
	small := []byte("<p>compressed, compressed, compressed</p>")
	f.Add(s2Block(small), uint8(0), uint16(100))
	f.Add(zstdFrame(small), uint8(1), uint16(100))
	f.Add([]byte("plain"), uint8(2), uint16(3))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, uint8(1), uint16(10))
	f.Add(lyingS2(1<<20), uint8(0), uint16(1000))
	f.Add(lyingS2(20), uint8(0), uint16(1000))
	f.Add(s2Block(make([]byte, 5000)), uint8(0), uint16(4999))
	f.Add(gzipped(small), uint8(4), uint16(100))
	f.Add(gzipped(small, small), uint8(4), uint16(100))
	f.Add(gzipped(make([]byte, 5000)), uint8(4), uint16(4999))
	f.Add(withISize(gzipped(make([]byte, 5000)), 10), uint8(4), uint16(1000))
	f.Add(gzipped(small)[:20], uint8(4), uint16(100))
	encodings := []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingIdentity, "br", schema.EncodingGzip}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, limit uint16) {
		enc := encodings[int(which)%len(encodings)]
		out, err := Decode(enc, data, int(limit), 1<<30)
		if err == nil && len(out) > int(limit) {
			t.Fatalf("decoded %d bytes over the limit %d", len(out), limit)
		}
		if err == nil && enc == schema.EncodingGzip && cap(out) > 2*int(limit)+1 {
			t.Fatalf("allocated %d bytes for a gzip body under the limit %d", cap(out), limit)
		}
		if err == nil && enc == schema.EncodingS2 && cap(out) > int(limit) {
			t.Fatalf("allocated %d bytes over the limit %d", cap(out), limit)
		}
		if err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v is neither too large nor corrupt", err)
		}
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("empty error")
		}
		prefix, perr := DecodePrefix(enc, data, int(limit))
		if perr == nil && len(prefix) > int(limit) {
			t.Fatalf("prefix of %d bytes over the limit %d", len(prefix), limit)
		}
		if perr != nil && !errors.Is(perr, ErrCorrupt) && !errors.Is(perr, ErrTooLarge) {
			t.Fatalf("prefix error %v is neither too large nor corrupt", perr)
		}
		if err == nil && perr == nil && !bytes.HasPrefix(out, prefix) {
			t.Fatal("the prefix is not the head of the whole body")
		}
	})
}

// gzipped returns body gzipped as an origin would send it, one member per
// part.
func gzipped(parts ...[]byte) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		w := stdgzip.NewWriter(&b)
		w.Write(p)
		w.Close()
	}
	return b.Bytes()
}

// withISize returns a copy of gz whose trailer announces size.
func withISize(gz []byte, size uint32) []byte {
	out := bytes.Clone(gz)
	binary.LittleEndian.PutUint32(out[len(out)-4:], size)
	return out
}

// TestGzip: the origin's gzip, passed through, reads back whole or as a
// prefix, one member or several; past its limit it is refused as too
// large, whatever its trailer says; cut short or corrupt, it is corrupt.
func TestGzip(t *testing.T) {
	page := bytes.Repeat([]byte("<p>A harbour town votes to rebuild its sea wall.</p>\n"), 2000)
	bomb := gzipped(make([]byte, MaxPage+1))
	tests := []struct {
		name    string
		data    []byte
		limit   int
		hint    int
		want    []byte
		wantErr error
	}{
		{name: "a page", data: gzipped(page), limit: MaxPage, hint: len(page), want: page},
		{name: "a page, no size hint", data: gzipped(page), limit: MaxPage, want: page},
		{name: "empty", data: gzipped(nil), limit: MaxPage, want: []byte{}},
		{name: "two members", data: gzipped(page[:1000], page[1000:]), limit: MaxPage, hint: len(page) - 1000, want: page},
		{name: "exactly at the limit", data: gzipped(page), limit: len(page), hint: len(page), want: page},
		{name: "one byte over the limit", data: gzipped(page), limit: len(page) - 1, hint: len(page), wantErr: ErrTooLarge},
		{name: "a bomb over MaxPage", data: bomb, limit: MaxPage, hint: MaxPage + 1, wantErr: ErrTooLarge},
		{name: "a bomb whose trailer lies", data: withISize(bomb, 1000), limit: MaxPage, hint: 1000, wantErr: ErrTooLarge},
		{name: "a limit above MaxPage is MaxPage", data: bomb, limit: MaxListing, hint: 1000, wantErr: ErrTooLarge},
		{name: "cut short", data: gzipped(page)[:200], limit: MaxPage, wantErr: ErrCorrupt},
		{name: "trailer cut off", data: func() []byte { g := gzipped(page); return g[:len(g)-8] }(), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "wrong CRC", data: func() []byte { g := gzipped(page); g[len(g)-8] ^= 0xff; return g }(), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "wrong size in the trailer", data: withISize(gzipped(page), uint32(len(page)-1)), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "not gzip", data: []byte("<html>plain</html>"), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "empty data", data: nil, limit: MaxPage, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := Decode(schema.EncodingGzip, tt.data, tt.limit, tt.hint)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Decode = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "gzip") {
				t.Errorf("%s: error %q does not name gzip", tt.name, err)
			}
			continue
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: %d bytes, want %d", tt.name, len(got), len(tt.want))
		}
		if cap(got) > max(len(tt.want), 32<<10)*2+1 {
			t.Errorf("%s: buffer of %d bytes for %d", tt.name, cap(got), len(got))
		}
	}
}

func TestGzipPrefix(t *testing.T) {
	page := bytes.Repeat([]byte("<url><loc>https://news.example/a</loc></url>\n"), 10_000)
	tests := []struct {
		name    string
		data    []byte
		limit   int
		want    []byte
		wantErr error
	}{
		{name: "within the limit", data: gzipped(page), limit: len(page), want: page},
		{name: "a head", data: gzipped(page), limit: 1000, want: page[:1000]},
		{name: "the head of a body cut short", data: gzipped(page)[:500], limit: 100, want: page[:100]},
		{name: "the head of a bomb", data: gzipped(make([]byte, 4*ListingRead)), limit: ListingRead, want: make([]byte, ListingRead)},
		{name: "two members", data: gzipped(page[:10], page[10:]), limit: 1000, want: page[:1000]},
		{name: "not gzip", data: []byte("plain text"), limit: 100, wantErr: ErrCorrupt},
		{name: "no head: the header checked, nothing inflated", data: gzipped(page)[:20], limit: 0, want: nil},
		{name: "no head of a header cut short", data: gzipped(page)[:5], limit: 0, wantErr: ErrCorrupt},
		{name: "no head, not gzip", data: []byte("plain text"), limit: 0, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := DecodePrefix(schema.EncodingGzip, tt.data, tt.limit)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: DecodePrefix = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: %d bytes, want %d", tt.name, len(got), len(tt.want))
		}
	}
}

func TestGzipSize(t *testing.T) {
	page := bytes.Repeat([]byte("abc"), 1000)
	tests := []struct {
		name   string
		give   []byte
		want   uint32
		wantOK bool
	}{
		{name: "a page", give: gzipped(page), want: 3000, wantOK: true},
		{name: "empty body", give: gzipped(nil), want: 0, wantOK: true},
		{name: "two members: the last one's", give: gzipped(page, page[:10]), want: 10, wantOK: true},
		{name: "a lying trailer", give: withISize(gzipped(page), 7), want: 7, wantOK: true},
		{name: "too short", give: gzipped(nil)[:17]},
		{name: "not gzip", give: bytes.Repeat([]byte("x"), 40)},
	}
	for _, tt := range tests {
		got, ok := GzipSize(tt.give)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: GzipSize = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}
