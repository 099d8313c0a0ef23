package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/extract"
)

// extractRecord is one line of `newsflow extract` output. Field names follow
// schema.Article's JSON tags.
type extractRecord struct {
	ID               string            `json:"id,omitempty"`
	File             string            `json:"file,omitempty"`
	URL              string            `json:"url,omitempty"`
	Error            string            `json:"error,omitempty"`
	Title            string            `json:"title,omitempty"`
	Authors          []string          `json:"authors,omitempty"`
	Published        *time.Time        `json:"published,omitempty"`
	Modified         *time.Time        `json:"modified,omitempty"`
	Language         string            `json:"language,omitempty"`
	SiteName         string            `json:"site_name,omitempty"`
	Description      string            `json:"description,omitempty"`
	Image            string            `json:"image,omitempty"`
	CanonicalURL     string            `json:"canonical_url,omitempty"`
	Section          string            `json:"section,omitempty"`
	Tags             []string          `json:"tags,omitempty"`
	Body             string            `json:"body"`
	PageType         string            `json:"page_type,omitempty"`
	WordCount        int               `json:"word_count"`
	ContentHash      string            `json:"content_hash,omitempty"`
	ExtractorVersion string            `json:"extractor_version"`
	Provenance       map[string]string `json:"provenance,omitempty"`
}

type manifestEntry struct {
	ID   string `json:"id"`
	URL  string `json:"url"`
	File string `json:"file"`
}

const extractUsage = `Usage: newsflow extract [--url URL] FILE...   (files may be .gz; - reads stdin)
       newsflow extract --manifest M.jsonl

Extracts the article of each HTML file and prints one JSON object per
input. An input that cannot be read or extracted gets a line with "error",
the others go on, and the exit status is 1.
`

// runExtract implements `newsflow extract [--url URL] [--manifest M.jsonl] FILE...`.
// It prints one JSON object per input; an input that fails yields a line
// with "error", the run goes on, and it returns an error at the end.
func runExtract(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pageURL := fs.String("url", "", "URL of the page(s), to resolve links and read URL dates")
	manifest := fs.String("manifest", "", "JSONL file of {\"id\",\"url\",\"file\"} lines; files relative to it")
	fs.Usage = usageFunc(fs, extractUsage)
	files, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	var entries []manifestEntry
	if *manifest != "" {
		var err error
		entries, err = readManifest(*manifest)
		if err != nil {
			return err
		}
	}
	for _, f := range files {
		entries = append(entries, manifestEntry{URL: *pageURL, File: f})
	}
	if len(entries) == 0 {
		return errors.New("extract: no input files (see 'newsflow extract -h')")
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := extractOne(e, stdin)
		if rec.Error != "" {
			failed++
		}
		if err := enc.Encode(rec); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("extract: %d of %d inputs failed (see their \"error\" lines)", failed, len(entries))
	}
	return nil
}

func extractOne(e manifestEntry, stdin io.Reader) extractRecord {
	rec := extractRecord{ID: e.ID, URL: e.URL, ExtractorVersion: extract.Version}
	if e.ID == "" {
		rec.File = e.File
	}
	body, err := readInput(e.File, stdin)
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	a, err := extract.Extract(extract.Input{URL: e.URL, Body: body, Now: time.Now()})
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	rec.Title, rec.Authors, rec.Published, rec.Modified = a.Title, a.Authors, a.Published, a.Modified
	rec.Language, rec.SiteName, rec.Description, rec.Image = a.Language, a.SiteName, a.Description, a.Image
	rec.CanonicalURL, rec.Section, rec.Tags, rec.Body = a.CanonicalURL, a.Section, a.Tags, a.Body
	rec.PageType, rec.WordCount, rec.Provenance = a.PageType, a.WordCount, a.Provenance
	rec.ContentHash = extract.ContentHash(a.Body)
	return rec
}

// readInput reads a file, or stdin for "-", gunzipping when the name ends in
// .gz or the bytes start with the gzip magic.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", name, err)
		}
		b, err = io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", name, err)
		}
	}
	return b, nil
}

func readManifest(path string) ([]manifestEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	dir := filepath.Dir(path)
	var out []manifestEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		var e manifestEntry
		if err := json.Unmarshal([]byte(s), &e); err != nil {
			return nil, fmt.Errorf("manifest %s line %d: %w", path, line, err)
		}
		if e.File != "" && e.File != "-" && !filepath.IsAbs(e.File) {
			e.File = filepath.Join(dir, e.File)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return out, nil
}
