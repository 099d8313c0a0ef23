package pagebody

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

func testPage(body []byte) schema.FetchedPage {
	page := schema.FetchedPage{V: schema.Version, URL: "https://news.example/a", FinalURL: "https://news.example/a", Status: 200,
		ContentType: "text/html", FetchedAt: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), Hints: &schema.Hints{Kind: schema.KindFeed}}
	if body != nil {
		page.Body, page.BodyEncoding = Encode(body)
		page.BodySize = len(body)
	} else {
		page.BodyEncoding = schema.EncodingS2
	}
	return page
}

// envelope builds a pages.fetched envelope by hand: magic, the length
// said, the metadata, the body.
func envelope(length uint64, meta string, body []byte) []byte {
	out := binary.AppendUvarint([]byte(Magic), length)
	return append(append(out, meta...), body...)
}

func isSchemaError(err error) bool {
	var fe *schema.FieldError
	return errors.Is(err, schema.ErrEmpty) || errors.Is(err, schema.ErrMalformed) || errors.Is(err, schema.ErrVersion) || errors.As(err, &fe)
}

func TestMessageRoundTrip(t *testing.T) {
	byRef := testPage(nil)
	byRef.BodyRef, byRef.BodySize = "page-1", 1<<20
	tests := []struct {
		name string
		page schema.FetchedPage
	}{
		{name: "inline body", page: testPage([]byte("<rss/>"))},
		{name: "a page's body", page: testPage(bytes.Repeat([]byte("<p>word after word</p>\n"), 5000))},
		{name: "by reference", page: byRef},
		{name: "no body", page: testPage(nil)},
	}
	for _, tt := range tests {
		data, err := Marshal(tt.page)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(Magic)) || !bytes.HasSuffix(data, tt.page.Body) {
			t.Errorf("%s: %q... is not an envelope ending with the raw body", tt.name, data[:min(len(data), 16)])
		}
		if len(tt.page.Body) > 1000 && len(data) > len(tt.page.Body)+1000 {
			t.Errorf("%s: %d bytes for a body of %d: the body is not raw", tt.name, len(data), len(tt.page.Body))
		}
		body, header := Payload(tt.page)
		if raw, ok := body.([]byte); !ok || !bytes.Equal(raw, data) || header != nil {
			t.Errorf("%s: Payload is %T (headers %v), want Marshal's bytes", tt.name, body, header)
		}
		got, err := Unmarshal(data)
		if err != nil || !reflect.DeepEqual(got, tt.page) {
			t.Errorf("%s: Unmarshal = %+v, %v; want %+v", tt.name, got, err, tt.page)
		}
	}
}

// TestUnmarshalJSONPages: pages published before the envelope (JSON, the
// body in base64), kept in PAGES for reparse, still read.
func TestUnmarshalJSONPages(t *testing.T) {
	page := testPage([]byte("<html><p>an old page</p></html>"))
	page.Body, page.BodyEncoding = zstdFrame([]byte("<html><p>an old page</p></html>")), schema.EncodingZstd
	data, _ := json.Marshal(page)
	got, err := Unmarshal(data)
	if err != nil || !reflect.DeepEqual(got, page) {
		t.Fatalf("Unmarshal(JSON) = %+v, %v; want %+v", got, err, page)
	}
	if body, err := Open(t.Context(), &got, nil); err != nil || string(body) != "<html><p>an old page</p></html>" {
		t.Errorf("Open of an old page = %q, %v", body, err)
	}
}

func TestUnmarshalRefusesBadMessages(t *testing.T) {
	meta := func(p schema.FetchedPage) string { b, _ := json.Marshal(p); return string(b) }
	good := meta(testPage(nil))
	withBody := testPage([]byte("x"))
	withRef := testPage(nil)
	withRef.BodyRef = "page-1"
	tests := []struct {
		name string
		give []byte
	}{
		{name: "empty", give: nil},
		{name: "JSON cut short", give: []byte("{")},
		{name: "JSON of another version", give: []byte(`{"v":99}`)},
		{name: "JSON with a bad URL", give: []byte(`{"v":1,"url":"ftp://x"}`)},
		{name: "magic only", give: []byte(Magic)},
		{name: "length past the end", give: envelope(uint64(len(good)+1), good, nil)},
		{name: "length of 2^63", give: envelope(1<<63, good, nil)},
		{name: "length cut short", give: append([]byte(Magic), 0x80)},
		{name: "metadata not JSON", give: envelope(5, "hello", []byte("body"))},
		{name: "metadata of another version", give: envelope(8, `{"v":99}`, nil)},
		{name: "metadata cut by its length", give: envelope(uint64(len(good)-1), good, nil)},
		{name: "body inside the metadata", give: envelope(uint64(len(meta(withBody))), meta(withBody), nil)},
		{name: "body and reference", give: envelope(uint64(len(meta(withRef))), meta(withRef), []byte("body"))},
	}
	for _, tt := range tests {
		_, err := Unmarshal(tt.give)
		if err == nil || !isSchemaError(err) {
			t.Errorf("%s: Unmarshal = %v, want a schema error", tt.name, err)
		}
	}
}

// FuzzUnmarshal: a hostile pages.fetched message never panics; it is
// refused with a schema error, or read as a valid page that survives
// its own round trip.
func FuzzUnmarshal(f *testing.F) {
	page := testPage([]byte("<p>fuzz</p>"))
	data, _ := Marshal(page)
	f.Add(data)
	old, _ := json.Marshal(page)
	f.Add(old)
	f.Add(envelope(3, `{"v`, []byte("x")))
	f.Add([]byte(Magic + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Unmarshal(data)
		if err != nil {
			if !isSchemaError(err) {
				t.Fatalf("error %v is not a schema error", err)
			}
			return
		}
		if verr := got.Validate(); verr != nil {
			t.Fatalf("accepted an invalid page: %v", verr)
		}
		again, err := Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Unmarshal(again)
		if err != nil || !bytes.Equal(back.Body, got.Body) || back.URL != got.URL || back.BodyEncoding != got.BodyEncoding {
			t.Fatalf("round trip of an accepted page: %+v, %v", back, err)
		}
	})
}
