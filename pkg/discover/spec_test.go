package discover

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func at(t *testing.T, s string) *time.Time {
	t.Helper()
	for _, l := range []string{time.RFC3339, "2006-01-02"} {
		if tm, err := time.Parse(l, s); err == nil {
			return &tm
		}
	}
	t.Fatalf("bad time %q", s)
	return nil
}

// checkSame compares entries field by field.
func checkSame(t *testing.T, name string, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries %+v, want %d %+v", name, len(got), got, len(want), want)
		return
	}
	for i, w := range want {
		g := got[i]
		if g.URL != w.URL || g.Title != w.Title || g.Kind != w.Kind {
			t.Errorf("%s[%d] = %+v, want %+v", name, i, g, w)
		}
		if (g.Published == nil) != (w.Published == nil) || (g.Published != nil && !g.Published.Equal(*w.Published)) {
			t.Errorf("%s[%d] published = %v, want %v", name, i, g.Published, w.Published)
		}
	}
}

// TestSpecExamples parses the examples of the specifications (the
// sitemaps.org protocol, Google's news sitemap documentation, RSS 2.0,
// RSS 1.0, RFC 4287 and JSON Feed 1.1) under every Content-Type sites
// serve them with: the bytes decide.
func TestSpecExamples(t *testing.T) {
	base := mustURL(t, "http://www.example.com/listing")
	tests := []struct {
		file     string
		kind     string
		types    []string // Content-Types it must be detected under
		expected string   // the crawl's hint, if any
		want     []Entry
	}{
		{file: "sitemaps.org-urlset.xml", kind: KindSitemap,
			types: []string{"application/xml", "text/xml; charset=utf-8", "text/html", "text/plain", "application/octet-stream", ""},
			want: []Entry{
				{URL: "http://www.example.com/", Published: at(t, "2005-01-01")},
				{URL: "http://www.example.com/catalog?desc=vacation_hawaii&item=12"},
				{URL: "http://www.example.com/catalog?desc=vacation_new_zealand&item=73", Published: at(t, "2004-12-23")},
				{URL: "http://www.example.com/catalog?desc=vacation_newfoundland&item=74", Published: at(t, "2004-12-23T18:00:15Z")},
				{URL: "http://www.example.com/catalog?desc=vacation_usa&item=83", Published: at(t, "2004-11-23")},
			}},
		{file: "sitemaps.org-index.xml", kind: KindSitemap,
			types: []string{"application/xml", "text/html", "text/plain"},
			want: []Entry{
				{URL: "http://www.example.com/sitemap1.xml.gz", Kind: KindSitemap},
				{URL: "http://www.example.com/sitemap2.xml.gz", Kind: KindSitemap},
			}},
		{file: "sitemaps.org-text.txt", kind: KindSitemap, expected: KindSitemap,
			types: []string{"text/plain", "application/octet-stream", ""},
			want: []Entry{
				{URL: "http://www.example.com/catalog?item=1"},
				{URL: "http://www.example.com/catalog?item=11"},
			}},
		{file: "sitemaps.org-text.txt", kind: KindSitemap,
			types: []string{"text/plain; charset=utf-8"},
			want: []Entry{
				{URL: "http://www.example.com/catalog?item=1"},
				{URL: "http://www.example.com/catalog?item=11"},
			}},
		{file: "google-news-sitemap.xml", kind: KindSitemap,
			types: []string{"application/xml", "text/html; charset=UTF-8", "text/plain"},
			want: []Entry{
				{URL: "http://www.example.org/business/article55.html", Title: "Companies A, B in Merger Talks", Published: at(t, "2008-12-23")},
			}},
		{file: "rss2-spec-sample.xml", kind: KindFeed,
			types: []string{"application/rss+xml", "text/xml", "application/xml", "text/html", "text/plain", ""},
			want: []Entry{
				{URL: "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp", Title: "Star City", Published: at(t, "2003-06-03T09:39:21Z")},
				// No <link>: the guid, a permalink by default.
				{URL: "http://liftoff.msfc.nasa.gov/2003/05/30.html", Published: at(t, "2003-05-30T11:06:42Z")},
				{URL: "http://liftoff.msfc.nasa.gov/news/2003/news-VASIMR.asp", Title: "The Engine That Does More", Published: at(t, "2003-05-27T08:37:32Z")},
				{URL: "http://liftoff.msfc.nasa.gov/news/2003/news-laundry.asp", Title: "Astronauts' Dirty Laundry", Published: at(t, "2003-05-20T08:56:02Z")},
			}},
		{file: "rss1-spec-sample.xml", kind: KindFeed,
			types: []string{"application/rdf+xml", "application/rss+xml", "text/xml", "text/html"},
			want: []Entry{
				{URL: "http://xml.com/pub/2000/08/09/xslt/xslt.html", Title: "Processing Inclusions with XSLT"},
				{URL: "http://xml.com/pub/2000/08/09/rdfdb/index.html", Title: "Putting RDF to Work"},
			}},
		{file: "atom-rfc4287-brief.xml", kind: KindFeed,
			types: []string{"application/atom+xml", "application/xml", "text/html", "text/plain"},
			want: []Entry{
				{URL: "http://example.org/2003/12/13/atom03", Title: "Atom-Powered Robots Run Amok", Published: at(t, "2003-12-13T18:30:02Z")},
			}},
		{file: "atom-rfc4287-extensive.xml", kind: KindFeed,
			types: []string{"application/atom+xml", "text/html"},
			want: []Entry{
				{URL: "http://example.org/2005/04/02/atom", Title: "Atom draft-07 snapshot", Published: at(t, "2003-12-13T08:29:29-04:00")},
			}},
		{file: "jsonfeed-1.1-spec.json", kind: KindFeed,
			types: []string{"application/feed+json", "application/json", "text/plain", "text/html"},
			want: []Entry{
				{URL: "https://example.org/second-item"},
				{URL: "https://example.org/initial-post"},
			}},
	}
	for _, tt := range tests {
		body := readTestdata(t, tt.file)
		for _, ct := range tt.types {
			for _, b := range [][]byte{body, gz(t, body)} {
				name := tt.file + " as " + ct
				if len(b) != len(body) {
					name += " gzipped"
				}
				if got := Detect(ct, b, tt.expected); got != tt.kind {
					t.Errorf("%s: Detect = %q, want %q", name, got, tt.kind)
					continue
				}
				got, err := Parse(tt.kind, ct, b, base)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				checkSame(t, name, got, tt.want)
			}
		}
	}
}
