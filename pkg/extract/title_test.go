package extract

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestCleanTitle(t *testing.T) {
	tests := []struct {
		give  string
		sites []string
		want  string
	}{
		{give: "Storm hits coast | The Daily Example", sites: []string{"The Daily Example"}, want: "Storm hits coast"},
		{give: "The Daily Example - Storm hits coast", sites: []string{"The Daily Example"}, want: "Storm hits coast"},
		{give: "Storm hits coast – Daily Example", sites: []string{"The Daily Example"}, want: "Storm hits coast"},
		{give: "Storm hits the coast overnight | World | The Daily Example", sites: []string{"Daily Example"}, want: "Storm hits the coast overnight"},
		{give: "Storm hits the coast overnight | Section | Paper", want: "Storm hits the coast overnight | Section"},
		{give: "DAILY EXAMPLE: Storm hits the coast", sites: []string{"dailyexample"}, want: "Storm hits the coast"},
		{give: "Storm hits the coast [example.org]", want: "Storm hits the coast"},
		{give: "Storm hits the coast (Example News)", sites: []string{"Example News"}, want: "Storm hits the coast"},
		{give: "Brexit: what happens next", want: "Brexit: what happens next"},
		{give: "Why - and how - we vote", want: "Why - and how - we vote"},
		{give: "A title with no site", want: "A title with no site"},
	}
	for _, tt := range tests {
		if got := cleanTitle(tt.give, tt.sites, true); got != tt.want {
			t.Errorf("cleanTitle(%q, %q) = %q, want %q", tt.give, tt.sites, got, tt.want)
		}
	}
}

func TestPickTitle(t *testing.T) {
	always := func(heading) bool { return true }
	never := func(heading) bool { return false }
	tests := []struct {
		name    string
		cands   []titleCand
		h1s     []heading
		near    func(heading) bool
		want    string
		wantSrc string
	}{
		{
			name:  "an h1 between separators cuts the <title> to it",
			cands: []titleCand{{"Storm hits coast, officials say - News - Example", "html"}},
			h1s:   []heading{{text: "Storm hits coast, officials say"}}, near: always,
			want: "Storm hits coast, officials say", wantSrc: "html",
		},
		{
			name:  "the most trusted statement that another agrees with, in its own words",
			cands: []titleCand{{"Storm hits \"coast\"", "opengraph"}, {"Storm hits \"coast\" | Example Times", "html"}},
			h1s:   []heading{{text: "Storm hits “coast”"}}, near: always,
			want: "Storm hits \"coast\"", wantSrc: "opengraph",
		},
		{
			name: "a description in the JSON-LD headline gives way to what og:title, <title> and the h1 say",
			cands: []titleCand{{"country in Oceania", "json-ld"}, {"New Zealand - Example", "opengraph"},
				{"New Zealand - Example", "html"}},
			h1s: []heading{{text: "New Zealand"}}, near: always,
			want: "New Zealand", wantSrc: "opengraph",
		},
		{
			name: "another headline in og:title gives way to the one <title> and the h1 share",
			cands: []titleCand{{"You won't believe this headset", "opengraph"},
				{"Vision headset hands-on: the sharpest screen yet - The Example", "html"}},
			h1s: []heading{{text: "Vision headset hands-on: the sharpest screen yet"}}, near: always,
			want: "Vision headset hands-on: the sharpest screen yet", wantSrc: "html",
		},
		{
			name: "a variant wording of the same headline leaves og:title standing",
			cands: []titleCand{{"Seven secrets hotel owners keep from you", "opengraph"},
				{"The seven secrets hotel owners keep from you | Example Times", "html"}},
			h1s: []heading{{text: "The seven secrets hotel owners keep from you"}}, near: always,
			want: "Seven secrets hotel owners keep from you", wantSrc: "opengraph",
		},
		{
			name:  "the site's logo in an h1 is not the headline",
			cands: []titleCand{{"Storm hits coast | Example Times", "opengraph"}},
			h1s:   []heading{{text: "Example Times"}}, near: always,
			want: "Storm hits coast", wantSrc: "opengraph",
		},
		{
			name:  "statements that agree without an h1",
			cands: []titleCand{{"Storm hits coast", "json-ld"}, {"Storm hits coast | Example Times", "opengraph"}},
			want:  "Storm hits coast", wantSrc: "json-ld",
		},
		{
			name:  "no agreement: the most trusted statement, not a blog's header h1",
			cands: []titleCand{{"Something else entirely", "opengraph"}},
			h1s:   []heading{{text: "Hi, I'm the author of this blog"}}, near: always,
			want: "Something else entirely", wantSrc: "opengraph",
		},
		{
			name: "no statement at all: the h1 over the story",
			h1s:  []heading{{text: "Menu"}, {text: "Council closes the old bridge"}}, near: func(h heading) bool { return h.text != "Menu" },
			want: "Council closes the old bridge", wantSrc: "html",
		},
		{
			name:  "a <title> cut short gives the full h1",
			cands: []titleCand{{"Council closes the old bridge for a year of rep…", "html"}},
			h1s:   []heading{{text: "Council closes the old bridge for a year of repairs"}}, near: never,
			want: "Council closes the old bridge for a year of repairs", wantSrc: "html",
		},
		{
			name:  "a masthead h1 (one link home) is not the headline the <title> is cut to",
			cands: []titleCand{{"Shared Mutable History — Evolve Docs", "html"}},
			h1s:   []heading{{text: "Evolve Docs", home: true}, {text: "Shared Mutable History"}}, near: always,
			want: "Shared Mutable History", wantSrc: "html",
		},
	}
	sites := []string{"Example Times", "example"}
	for _, tt := range tests {
		got, src, _ := pickTitle(tt.cands, tt.h1s, sites, tt.near)
		if got != tt.want || src != tt.wantSrc {
			t.Errorf("%s: pickTitle = %q from %q, want %q from %q", tt.name, got, src, tt.want, tt.wantSrc)
		}
	}
}

