package pagebody

import (
	"bytes"
	"cmp"
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
	encodings := []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingIdentity, "br"}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, limit uint16) {
		enc := encodings[int(which)%len(encodings)]
		out, err := Decode(enc, data, int(limit), 1<<30)
		if err == nil && len(out) > int(limit) {
			t.Fatalf("decoded %d bytes over the limit %d", len(out), limit)
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
