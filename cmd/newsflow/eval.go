package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/extract/score"
	"github.com/newsflow/newsflow/pkg/schema"
)

// runEval implements `newsflow eval [--data DIR] [--meta DIR] [-v]`: it
// extracts every page of the two development sets and scores the result.
// The articles benchmark (--data) scores bodies; the metadata set (--meta)
// scores titles, authors, publication dates and page types. It prints one
// line per figure, and last the body summary line
// "F1 0.xxx P 0.xxx R 0.xxx accuracy 0.xxx".
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir("articles-benchmark"), "directory of the articles benchmark (ground-truth.json and html/<id>.html.gz)")
	meta := fs.String("meta", defaultDataDir("metadata-dev"), `directory of the metadata set (truth.jsonl, provenance.jsonl, html/<id>.html.gz); "" skips it`)
	verbose := fs.Bool("v", false, "list the 15 worst bodies and every metadata miss")
	fs.Usage = usageFunc(fs, "Usage: newsflow eval [flags]\n\nScores the extractor: bodies on the articles benchmark, titles, authors,\ndates and page types on the metadata set.\n")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("eval: unexpected arguments %q", pos)
	}
	var missing []string
	if !fileExists(filepath.Join(*data, "ground-truth.json")) {
		missing = append(missing, fmt.Sprintf("articles benchmark not found at %s: pass --data /path/to/articles-benchmark (make eval DEVSET=...)", *data))
	}
	if *meta != "" && !fileExists(filepath.Join(*meta, "truth.jsonl")) {
		missing = append(missing, fmt.Sprintf("metadata set not found at %s: pass --meta /path/to/metadata-dev (make eval METASET=...)", *meta))
	}
	if len(missing) > 0 {
		msg := strings.Join(missing, "\n")
		fmt.Fprintln(stdout, msg)
		return errors.New(msg)
	}
	body, err := evalBodies(ctx, *data, *verbose, stdout, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "body F1 %.3f (%d pages)\n", body.F1, body.Pages)
	if *meta != "" {
		m, err := evalMetadata(ctx, *meta, *verbose, stdout, stderr)
		if err != nil {
			return err
		}
		m.print(stdout)
	}
	fmt.Fprintf(stdout, "F1 %.3f P %.3f R %.3f accuracy %.3f\n", body.F1, body.Precision, body.Recall, body.Accuracy)
	return nil
}

// evalBodies scores the bodies of the articles benchmark.
func evalBodies(ctx context.Context, data string, verbose bool, stdout, stderr io.Writer) (score.Metrics, error) {
	gtPath := filepath.Join(data, "ground-truth.json")
	raw, err := os.ReadFile(gtPath)
	if err != nil {
		return score.Metrics{}, fmt.Errorf("ground truth: %w", err)
	}
	var truth map[string]struct {
		URL         string `json:"url"`
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return score.Metrics{}, fmt.Errorf("ground truth %s: %w", gtPath, err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	type result struct {
		id, url string
		page    score.Page
	}
	var results []result
	var pages []score.Page
	start := time.Now()
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return score.Metrics{}, err
		}
		t := truth[id]
		pred := ""
		if a, err := extractFile(filepath.Join(data, "html", id+".html.gz"), t.URL); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", id, err)
		} else {
			pred = a.Body
		}
		p := score.Compare(t.ArticleBody, pred)
		pages = append(pages, p)
		results = append(results, result{id: id, url: t.URL, page: p})
	}
	if verbose {
		sort.SliceStable(results, func(i, j int) bool { return pageF1(results[i].page) < pageF1(results[j].page) })
		fmt.Fprintln(stdout, "worst pages (id url P R):")
		for _, r := range results[:min(15, len(results))] {
			fmt.Fprintf(stdout, "%s %s P %.3f R %.3f\n", r.id, r.url, r.page.Precision(), r.page.Recall())
		}
		fmt.Fprintf(stdout, "%d pages in %s\n", len(pages), time.Since(start).Round(time.Millisecond))
	}
	return score.Aggregate(pages), nil
}

// extractFile extracts one gzipped page of a development set as seen at
// url now.
func extractFile(path, url string) (*extract.Article, error) {
	body, err := readInput(path, nil)
	if err != nil {
		return nil, err
	}
	return extract.Extract(extract.Input{URL: url, Body: body, Now: time.Now()})
}

// metaTruth is one line of the metadata set's truth.jsonl; a nil field is
// not labelled.
type metaTruth struct {
	ID        string   `json:"id"`
	URL       *string  `json:"url"`
	Title     *string  `json:"title"`
	Authors   []string `json:"authors"`
	Published *string  `json:"published"`
	Kind      string   `json:"-"` // from provenance.jsonl: news, blog, magazine, other
}

// fieldScore counts hits over the labelled pages of one field.
type fieldScore struct{ hit, n int }

func (f fieldScore) rate() float64 {
	if f.n == 0 {
		return 0
	}
	return float64(f.hit) / float64(f.n)
}

