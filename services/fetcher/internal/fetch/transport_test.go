package fetch

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"
)

func TestAcceptedForKind(t *testing.T) {
	tests := []struct {
		media, kind string
		want        bool
	}{
		{media: "text/html", kind: "", want: true},
		{media: "application/octet-stream", kind: "", want: false},
		{media: "application/octet-stream", kind: "sitemap", want: true},
		{media: "binary/octet-stream", kind: "sitemap", want: true},
		{media: "application/x-gzip", kind: "sitemap", want: true},
		{media: "text/plain", kind: "sitemap", want: true},
		{media: "application/json", kind: "feed", want: true},
		{media: "application/x-rss+xml", kind: "feed", want: true},
		{media: "application/json", kind: "", want: false},
		{media: "image/png", kind: "sitemap", want: false},
	}
	for _, tt := range tests {
		if got := acceptedForKind(tt.media, tt.kind); got != tt.want {
			t.Errorf("acceptedForKind(%q, %q) = %v, want %v", tt.media, tt.kind, got, tt.want)
		}
	}
}

// newsPage returns about 170 KB of HTML that gzips (default level) to
// about 34 KB, as a news page of the benchmark's development set does:
// markup repeated, prose of a couple of thousand distinct words, a few hundred of them common.
func newsPage() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 2000)
	for i := range words {
		w := make([]byte, 2+rng.IntN(8))
		for j := range w {
			w[j] = byte('a' + rng.IntN(26))
		}
		words[i] = string(w)
	}
	var b bytes.Buffer
	b.WriteString("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>A harbour town votes</title></head><body>\n")
	for b.Len() < 170_000 {
		fmt.Fprintf(&b, "<div class=\"story-card story-card--compact\"><a class=\"story-card__link\" href=\"/local/2024/05/%02d/%s-%s\">", rng.IntN(28)+1, words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		b.WriteString("<p class=\"story-card__summary\">")
		for range 12 + rng.IntN(20) {
			b.WriteString(words[int(rng.ExpFloat64()*70)%len(words)])
			b.WriteByte(' ')
		}
		b.WriteString("</p></a></div>\n")
	}
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

// wireReader hands out at most 16 KiB per Read, as a response body read
// off a connection does.
type wireReader struct{ b []byte }

func (r *wireReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 16<<10)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// BenchmarkPassGzip: what the fetcher spends on a gzip page it passes
// through (of unknown length, as a chunked response is), with its media
// type named and with it sniffed.
func BenchmarkPassGzip(b *testing.B) {
	html := newsPage()
	gz := gzipOf(html)
	b.Logf("%d bytes of HTML, %d of gzip", len(html), len(gz))
	if bytes.Contains(gz[10:], gzipMember) {
		b.Fatal("the page holds a member header by chance: change the seed")
	}
	for _, media := range []string{"text/html", ""} {
		name := map[string]string{"text/html": "named", "": "sniffed"}[media]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(gz)))
			for b.Loop() {
				resp := &http.Response{Header: http.Header{}, ContentLength: -1, Body: io.NopCloser(nil)}
				raw := &limitReader{r: &wireReader{b: gz}, left: rawLimit(5 << 20), what: "body"}
				out, members, err := passGzip(resp, raw, 5<<20, "", media, nil)
				if err != nil || members != nil || out.ContentLength != int64(len(gz)) {
					b.Fatalf("passGzip: %v, %d member bytes", err, len(members))
				}
			}
		})
	}
}

// TestReadBodyOfKnownLength checks that a body whose length the response
// announces is read into one allocation of that size, not copied again by
// the read that finds its end.
func TestReadBodyOfKnownLength(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 34<<10)
	var got []byte
	allocs := testing.AllocsPerRun(20, func() {
		var err error
		if got, err = readBody(bytes.NewReader(body), int64(len(body)), 1<<20); err != nil {
			t.Fatal(err)
		}
	})
	if !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, want the %d of the body", len(got), len(body))
	}
	if allocs > 2 {
		t.Errorf("%v allocations per body of known length, want at most 2 (the buffer and its bytes)", allocs)
	}
}
