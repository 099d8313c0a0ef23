package discover

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestSitemapShapes covers sitemaps as real sites serve them.
func TestSitemapShapes(t *testing.T) {
	base := mustURL(t, "https://news.example/sitemaps/news.xml")
	latin1 := func(s string) string { // UTF-8 text to ISO-8859-1 bytes
		var b []byte
		for _, r := range s {
			b = append(b, byte(r))
		}
		return string(b)
	}
	utf16le := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	urlset := func(locs ...string) string {
		var b strings.Builder
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, l := range locs {
			b.WriteString("<url><loc>" + l + "</loc></url>")
		}
		return b.String() + "</urlset>"
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []string
	}{
		{name: "ISO-8859-1 declared", contentType: "application/xml",
			body: latin1(`<?xml version="1.0" encoding="ISO-8859-1"?>` + urlset("https://news.example/café", "https://news.example/naïve")),
			want: []string{"https://news.example/caf%C3%A9", "https://news.example/na%C3%AFve"}},
		{name: "windows-1252 declared", contentType: "text/xml",
			body: `<?xml version='1.0' encoding='windows-1252'?>` + urlset("https://news.example/\x93quoted\x94"),
			want: []string{"https://news.example/%E2%80%9Cquoted%E2%80%9D"}},
		{name: "UTF-8 declared, Latin-1 bytes", contentType: "application/xml",
			body: latin1(`<?xml version="1.0" encoding="UTF-8"?>` + urlset("https://news.example/café")),
			want: []string{"https://news.example/caf%C3%A9"}},
		{name: "HTTP charset, no declaration", contentType: "text/xml; charset=iso-8859-1",
			body: latin1(urlset("https://news.example/café")),
			want: []string{"https://news.example/caf%C3%A9"}},
		{name: "declaration wins over HTTP charset", contentType: "text/xml; charset=iso-8859-1",
			body: `<?xml version="1.0" encoding="utf-8"?>` + urlset("https://news.example/café"),
			want: []string{"https://news.example/caf%C3%A9"}},
		{name: "UTF-16 with BOM", contentType: "application/xml",
			body: utf16le(`<?xml version="1.0" encoding="UTF-16"?>` + urlset("https://news.example/ü")),
			want: []string{"https://news.example/%C3%BC"}},
		{name: "UTF-8 BOM", contentType: "application/xml",
			body: "\xef\xbb\xbf" + urlset("https://news.example/a"),
			want: []string{"https://news.example/a"}},
		{name: "no namespace, CDATA, white space, entity", contentType: "text/html",
			body: "<urlset><url><loc>\n  <![CDATA[https://news.example/a?x=1&y=2]]>\n</loc></url><url><loc> https://news.example/b?x=1&amp;y=2 </loc></url></urlset>",
			want: []string{"https://news.example/a?x=1&y=2", "https://news.example/b?x=1&y=2"}},
		{name: "prefixed elements", contentType: "application/xml",
			body: `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>https://news.example/p</sm:loc></sm:url></sm:urlset>`,
			want: []string{"https://news.example/p"}},
		{name: "image and video locs are not pages", contentType: "application/xml",
			body: `<urlset xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url><loc>https://news.example/story</loc><image:image><image:loc>https://cdn.example/i.jpg</image:loc></image:image></url></urlset>`,
			want: []string{"https://news.example/story"}},
		{name: "relative loc resolved", contentType: "application/xml",
			body: urlset("/a", "b", "//news.example/c"),
			want: []string{"https://news.example/a", "https://news.example/sitemaps/b", "https://news.example/c"}},
		{name: "unusable locs dropped", contentType: "application/xml",
			body: urlset("javascript:alert(1)", "mailto:x@news.example", "https://user:pw@news.example/secret", "", "https://news.example/ok"),
			want: []string{"https://news.example/ok"}},
		{name: "loc over the URL limit skipped", contentType: "application/xml",
			body: urlset("https://news.example/"+strings.Repeat("a", 9000), "https://news.example/after"),
			want: []string{"https://news.example/after"}},
		{name: "tab and newline inside a loc", contentType: "application/xml",
			body: urlset("https://news.example/wrapped\n/story\t1"),
			want: []string{"https://news.example/wrapped/story1"}},
		{name: "duplicates once", contentType: "application/xml",
			body: urlset("https://news.example/a", "HTTPS://NEWS.EXAMPLE/a", "https://news.example/a#x"),
			want: []string{"https://news.example/a"}},
		{name: "text: BOM and CRLF", contentType: "text/plain",
			body: "\xef\xbb\xbfhttps://news.example/first\r\nhttps://news.example/second\r\n",
			want: []string{"https://news.example/first", "https://news.example/second"}},
		{name: "text: a long line skipped, the next kept", contentType: "text/plain",
			body: "https://news.example/a\nhttps://news.example/" + strings.Repeat("x", 10000) + "\nhttps://news.example/b\n",
			want: []string{"https://news.example/a", "https://news.example/b"}},
		{name: "text: comments and blank lines", contentType: "text/plain",
			body: "# generated\n\n  https://news.example/a  \nnot a url\nhttps://news.example/b",
			want: []string{"https://news.example/a", "https://news.example/b"}},
		{name: "text: Latin-1 by HTTP charset", contentType: "text/plain; charset=iso-8859-1",
			body: latin1("https://news.example/café\n"),
			want: []string{"https://news.example/caf%C3%A9"}},
		{name: "text: UTF-16 with BOM", contentType: "text/plain",
			body: utf16le("https://news.example/a\nhttps://news.example/\u00fc\n"),
			want: []string{"https://news.example/a", "https://news.example/%C3%BC"}},
		{name: "text: CR line ends", contentType: "text/plain",
			body: "https://news.example/a\rhttps://news.example/b\r",
			want: []string{"https://news.example/a", "https://news.example/b"}},
	}
	for _, tt := range tests {
		for _, body := range []string{tt.body, string(gz(t, []byte(tt.body)))} {
			kind := Detect(tt.contentType, []byte(body), KindSitemap)
			if kind != KindSitemap {
				t.Errorf("%s: Detect = %q", tt.name, kind)
				continue
			}
			got, err := Parse(kind, tt.contentType, []byte(body), base)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			var urls []string
			for _, e := range got {
				urls = append(urls, e.URL)
			}
			if strings.Join(urls, " ") != strings.Join(tt.want, " ") {
				t.Errorf("%s: got %q, want %q", tt.name, urls, tt.want)
			}
		}
	}
}

