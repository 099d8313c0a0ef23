package pagebody

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
)

// encodedPage returns a page holding body in encoding.
func encodedPage(encoding string, body []byte, hints *schema.Hints) *schema.FetchedPage {
	data := body
	switch encoding {
	case schema.EncodingS2:
		data = s2Block(body)
	case schema.EncodingZstd:
		data = zstdFrame(body)
	case schema.EncodingGzip:
		data = gzipped(body)
	}
	return &schema.FetchedPage{BodyEncoding: encoding, Body: data, BodySize: len(body), Hints: hints}
}

// pageText is a body of about n bytes that differs with seed.
func pageText(seed string, n int) []byte {
	return bytes.Repeat([]byte("<p>"+seed+" story text</p>\n"), n/(len(seed)+18)+1)
}

// TestBuffersReuse checks that a released buffer serves the next page of a
// compressed encoding, and that the next page's bytes are its own.
func TestBuffersReuse(t *testing.T) {
	for _, enc := range []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingGzip} {
		t.Run(enc, func(t *testing.T) {
			var bufs Buffers
			a, b := pageText("first", 64<<10), pageText("second", 32<<10)
			reused := false
			// sync.Pool may drop an item (a GC between the calls, or at
			// random under the race detector): a few tries tell.
			for range 10 {
				got, release, err := bufs.Open(context.Background(), encodedPage(enc, a, nil), nil)
				if err != nil || !bytes.Equal(got, a) {
					t.Fatalf("first page: %d bytes, err %v; want its %d bytes", len(got), err, len(a))
				}
				first := &got[0]
				release()
				got, release, err = bufs.Open(context.Background(), encodedPage(enc, b, nil), nil)
				if err != nil || !bytes.Equal(got, b) {
					t.Fatalf("second page: %d bytes, err %v; want its %d bytes", len(got), err, len(b))
				}
				reused = reused || &got[0] == first
				release()
			}
			if !reused {
				t.Errorf("every second page decoded into new memory: the released buffer was never reused")
			}
		})
	}
}

// TestBuffersOwnOnly checks that Buffers never recycles memory it does not
// own: an identity body is the message's own bytes, and a listing's
// prefix is left to the collector; the next page must not overwrite
// either.
func TestBuffersOwnOnly(t *testing.T) {
	tests := []struct {
		name string
		page *schema.FetchedPage
	}{
		{name: "identity page", page: encodedPage(schema.EncodingIdentity, pageText("kept", 8<<10), nil)},
		{name: "gzip sitemap", page: encodedPage(schema.EncodingGzip, pageText("kept", 8<<10), &schema.Hints{Kind: schema.KindSitemap})},
		{name: "s2 feed", page: encodedPage(schema.EncodingS2, pageText("kept", 8<<10), &schema.Hints{Kind: schema.KindFeed})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bufs Buffers
			got, release, err := bufs.Open(context.Background(), tt.page, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := bytes.Clone(got)
			release()
			for i := range 4 {
				other, release, err := bufs.Open(context.Background(), encodedPage(schema.EncodingGzip, pageText(fmt.Sprint("other", i), 8<<10), nil), nil)
				if err != nil {
					t.Fatal(err)
				}
				release()
				_ = other
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the body changed after later pages were opened: its memory was reused")
			}
		})
	}
}

// TestBuffersLargeNotKept checks that a body over maxReused is not kept
// for the next page.
func TestBuffersLargeNotKept(t *testing.T) {
	var bufs Buffers
	got, release, err := bufs.Open(context.Background(), encodedPage(schema.EncodingGzip, pageText("large", maxReused+1), nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if bp, _ := bufs.pool.Get().(*[]byte); bp != nil && cap(*bp) >= len(got) {
		t.Errorf("a %d-byte buffer was kept, over maxReused %d", cap(*bp), maxReused)
	}
}

// TestBuffersErrors checks that a corrupt or too large body fails as with
// Open and leaves the pool usable.
func TestBuffersErrors(t *testing.T) {
	var bufs Buffers
	tests := []struct {
		name string
		page *schema.FetchedPage
		want error
	}{
		{name: "corrupt gzip", page: &schema.FetchedPage{BodyEncoding: schema.EncodingGzip, Body: []byte("\x1f\x8bnot gzip at all")}, want: ErrCorrupt},
		{name: "s2 announcing too much", page: &schema.FetchedPage{BodyEncoding: schema.EncodingS2, Body: lyingS2(MaxPage + 1)}, want: ErrTooLarge},
	}
	for _, tt := range tests {
		_, release, err := bufs.Open(context.Background(), tt.page, nil)
		release()
		if err == nil || !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	body := pageText("after", 4<<10)
	got, release, err := bufs.Open(context.Background(), encodedPage(schema.EncodingGzip, body, nil), nil)
	defer release()
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("after errors: %d bytes, err %v; want %d bytes", len(got), err, len(body))
	}
}
