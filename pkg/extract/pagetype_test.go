package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
)

// teasers is a list of n dated story teasers, as section fronts print them.
func teasers(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<article class="teaser"><h2><a href="/local/story-%d">Council weighs plan number %d for the harbour district</a></h2>
<p class="blurb">Officials say the plan could reshape the district for a generation, but residents worry about the cost and the noise of the works.</p>
<p class="meta"><time datetime="2021-06-%02dT09:00:00Z">June %d, 2021</time></p></article>`, i, i, 1+i%28, 1+i%28)
	}
	return sb.String()
}

func TestPageTypeReasons(t *testing.T) {
	story := storyPage(`<meta property="article:published_time" content="2021-06-08T09:30:00+02:00">`, "", "")
	// A story whose template wraps it in teaser lists, on an address that
	// looks like a section's.
	crowded := `<html><head><title>Council closes the old bridge | Example Times</title></head><body><main>
<div class="teaser-list">` + teasers(3) + `</div>
<div class="story"><h1>Council closes the old bridge</h1><p class="date">08.06.2021, 09:30</p>
<p>The council voted on Tuesday to close the old bridge for a year of repairs, sending thousands of commuters on a long detour through the industrial district.</p>
<p>Engineers found cracks in two of its supports this spring, and the repairs cannot wait another winter, officials said.</p></div>
<div class="more">` + teasers(6) + `</div></main></body></html>`
	listing := `<html><head><title>Local - page 3 | Example Times</title></head><body><main><h1>Local - page 3</h1><div class="teasers">` +
		teasers(12) + `</div></main></body></html>`
	about := `<html><head><title>About us</title></head><body><main><h1>About us</h1><p>Example Times was founded by a group of reporters who believed local stories deserve care.</p></main></body></html>`
	tests := []struct {
		name, url, page string
		want, rule      string
	}{
		{name: "dated story", url: "https://times.example/local/council-closes-old-bridge", page: story,
			want: schema.PageArticle, rule: "article: dated headline over prose"},
		{name: "dated story in a template of teasers", url: "https://times.example/local/", page: crowded,
			want: schema.PageArticle, rule: "article: dated headline over prose"},
		{name: "a page of teasers, each dated", url: "https://times.example/local/page/3/", page: listing,
			want: schema.PageListing, rule: "listing: "},
		{name: "site root", url: "https://times.example/", page: listing,
			want: schema.PageHome, rule: "home: site root"},
		{name: "undated page with little prose", url: "https://times.example/about/", page: about,
			want: schema.PageSection, rule: "section: no date, no article markup, little prose"},
		{name: "a page that came without its address is not a home page", url: "", page: about,
			want: schema.PageSection, rule: "section: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := extractHTML(t, tt.url, tt.page)
			if a.PageType != tt.want || !strings.HasPrefix(a.PageTypeReason, tt.rule) {
				t.Errorf("page type %q (%s), want %q (%s...)", a.PageType, a.PageTypeReason, tt.want, tt.rule)
			}
			if a.Provenance["page_type"] != a.PageTypeReason {
				t.Errorf("provenance page_type %q, want the reason %q", a.Provenance["page_type"], a.PageTypeReason)
			}
		})
	}
}
