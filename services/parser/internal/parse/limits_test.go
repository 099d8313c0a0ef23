package parse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
)

// sitemapIndex lists the given sitemap URLs.
func sitemapIndex(locs ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, l := range locs {
		fmt.Fprintf(&b, "<sitemap><loc>%s</loc></sitemap>", l)
	}
	b.WriteString("</sitemapindex>")
	return b.String()
}

func TestListingBudget(t *testing.T) {
	const site = "https://courier.example"
	children := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s/sitemap-%d.xml", site, i))
		}
		return out
	}
	tests := []struct {
		name        string
		budget      int // of the fetched index's hint; 0: a root listing
		stage       int // the stage's ListingBudget
		locs        []string
		wantBudgets []int // of the child requests, in order
		wantReason  bool
	}{
		{name: "root shares the budget", stage: 10, locs: children(3), wantBudgets: []int{3, 3, 3}},
		{name: "remainder to the first", stage: 11, locs: children(3), wantBudgets: []int{4, 3, 3}},
		{name: "more children than budget", stage: 4, locs: children(5), wantBudgets: []int{1, 1, 1}, wantReason: true},
		{name: "a child's hint is its budget", budget: 3, stage: 1000, locs: children(4), wantBudgets: []int{1, 1}, wantReason: true},
		{name: "spent", budget: 1, stage: 1000, locs: children(2), wantReason: true},
		{name: "itself is never listed again", budget: 5, stage: 1000, locs: append([]string{site + "/sitemap.xml"}, children(1)...), wantBudgets: []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := rawPage(site+"/sitemap.xml", "application/xml", schema.KindSitemap, sitemapIndex(tt.locs...), 0)
			page.Hints.Budget = tt.budget
			outs, err := (&Stage{ListingBudget: tt.stage}).Handle(context.Background(), page)
			if err != nil {
				t.Fatal(err)
			}
			records, crawls := split(t, outs)
			var got []int
			for _, c := range crawls {
				if c.URL == page.URL {
					t.Errorf("the index queued itself")
				}
				got = append(got, c.Hints.Budget)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantBudgets) && !(len(got) == 0 && len(tt.wantBudgets) == 0) {
				t.Errorf("child budgets %v, want %v", got, tt.wantBudgets)
			}
			if len(records) != 1 || (records[0].Reason != "") != tt.wantReason {
				t.Errorf("records %+v, want one whose reason is set: %v", records, tt.wantReason)
			}
		})
	}
}

// TestListingBudgetEnds follows a sitemap index that lists itself and a
// new child on every fetch, as a hostile site serves it: the chain of
// fetches ends within the budget.
func TestListingBudgetEnds(t *testing.T) {
	const site = "https://courier.example"
	s := &Stage{ListingBudget: 50}
	queue := []schema.FetchedPage{rawPage(site+"/sitemap.xml", "application/xml", schema.KindSitemap, "", 0)}
	fetches := 0
	for len(queue) > 0 && fetches < 10_000 {
		page := queue[0]
		queue = queue[1:]
		fetches++
		body := sitemapIndex(site+"/sitemap.xml", fmt.Sprintf("%s/child-%d.xml", site, fetches), fmt.Sprintf("%s/other-%d.xml", site, fetches))
		page.Body, page.BodySize = []byte(body), len(body)
		outs, err := s.Handle(context.Background(), page)
		if err != nil {
			t.Fatal(err)
		}
		_, crawls := split(t, outs)
		for _, c := range crawls {
			next := rawPage(c.URL, "application/xml", c.Hints.Kind, "", c.Depth)
			next.Hints.Budget = c.Hints.Budget
			queue = append(queue, next)
		}
	}
	if fetches > 50 {
		t.Errorf("%d sitemap fetches from one root, want at most the budget of 50", fetches)
	}
}

func TestBinaryPageIsNoArticle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 1<<20)
	for i := range junk {
		junk[i] = byte(r.IntN(256))
	}
	page := rawPage("https://courier.example/junk.html", "text/html", "", string(junk), 1)
	outs, err := (&Stage{MaxDepth: 3}).Handle(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	records, crawls := split(t, outs)
	if len(records) != 1 || records[0].PageType != schema.PageOther || !strings.Contains(records[0].Reason, "binary") || records[0].Body != "" {
		t.Fatalf("records %+v, want one %q record saying it is binary", records, schema.PageOther)
	}
	if err := records[0].Validate(); err != nil {
		t.Errorf("record does not validate: %v", err)
	}
	if len(crawls) != 0 {
		t.Errorf("%d requests from a binary page, want none", len(crawls))
	}
}

func TestBinarySniff(t *testing.T) {
	tests := []struct {
		name string
		give []byte
		want bool
	}{
		{name: "html", give: []byte("<!doctype html><html><body><p>Hello, world.</p>\f\x1b</body></html>"), want: false},
		{name: "a stray control byte", give: []byte("<html><body>" + strings.Repeat("text ", 400) + "\x01</body></html>"), want: false},
		{name: "utf-16 with a bom", give: append([]byte{0xFF, 0xFE}, []byte("<\x00h\x00t\x00m\x00l\x00>\x00")...), want: false},
		{name: "png", give: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"), want: true},
		{name: "nul-padded", give: make([]byte, 512), want: true},
	}
	for _, tt := range tests {
		if got := binary(tt.give) != ""; got != tt.want {
			t.Errorf("%s: binary = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestHugeArticleIsTruncated(t *testing.T) {
	para := "<p>" + strings.Repeat("The harbour wall held through the storm, engineers said on Tuesday. ", 40) + "é</p>"
	html := "<html><head><title>Storm</title></head><body><article><h1>Storm</h1>" + strings.Repeat(para, 1000) + "</article></body></html>"
	page := rawPage("https://courier.example/storm", "text/html; charset=utf-8", "", html, 1)
	outs, err := (&Stage{MaxDepth: 3}).Handle(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	records, _ := split(t, outs)
	if len(records) != 1 || records[0].PageType != schema.PageArticle {
		t.Fatalf("records %+v, want one article", records)
	}
	a := records[0]
	if !a.Truncated || len(a.Body) > schema.MaxBodyText || len(a.Body) < schema.MaxBodyText-8 || !utf8.ValidString(a.Body) {
		t.Errorf("body of %d bytes, truncated %v, valid UTF-8 %v: want cut at %d on a rune boundary", len(a.Body), a.Truncated, utf8.ValidString(a.Body), schema.MaxBodyText)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("record does not validate: %v", err)
	}
}

func TestNoRequestsBeyondTheDeepest(t *testing.T) {
	page := rawPage("https://courier.example/sitemap.xml", "application/xml", schema.KindSitemap, sitemapIndex("https://courier.example/a.xml"), schema.MaxDepth)
	outs, err := (&Stage{}).Handle(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	if _, crawls := split(t, outs); len(crawls) != 0 {
		t.Errorf("%d requests from a page at depth %d, want none", len(crawls), schema.MaxDepth)
	}
}