// TestGzippedSitemapAsOctetStream: a .xml.gz served as
// application/octet-stream, even compressed twice, is read.
func TestGzippedSitemapAsOctetStream(t *testing.T) {
	body := readTestdata(t, "sitemaps.org-index.xml")
	for _, b := range [][]byte{gz(t, body), gz(t, gz(t, body))} {
		for _, expected := range []string{KindSitemap, ""} {
			kind := Detect("application/octet-stream", b, expected)
			if kind != KindSitemap {
				t.Fatalf("Detect = %q, want sitemap", kind)
			}
			got, err := Parse(kind, "application/octet-stream", b, nil)
			if err != nil || len(got) != 2 {
				t.Errorf("got %v, %v; want 2 entries", got, err)
			}
		}
	}
}

// TestListingLimits: what one hostile document can cost is bounded, and
// it ends in a clear error or in the entries it holds.
func TestListingLimits(t *testing.T) {
	t.Run("deep nesting", func(t *testing.T) {
		deep := "<urlset>" + strings.Repeat("<a>", 1_000_000) + strings.Repeat("</a>", 1_000_000) + "</urlset>"
		before := heapInUse()
		for _, kind := range []string{KindSitemap, KindFeed} {
			if _, err := Parse(kind, "application/xml", []byte(deep), nil); !errors.Is(err, ErrTooDeep) {
				t.Errorf("%s: err = %v, want ErrTooDeep", kind, err)
			}
		}
		feed := `<rss version="2.0"><channel><item><link>https://news.example/a</link><x:e xmlns:x="urn:x">` + strings.Repeat("<x:e>", 100_000) + `</x:e></item></channel></rss>`
		if _, err := Parse(KindFeed, "application/rss+xml", []byte(feed), nil); !errors.Is(err, ErrTooDeep) {
			t.Errorf("deep feed extension: err = %v, want ErrTooDeep", err)
		}
		if grew := heapInUse() - before; grew > 64<<20 {
			t.Errorf("heap grew by %d MiB parsing deep XML", grew>>20)
		}
	})
	t.Run("gzip bomb", func(t *testing.T) {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		zw.Write([]byte(`<urlset><url><loc>https://news.example/a</loc></url>`))
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range 2 * MaxListingSize >> 20 {
			zw.Write(spaces)
		}
		zw.Write([]byte(`<url><loc>https://news.example/late</loc></url></urlset>`))
		zw.Close()
		bomb := b.Bytes()
		got, err := Parse(KindSitemap, "application/octet-stream", bomb, nil)
		if err == nil || len(got) != 1 || got[0].URL != "https://news.example/a" {
			t.Errorf("got %v, %v; want the first entry and an error", got, err)
		}
	})
	t.Run("billion laughs", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
		for i := 1; i <= 9; i++ {
			fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
		}
		b.WriteString(`]>`)
		laughs := b.String()
		sitemap := laughs + `<urlset><url><loc>https://news.example/&lol9;</loc></url><url><loc>https://news.example/ok</loc></url></urlset>`
		got, _ := Parse(KindSitemap, "application/xml", []byte(sitemap), nil)
		for _, e := range got {
			if len(e.URL) > 200 {
				t.Errorf("entity expanded into %d bytes", len(e.URL))
			}
		}
		if len(got) == 0 || got[len(got)-1].URL != "https://news.example/ok" {
			t.Errorf("got %v, want the plain entry kept", got)
		}
		feed := laughs + `<rss version="2.0"><channel><item><title>&lol9;</title><link>https://news.example/f</link></item></channel></rss>`
		got, _ = Parse(KindFeed, "application/rss+xml", []byte(feed), nil)
		for _, e := range got {
			if len(e.Title) > 200 {
				t.Errorf("entity expanded into a %d-byte title", len(e.Title))
			}
		}
	})
	t.Run("truncated sitemap keeps its first entries", func(t *testing.T) {
		body := `<urlset><url><loc>https://news.example/a</loc></url><url><loc>https://news.example/b</loc></url><url><loc>https://news.exa`
		got, err := Parse(KindSitemap, "application/xml", []byte(body), nil)
		if err == nil || len(got) != 2 {
			t.Errorf("got %v, %v; want 2 entries and an error", got, err)
		}
	})
	t.Run("entries capped", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("<urlset>")
		for i := range MaxEntries + 10 {
			fmt.Fprintf(&b, "<url><loc>https://news.example/%d</loc></url>", i)
		}
		b.WriteString("</urlset>")
		got, _ := Parse(KindSitemap, "application/xml", []byte(b.String()), nil)
		if len(got) != MaxEntries {
			t.Errorf("%d entries, want %d", len(got), MaxEntries)
		}
	})
	t.Run("larger than the listing limit", func(t *testing.T) {
		body := append([]byte(`<urlset><url><loc>https://news.example/a</loc></url>`), bytes.Repeat([]byte(" "), MaxListingSize)...)
		got, err := Parse(KindSitemap, "application/xml", body, nil)
		if err == nil || len(got) != 1 {
			t.Errorf("got %v, %v; want the first entry and an error", got, err)
		}
	})
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

