package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/extract/score"
)

// runEval implements `newsflow eval [--data DIR] [-v]`: it extracts every
// page of the article-extraction development set and scores the bodies
// against the ground truth. The last line is
// "F1 0.xxx P 0.xxx R 0.xxx accuracy 0.xxx".
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "directory of the development set (ground-truth.json and html/<id>.html.gz)")
	verbose := fs.Bool("v", false, "list the 15 worst pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gtPath := filepath.Join(*data, "ground-truth.json")
	raw, err := os.ReadFile(gtPath)
	if err != nil {
		msg := fmt.Sprintf("development set not found at %s: pass --data /path/to/articles-benchmark (see README)", *data)
		fmt.Fprintln(stdout, msg)
		return errors.New(msg)
	}
	var truth map[string]struct {
		URL         string `json:"url"`
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return fmt.Errorf("ground truth %s: %w", gtPath, err)
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
			return err
		}
		t := truth[id]
		body, err := readInput(filepath.Join(*data, "html", id+".html.gz"), nil)
		pred := ""
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", id, err)
		} else if a, err := extract.Extract(extract.Input{URL: t.URL, Body: body, Now: time.Now()}); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", id, err)
		} else {
			pred = a.Body
		}
		p := score.Compare(t.ArticleBody, pred)
		pages = append(pages, p)
		results = append(results, result{id: id, url: t.URL, page: p})
	}
	if *verbose {
		sort.SliceStable(results, func(i, j int) bool { return pageF1(results[i].page) < pageF1(results[j].page) })
		fmt.Fprintln(stdout, "worst pages (id url P R):")
		for _, r := range results[:min(15, len(results))] {
			fmt.Fprintf(stdout, "%s %s P %.3f R %.3f\n", r.id, r.url, r.page.Precision(), r.page.Recall())
		}
		fmt.Fprintf(stdout, "%d pages in %s\n", len(pages), time.Since(start).Round(time.Millisecond))
	}
	m := score.Aggregate(pages)
	fmt.Fprintf(stdout, "F1 %.3f P %.3f R %.3f accuracy %.3f\n", m.F1, m.Precision, m.Recall, m.Accuracy)
	return nil
}

func pageF1(p score.Page) float64 {
	pr, rc := p.Precision(), p.Recall()
	if pr+rc == 0 {
		return 0
	}
	return 2 * pr * rc / (pr + rc)
}

// defaultDataDir is ../shared/data/articles-benchmark relative to the repo
// root, found as the nearest directory holding go.work or .git.
func defaultDataDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "data", "articles-benchmark")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.work")) || fileExists(filepath.Join(d, ".git")) {
			return filepath.Join(filepath.Dir(d), "shared", "data", "articles-benchmark")
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return filepath.Join(dir, "..", "shared", "data", "articles-benchmark")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
