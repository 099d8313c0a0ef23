package pagebody

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
)

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		give []byte
	}{
		{name: "empty", give: nil},
		{name: "a page", give: []byte("<html><body><p>A harbour town votes to rebuild its sea wall.</p></body></html>")},
		{name: "binary", give: []byte{0, 1, 2, 0xff, 0xfe}},
		{name: "a large page", give: bytes.Repeat([]byte("<p>word after word</p>\n"), 100_000)},
	}
	for _, tt := range tests {
		data, enc := Encode(tt.give)
		if enc != schema.EncodingZstd {
			t.Errorf("%s: encoding %q", tt.name, enc)
		}
		if len(tt.give) > 1000 && len(data) >= len(tt.give)/10 {
			t.Errorf("%s: %d bytes encode to %d, want compression", tt.name, len(tt.give), len(data))
		}
		got, err := Decode(enc, data, MaxPage, len(tt.give))
		if err != nil || !bytes.Equal(got, tt.give) {
			t.Errorf("%s: round trip = %d bytes, %v; want the %d bytes back", tt.name, len(got), err, len(tt.give))
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	zeros := func(n int) []byte { data, _ := Encode(make([]byte, n)); return data }
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
		{name: "identity at the limit", encoding: schema.EncodingIdentity, data: make([]byte, 100), limit: 100},
		{name: "identity over the limit", encoding: schema.EncodingIdentity, data: make([]byte, 101), limit: 100, wantErr: ErrTooLarge},
		{name: "not zstd", encoding: schema.EncodingZstd, data: []byte("<html>plain</html>"), limit: MaxPage, wantErr: ErrCorrupt},
		{name: "unknown encoding", encoding: "br", data: []byte("x"), limit: MaxPage, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		_, err := Decode(tt.encoding, tt.data, tt.limit, 0)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Decode = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

// TestDecodePrefix: a listing is read up to its limit and its tail
// dropped, whatever size it claims.
func TestDecodePrefix(t *testing.T) {
	body := bytes.Repeat([]byte("<url><loc>https://news.example/a</loc></url>\n"), 10_000)
	data, enc := Encode(body)
	tests := []struct {
		name     string
		encoding string
		data     []byte
		limit    int
		want     []byte
		wantErr  error
	}{
		{name: "zstd within the limit", encoding: enc, data: data, limit: len(body), want: body},
		{name: "zstd over the limit", encoding: enc, data: data, limit: 1000, want: body[:1000]},
		{name: "identity over the limit", encoding: schema.EncodingIdentity, data: body, limit: 1000, want: body[:1000]},
		{name: "a four-times bomb", encoding: enc, data: func() []byte { d, _ := Encode(make([]byte, 4*ListingRead)); return d }(), limit: ListingRead, want: make([]byte, ListingRead)},
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

// FuzzDecode: a hostile body never panics, and what decodes, whole or as
// a prefix, stays within the limit.
func FuzzDecode(f *testing.F) {
	small, _ := Encode([]byte("<p>compressed</p>"))
	f.Add(small, true, uint16(100))
	f.Add([]byte("plain"), false, uint16(3))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, true, uint16(10))
	f.Fuzz(func(t *testing.T, data []byte, zstd bool, limit uint16) {
		enc := schema.EncodingIdentity
		if zstd {
			enc = schema.EncodingZstd
		}
		out, err := Decode(enc, data, int(limit), 1<<30)
		if err == nil && len(out) > int(limit) {
			t.Fatalf("decoded %d bytes over the limit %d", len(out), limit)
		}
		if prefix, perr := DecodePrefix(enc, data, int(limit)); perr == nil && len(prefix) > int(limit) {
			t.Fatalf("prefix of %d bytes over the limit %d", len(prefix), limit)
		} else if perr != nil && !errors.Is(perr, ErrCorrupt) {
			t.Fatalf("prefix error %v is not corrupt", perr)
		}
		if err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v is neither too large nor corrupt", err)
		}
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("empty error")
		}
	})
}
