package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const storyPage = `<!DOCTYPE html><html lang="en"><head><title>Harbour reopens after storm | Coast News</title>
<meta property="og:site_name" content="Coast News">
<meta property="article:published_time" content="2021-02-03T10:00:00+01:00"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Wednesday after a storm closed it for three days, the port authority said, and the first ferries left in the morning.</p>
<p>Crews worked through the night to clear debris from the quays, and inspectors found no damage to the main breakwater, officials added.</p>
</article></body></html>`

func gz(t *testing.T, b []byte) []byte {
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

func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func TestRunExtractFiles(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "story.html")
	zipped := filepath.Join(dir, "story.html.gz")
	if err := os.WriteFile(plain, []byte(storyPage), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipped, gz(t, []byte(storyPage)), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"--url", "https://coast.example/news/harbour-reopens-after-storm", plain, zipped, filepath.Join(dir, "missing.html"), "-"}
	// The missing file gets an error line, the others go on, and the run
	// fails at the end.
	err := runExtract(t.Context(), args, strings.NewReader(storyPage), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "1 of 4 inputs failed") {
		t.Fatalf("runExtract: %v, want 1 of 4 inputs failed (stderr %s)", err, stderr.String())
	}
	recs := decodeLines(t, stdout.String())
	if len(recs) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(recs), stdout.String())
	}
	for _, i := range []int{0, 1, 3} {
		r := recs[i]
		if r["title"] != "Harbour reopens after storm" || r["page_type"] != "article" || r["site_name"] != "Coast News" {
			t.Errorf("line %d: %v", i, r)
		}
		if !strings.Contains(r["body"].(string), "first ferries left") || r["published"] != "2021-02-03T10:00:00+01:00" {
			t.Errorf("line %d: body/published wrong: %v", i, r)
		}
		if r["word_count"].(float64) < 40 || r["provenance"] == nil || r["url"] == "" {
			t.Errorf("line %d: word_count/provenance/url missing: %v", i, r)
		}
	}
	if recs[2]["error"] == nil || recs[2]["error"] == "" {
		t.Errorf("missing file gave no error line: %v", recs[2])
	}
}

func TestRunExtractManifest(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.html.gz"), gz(t, []byte(storyPage)), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := `{"id":"p1","url":"https://coast.example/news/harbour","file":"a.html.gz"}
{"id":"p2","url":"https://coast.example/x","file":"nope.html"}
`
	mpath := filepath.Join(dir, "m.jsonl")
	if err := os.WriteFile(mpath, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runExtract(t.Context(), []string{"--manifest", mpath}, nil, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "1 of 2 inputs failed") {
		t.Fatalf("runExtract: %v, want 1 of 2 inputs failed", err)
	}
	recs := decodeLines(t, stdout.String())
	if len(recs) != 2 || recs[0]["id"] != "p1" || recs[1]["id"] != "p2" {
		t.Fatalf("ids wrong: %s", stdout.String())
	}
	if recs[0]["title"] != "Harbour reopens after storm" || recs[1]["error"] == nil {
		t.Errorf("unexpected records: %s", stdout.String())
	}
}

func TestRunExtractUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runExtract(t.Context(), nil, nil, &stdout, &stderr); err == nil {
		t.Error("no files: want an error")
	}
	if err := runExtract(t.Context(), []string{"--bogus"}, nil, &stdout, &stderr); err == nil {
		t.Error("bad flag: want an error")
	}
}
