package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"golang.org/x/net/html"
)

type devPage struct {
	id, url string
	body    []byte
}

// loadDevSet reads the development set named by NEWSFLOW_DEVSET, by default
// ../../../shared/data/articles-benchmark relative to this package.
func loadDevSet(tb testing.TB) []devPage {
	tb.Helper()
	pages := loadDevSetOptional(tb)
	if pages == nil {
		tb.Skipf("development set not found at %s: set NEWSFLOW_DEVSET=/path/to/articles-benchmark", devSetDir())
	}
	return pages
}

func devSetDir() string {
	if dir := os.Getenv("NEWSFLOW_DEVSET"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "shared", "data", "articles-benchmark")
}

// loadDevSetOptional is loadDevSet for tests that also run without the
// development set: it returns nil when the set is not there.
func loadDevSetOptional(tb testing.TB) []devPage {
	tb.Helper()
	dir := devSetDir()
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil
	}
	var gt map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		tb.Fatalf("ground truth: %v", err)
	}
	var pages []devPage
	for id, t := range gt {
		f, err := os.Open(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatalf("open page: %v", err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatalf("gunzip %s: %v", id, err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatalf("read %s: %v", id, err)
		}
		pages = append(pages, devPage{id: id, url: t.URL, body: b})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].id < pages[j].id })
	return pages
}

func totalBytes(pages []devPage) int64 {
	var n int64
	for _, p := range pages {
		n += int64(len(p.body))
	}
	return n
}

// BenchmarkExtract runs the whole extractor over the development set; one
// iteration is one pass over every page.
func BenchmarkExtract(b *testing.B) {
	pages := loadDevSet(b)
	b.SetBytes(totalBytes(pages))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if _, err := Extract(Input{URL: p.url, Body: p.body, Now: testNow}); err != nil {
				b.Fatalf("%s: %v", p.id, err)
			}
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkHTMLParse is the yardstick: a bare html.Parse of the same pages.
func BenchmarkHTMLParse(b *testing.B) {
	pages := loadDevSet(b)
	b.SetBytes(totalBytes(pages))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if _, err := html.Parse(bytes.NewReader(p.body)); err != nil {
				b.Fatalf("%s: %v", p.id, err)
			}
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtractVsParse measures the extractor and a bare html.Parse in
// the same iteration, alternating page by page so both see the same machine
// load, and reports their CPU ratio (goal <= 1.5), the extractor's pages/s
// and allocations per page. Run it on one core:
//
//	go test -run '^$' -bench ExtractVsParse -benchtime 3x -count 5 -cpu 1 ./extract/
func BenchmarkExtractVsParse(b *testing.B) {
	pages := loadDevSet(b)
	b.SetBytes(totalBytes(pages))
	var extractTime, parseTime time.Duration
	var allocs uint64
	var before, after runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			start := time.Now()
			if _, err := html.Parse(bytes.NewReader(p.body)); err != nil {
				b.Fatalf("%s: %v", p.id, err)
			}
			parseTime += time.Since(start)

			runtime.ReadMemStats(&before)
			start = time.Now()
			if _, err := Extract(Input{URL: p.url, Body: p.body, Now: testNow}); err != nil {
				b.Fatalf("%s: %v", p.id, err)
			}
			extractTime += time.Since(start)
			runtime.ReadMemStats(&after)
			allocs += after.Mallocs - before.Mallocs
		}
	}
	n := float64(len(pages) * b.N)
	b.ReportMetric(extractTime.Seconds()/parseTime.Seconds(), "ratio")
	b.ReportMetric(n/extractTime.Seconds(), "extract_pages/s")
	b.ReportMetric(float64(totalBytes(pages))*float64(b.N)/extractTime.Seconds()/1e6, "extract_MB/s")
	b.ReportMetric(float64(allocs)/n, "allocs/page")
}