func TestHomeLinkOnly(t *testing.T) {
	base, _ := url.Parse("https://news.example/world/2024/storm-hits-coast.html")
	tests := []struct {
		name, h1 string
		want     bool
	}{
		{"root link", `<h1 class="site-title"><a href="/">Example Times</a></h1>`, true},
		{"absolute root", `<h1><a href="https://news.example/">Example Times</a></h1>`, true},
		{"section index above the page", `<h1><a href="../index.html"><span>World</span></a></h1>`, true},
		{"permalink to the page", `<h1><a href="/world/2024/storm-hits-coast.html">Storm hits coast</a></h1>`, false},
		{"another article", `<h1><a href="/world/2024/other.html">Other story</a></h1>`, false},
		{"text outside the link", `<h1>Storm hits coast <a href="/">home</a></h1>`, false},
		{"two links", `<h1><a href="/">Example</a> <a href="/">Times</a></h1>`, false},
		{"other host", `<h1><a href="https://other.example/">Other</a></h1>`, false},
		{"no link", `<h1>Storm hits coast</h1>`, false},
		{"fragment", `<h1><a href="#top">Storm hits coast</a></h1>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.h1))
			if err != nil {
				t.Fatal(err)
			}
			var h1 *html.Node
			var find func(*html.Node)
			find = func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "h1" && h1 == nil {
					h1 = n
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					find(c)
				}
			}
			find(doc)
			if got := homeLinkOnly(h1, base); got != tt.want {
				t.Errorf("homeLinkOnly(%s) = %v, want %v", tt.h1, got, tt.want)
			}
		})
	}
}

// TestMastheadIsNotTheHeadline: a docs or blog template whose first <h1>
// is the site's name linked home, and whose <title> joins the headline and
// that name, gives the headline (without its permalink mark).
func TestMastheadIsNotTheHeadline(t *testing.T) {
	page := `<html><head><title>Shared Mutable History — Example Docs</title></head><body>
<h1 class="heading"><a href="index.html"><span>Example Docs</span></a></h1>
<div class="body"><h1>Shared Mutable History<a class="headerlink" href="#shared">¶</a></h1>
<p>` + strings.Repeat("Changesets can be rewritten and the rewrite shared with others safely. ", 8) + `</p>
<p>` + strings.Repeat("Obsolescence markers record which changeset replaced which one. ", 8) + `</p></div></body></html>`
	a, err := Extract(Input{Body: []byte(page), Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), URL: "https://docs.example/evolve/sharing.html"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Shared Mutable History" {
		t.Errorf("title = %q, want the headline", a.Title)
	}
}
