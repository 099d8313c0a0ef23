package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// maxExtractTime bounds one Extract call on hostile input. It is generous
// because the fuzzer and CI share small machines; the point is "bounded",
// not "fast".
const maxExtractTime = 20 * time.Second

func hostileSeeds() [][]byte {
	return [][]byte{
		[]byte(strings.Repeat("<div>", 100000) + "deep" + strings.Repeat("</div>", 100000)),
		[]byte(strings.Repeat("<a href=x>", 20000) + "links"),
		[]byte(strings.Repeat("<table><tr><td>", 5000) + "cells"),
		[]byte("<html><body><p>" + strings.Repeat("lorem ipsum dolor sit amet, ", 5<<20/28) + "</p></body></html>"),
		[]byte(strings.Repeat("<p>x", 100000)),
		[]byte("<script type=application/ld+json>" + strings.Repeat("[", 100000) + "</script>"),
		[]byte("\xff\xfe<\x00h\x00t\x00m\x00l\x00"),
		[]byte("<meta charset=utf-16><p>odd"),
		{},
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s, "text/html")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b, "text/html; charset=utf-8")
		}
	}
	f.Add([]byte(`<html><head><script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","author":{"name":1},"datePublished":["x"]}]}</script></head></html>`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		start := time.Now()
		a, err := Extract(Input{URL: "https://example.org/2020/01/02/x", ContentType: contentType, Body: body})
		if d := time.Since(start); d > maxExtractTime {
			t.Fatalf("Extract took %v", d)
		}
		if err == nil && a == nil {
			t.Fatal("nil article without error")
		}
	})
}

// TestHostileInputs runs the fuzz seeds as a plain test so every run
// checks that deep and huge DOMs neither panic nor hang.
func TestHostileInputs(t *testing.T) {
	for i, s := range hostileSeeds() {
		start := time.Now()
		a, err := Extract(Input{URL: "https://example.org/x", Body: s})
		if d := time.Since(start); d > maxExtractTime {
			t.Errorf("seed %d: Extract took %v", i, d)
		}
		if err == nil && a == nil {
			t.Errorf("seed %d: nil article without error", i)
		}
	}
}