func TestNewsPublicationDates(t *testing.T) {
	tests := []struct {
		give string
		want string // RFC 3339, "" for none
	}{
		// W3C-DTF (https://www.w3.org/TR/NOTE-datetime), every form.
		{"1997", "1997-01-01T00:00:00Z"},
		{"1997-07", "1997-07-01T00:00:00Z"},
		{"1997-07-16", "1997-07-16T00:00:00Z"},
		{"1997-07-16T19:20+01:00", "1997-07-16T19:20:00+01:00"},
		{"1997-07-16T19:20:30+01:00", "1997-07-16T19:20:30+01:00"},
		{"1997-07-16T19:20:30.45+01:00", "1997-07-16T19:20:30.45+01:00"},
		{"1997-07-16T19:20:30.45Z", "1997-07-16T19:20:30.45Z"},
		{"2026-11-28T07:55:00-05:00", "2026-11-28T07:55:00-05:00"},
		// What sites write.
		{"2026-11-28T07:55:00+0100", "2026-11-28T07:55:00+01:00"},
		{"2026-11-28T07:55:00+01", "2026-11-28T07:55:00+01:00"},
		{"2026-11-28 07:55:00", "2026-11-28T07:55:00Z"},
		{"2026-11-28 07:55:00 +0100", "2026-11-28T07:55:00+01:00"},
		{"2026-11-28T07:55:00", "2026-11-28T07:55:00Z"},
		{"2026-11-28T07:55", "2026-11-28T07:55:00Z"},
		{"2026-11-28t07:55:00z", "2026-11-28T07:55:00Z"},
		{"2026-11-28T07:55:00.123456789123Z", "2026-11-28T07:55:00.123456789Z"},
		{"2026-11-28T07:55:00 UTC", "2026-11-28T07:55:00Z"},
		{" 2026-11-28 ", "2026-11-28T00:00:00Z"},
		{"Sat, 28 Nov 2026 07:55:00 +0000", "2026-11-28T07:55:00Z"},
		{"Sat, 28 Nov 2026 07:55:00 GMT", "2026-11-28T07:55:00Z"},
		{"2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"},
		// Not dates.
		{"", ""},
		{"yesterday", ""},
		{"2026-13-01", ""},
		{"2026-02-30", ""},
		{"2026-11-28T25:00:00Z", ""},
		{"2026-11-28T07:55:00+15:00", ""},
		{"0000-00-00", ""},
		{"0001-01-01T00:00:00Z", ""},
		{"20261128", ""},
		{"2026-11-28T07", ""},
		{"2026-11-28T07:55:00+01:00 junk", ""},
	}
	for _, tt := range tests {
		got := parseDate(tt.give)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("parseDate(%q) = %v, want none", tt.give, got)
		case tt.want != "":
			want, _ := time.Parse(time.RFC3339Nano, tt.want)
			if got == nil || !got.Equal(want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.give, got, want)
			} else if _, off := got.Zone(); func() int { _, o := want.Zone(); return o }() != off {
				t.Errorf("parseDate(%q) offset %d, want %s", tt.give, off, tt.want)
			}
		}
	}
	// Through a news sitemap.
	body := `<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/a</loc><news:news><news:publication_date>2026-11</news:publication_date><news:title>T</news:title></news:news></url></urlset>`
	got, err := Parse(KindSitemap, "application/xml", []byte(body), nil)
	if err != nil || len(got) != 1 || got[0].Published == nil || got[0].Published.Month() != time.November {
		t.Errorf("got %+v, %v; want the YYYY-MM date", got, err)
	}
}

func TestTitleCut(t *testing.T) {
	long := strings.Repeat("ü", MaxTitleBytes) // 2 bytes each
	body := `<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/a</loc><news:news><news:title>x` + long + `</news:title></news:news></url></urlset>`
	got, err := Parse(KindSitemap, "application/xml", []byte(body), nil)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	title := got[0].Title
	if len(title) > MaxTitleBytes || len(title) < MaxTitleBytes-3 || !utf8.ValidString(title) {
		t.Errorf("title of %d bytes, valid UTF-8 %v: want at most %d bytes, valid", len(title), utf8.ValidString(title), MaxTitleBytes)
	}
	if got := cleanTitle("  a\n\t b  "); got != "a b" {
		t.Errorf("cleanTitle = %q", got)
	}
	if got := cleanTitle("bad \xff byte"); !utf8.ValidString(got) {
		t.Errorf("cleanTitle kept invalid UTF-8: %q", got)
	}
}