// metaMetrics are the metadata set's figures.
type metaMetrics struct {
	title, authors, date, dated, article, otherArticle fieldScore
	nameF1                                             float64 // sum over authors.n pages
}

func (m metaMetrics) print(w io.Writer) {
	nameF1 := 0.0
	if m.authors.n > 0 {
		nameF1 = m.nameF1 / float64(m.authors.n)
	}
	fmt.Fprintf(w, "title %.3f (%d of %d exact)\n", m.title.rate(), m.title.hit, m.title.n)
	fmt.Fprintf(w, "authors exact %.3f (%d of %d pages)\n", m.authors.rate(), m.authors.hit, m.authors.n)
	fmt.Fprintf(w, "authors name F1 %.3f (mean of %d pages)\n", nameF1, m.authors.n)
	fmt.Fprintf(w, "date %.3f (%d of %d on the labelled day)\n", m.date.rate(), m.date.hit, m.date.n)
	fmt.Fprintf(w, "date coverage %.3f (%d of %d dated)\n", m.dated.rate(), m.dated.hit, m.dated.n)
	fmt.Fprintf(w, "page type article %.3f (%d of %d news and blog pages)\n", m.article.rate(), m.article.hit, m.article.n)
	fmt.Fprintf(w, "page type article, other pages %.3f (%d of %d magazine and other pages)\n", m.otherArticle.rate(), m.otherArticle.hit, m.otherArticle.n)
}

// evalMetadata scores titles, authors, dates and page types on the
// metadata set.
func evalMetadata(ctx context.Context, dir string, verbose bool, stdout, stderr io.Writer) (metaMetrics, error) {
	var m metaMetrics
	truths, err := readMetaTruth(dir)
	if err != nil {
		return m, err
	}
	miss := func(field, id, want, got string) {
		if verbose {
			fmt.Fprintf(stdout, "miss %s %s: want %q got %q\n", field, id, want, got)
		}
	}
	for _, t := range truths {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		url := ""
		if t.URL != nil {
			url = *t.URL
		}
		a, err := extractFile(filepath.Join(dir, "html", t.ID+".html.gz"), url)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", t.ID, err)
			a = &extract.Article{}
		}
		if t.Title != nil {
			m.title.n++
			if score.SameText(*t.Title, a.Title) {
				m.title.hit++
			} else {
				miss("title", t.ID, *t.Title, a.Title)
			}
		}
		if t.Authors != nil {
			m.authors.n++
			exact, f1 := score.Names(t.Authors, a.Authors)
			m.nameF1 += f1
			if exact {
				m.authors.hit++
			} else {
				miss("authors", t.ID, strings.Join(t.Authors, "; "), strings.Join(a.Authors, "; "))
			}
		}
		if t.Published != nil {
			m.date.n++
			m.dated.n++
			day := ""
			if a.Published != nil {
				day = a.Published.Format("2006-01-02")
				m.dated.hit++
			}
			if score.SameDay(*t.Published, day) {
				m.date.hit++
			} else {
				miss("date", t.ID, *t.Published, day+" from "+a.Provenance["published"])
			}
		}
		if t.Kind == "news" || t.Kind == "blog" {
			m.article.n++
			if a.PageType == schema.PageArticle {
				m.article.hit++
			} else {
				miss("page_type", t.ID, schema.PageArticle, a.PageTypeReason)
			}
		} else {
			m.otherArticle.n++
			if a.PageType == schema.PageArticle {
				m.otherArticle.hit++
			}
		}
	}
	return m, nil
}

// readMetaTruth reads truth.jsonl and the page kinds of provenance.jsonl.
func readMetaTruth(dir string) ([]metaTruth, error) {
	kinds := map[string]string{}
	if err := readJSONL(filepath.Join(dir, "provenance.jsonl"), func(line []byte) error {
		var p struct{ ID, Kind string }
		if err := json.Unmarshal(line, &p); err != nil {
			return err
		}
		kinds[p.ID] = p.Kind
		return nil
	}); err != nil {
		return nil, err
	}
	var out []metaTruth
	err := readJSONL(filepath.Join(dir, "truth.jsonl"), func(line []byte) error {
		var t metaTruth
		if err := json.Unmarshal(line, &t); err != nil {
			return err
		}
		t.Kind = kinds[t.ID]
		out = append(out, t)
		return nil
	})
	return out, err
}

// readJSONL calls fn for each non-empty line of path.
func readJSONL(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
	}
	return sc.Err()
}

func pageF1(p score.Page) float64 {
	pr, rc := p.Precision(), p.Recall()
	if pr+rc == 0 {
		return 0
	}
	return 2 * pr * rc / (pr + rc)
}

// defaultDataDir is ../shared/data/<name> relative to the repo root, found
// as the nearest directory holding go.work or .git.
func defaultDataDir(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "data", name)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.work")) || fileExists(filepath.Join(d, ".git")) {
			return filepath.Join(filepath.Dir(d), "shared", "data", name)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return filepath.Join(dir, "..", "shared", "data", name)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
