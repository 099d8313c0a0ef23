package parse

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// devSetDir is the body development set, NEWSFLOW_DEVSET or
// ../../../../shared/data/articles-benchmark relative to this package.
func devSetDir() string {
	if dir := os.Getenv("NEWSFLOW_DEVSET"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "..", "..", "shared", "data", "articles-benchmark")
}

// devPages returns the development set's pages as the fetcher publishes
// them from a site that sends gzip: the stored .html.gz bytes, encoding
// "gzip", at the depth given.
func devPages(b *testing.B, depth int) []schema.FetchedPage {
	b.Helper()
	dir := devSetDir()
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		b.Skipf("development set not found at %s: set NEWSFLOW_DEVSET=/path/to/articles-benchmark", dir)
	}
	var gt map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		b.Fatalf("ground truth: %v", err)
	}
	var pages []schema.FetchedPage
	for id, t := range gt {
		gz, err := os.ReadFile(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			b.Fatal(err)
		}
		size, _ := pagebody.GzipSize(gz) // the fetcher's BodySize for a page passed through
		pages = append(pages, schema.FetchedPage{V: schema.Version, URL: t.URL, FinalURL: t.URL, Status: 200,
			ContentType: "text/html; charset=utf-8", FetchedAt: fetchedAt, Depth: depth, Origin: t.URL,
			Body: gz, BodyEncoding: schema.EncodingGzip, BodySize: int(size)})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	return pages
}

// BenchmarkHandle is the parser's whole work on a page, without the bus:
// inflate, extract, build the record and the crawl requests. One
// iteration is one pass over the development set. "leaf" pages are at the
// deepest depth (no link is followed: the shape of ../shared/bench),
// "crawl" pages have their links followed.
//
//	go test -run '^$' -bench Handle -benchtime 5x -count 5 ./internal/parse/
func BenchmarkHandle(b *testing.B) {
	for _, c := range []struct {
		name  string
		depth int
	}{{"leaf", 1}, {"crawl", 0}} {
		b.Run(c.name, func(b *testing.B) {
			pages := devPages(b, c.depth)
			s := &Stage{MaxDepth: 1, NoExpand: true, Now: func() time.Time { return fetchedAt }}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, p := range pages {
					if _, err := s.Handle(context.Background(), p); err != nil {
						b.Fatalf("%s: %v", p.URL, err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(len(pages)*b.N), "ms/page")
		})
	}
}
