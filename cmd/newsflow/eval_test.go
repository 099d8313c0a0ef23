package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSets writes a two-page articles benchmark and a two-page metadata
// set, both of this package's own pages, and returns their directories.
func writeSets(t *testing.T) (data, meta string) {
	t.Helper()
	data, meta = t.TempDir(), t.TempDir()
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(filepath.Join(d, "html"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const body = "The harbour reopened on Wednesday after a storm closed it for three days, the port authority said, and the first ferries left in the morning.\n\n" +
		"Crews worked through the night to clear debris from the quays, and inspectors found no damage to the main breakwater, officials added."
	gt := map[string]map[string]string{
		"a": {"url": "https://coast.example/news/harbour-reopens", "articleBody": body},
		"b": {"url": "https://coast.example/news/other", "articleBody": "A story the extractor cannot find in an empty page."},
	}
	raw, _ := json.Marshal(gt)
	write(filepath.Join(data, "ground-truth.json"), raw)
	write(filepath.Join(data, "html", "a.html.gz"), gz(t, []byte(storyPage)))
	write(filepath.Join(data, "html", "b.html.gz"), gz(t, []byte("<html><body></body></html>")))

	// Page m1 is labelled right on every field; m2's labels are all wrong
	// for what it shows, so each figure is 1 of 2 (the title, 1 of 1).
	write(filepath.Join(meta, "truth.jsonl"), []byte(
		`{"id":"m1","url":"https://coast.example/news/harbour-reopens","source":"readability","title":"Harbour  reopens after STORM","authors":["jane doe"],"published":"2021-02-03T10:00:00+01:00","lang":"en"}`+"\n"+
			`{"id":"m2","url":null,"source":"htmldate","title":null,"authors":["Someone Else"],"published":"2019-01-01","lang":null}`+"\n"))
	write(filepath.Join(meta, "provenance.jsonl"), []byte(`{"id":"m1","kind":"news"}`+"\n"+`{"id":"m2","kind":"other"}`+"\n"))
	page := strings.Replace(storyPage, `<meta property="og:site_name"`, `<meta name="author" content="Jane Doe"><meta property="og:type" content="article"><meta property="og:site_name"`, 1)
	write(filepath.Join(meta, "html", "m1.html.gz"), gz(t, []byte(page)))
	write(filepath.Join(meta, "html", "m2.html.gz"), gz(t, []byte("<html><body><p>Nothing dated here.</p></body></html>")))
	return data, meta
}

func TestEval(t *testing.T) {
	data, meta := writeSets(t)
	var out, errOut bytes.Buffer
	if err := runEval(t.Context(), []string{"--data", data, "--meta", meta}, &out, &errOut); err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"body F1 ",
		"title 1.000 (1 of 1 exact)",
		"authors exact 0.500 (1 of 2 pages)",
		"authors name F1 0.500 (mean of 2 pages)",
		"date 0.500 (1 of 2 on the labelled day)",
		"date coverage 0.500 (1 of 2 dated)",
		"page type article 1.000 (1 of 1 news and blog pages)",
		"page type article, other pages 0.000 (0 of 1 magazine and other pages)",
		"F1 ",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	// One page of two is found whole: precision over the one page with
	// output is 1, recall averages 1 and 0.
	if last := lines[len(lines)-1]; last != "F1 0.667 P 1.000 R 0.500 accuracy 0.500" {
		t.Errorf("summary line %q", last)
	}
}

func TestEvalMissingSets(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := runEval(t.Context(), []string{"--data", filepath.Join(dir, "nope"), "--meta", filepath.Join(dir, "nope2")}, &out, &out)
	if err == nil {
		t.Fatal("eval without data sets succeeded")
	}
	for _, s := range []string{"--data /path/to/articles-benchmark", "--meta /path/to/metadata-dev", "DEVSET=", "METASET="} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("message lacks %q:\n%s", s, out.String())
		}
	}
}

func TestRunEvalMissingData(t *testing.T) {
	var stdout, stderr bytes.Buffer
	dir := filepath.Join(t.TempDir(), "nowhere")
	err := runEval(t.Context(), []string{"--data", dir, "--meta", ""}, &stdout, &stderr)
	if err == nil {
		t.Fatal("want an error for a missing development set")
	}
	want := "articles benchmark not found at " + dir + ": pass --data /path/to/articles-benchmark (make eval DEVSET=...)"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout %q lacks %q", stdout.String(), want)
	}
}

func TestRunEvalSmallSet(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "html"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "html", "p1.html.gz"), gz(t, []byte(storyPage)), 0o644); err != nil {
		t.Fatal(err)
	}
	gt := `{"p1":{"url":"https://coast.example/news/harbour","articleBody":"The harbour reopened on Wednesday after a storm closed it for three days, the port authority said, and the first ferries left in the morning.\n\nCrews worked through the night to clear debris from the quays, and inspectors found no damage to the main breakwater, officials added."}}`
	if err := os.WriteFile(filepath.Join(dir, "ground-truth.json"), []byte(gt), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runEval(t.Context(), []string{"--data", dir, "--meta", "", "-v"}, &stdout, &stderr); err != nil {
		t.Fatalf("runEval: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if last := lines[len(lines)-1]; last != "F1 1.000 P 1.000 R 1.000 accuracy 1.000" {
		t.Errorf("last line %q", last)
	}
}
