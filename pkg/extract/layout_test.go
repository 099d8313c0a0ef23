package extract

import (
	"net/url"
	"strings"
	"testing"
)

func TestLayoutPlace(t *testing.T) {
	page := `<html><body>
<div id="top-ad" class="advert"><p>Advertisement text that is here <b id="ad">x</b></p></div>
<main><article>
<header><p id="kicker">Local</p><h1>Council closes the old bridge</h1><p id="byline">By Jane Doe</p></header>
<div class="article-body">
<p id="p1">The council voted on Tuesday to close the old bridge for a year of repairs, sending commuters on a long detour through the industrial district.</p>
<p id="p2">Engineers found cracks in two of the bridge's supports during an inspection in the spring, and the repairs cannot wait another winter.</p>
<p id="p3">Shop owners on the east bank fear the closure will keep customers away, and asked the council for help with the cost of the detour signs.</p>
<p id="p4">The bridge will reopen next summer if the works keep to schedule, the council said, and a ferry will run in the meantime for cyclists.</p>
</div>
<footer><p id="tags">Filed under local news and transport</p></footer>
</article>
<aside class="related"><ul><li id="rel1"><a href="/a">Another story about the harbour</a></li><li><a href="/b">And one more</a></li><li><a href="/c">And a third</a></li></ul></aside>
<section class="comments"><p id="c1">A reader's comment on the closure, which is long enough to count.</p></section>
</main></body></html>`
	doc, err := parseHTML([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://times.example/local/bridge")
	pg := walk(doc, base, true)
	c := selectContent(pg)
	headline := int32(-1)
	if len(pg.signals.h1) > 0 {
		headline = pg.signals.h1[0].elem
	}
	lay := newLayout(pg, &c, headline)
	elemOf := func(id string) int32 {
		for i := range pg.elems {
			if attr(pg.elems[i].node, "id") == id {
				return int32(i)
			}
		}
		t.Fatalf("no element %q", id)
		return -1
	}
	tests := []struct {
		id   string
		want int
	}{
		{id: "kicker", want: placeHead}, // just above the headline, in its header
		{id: "byline", want: placeHead},
		{id: "p1", want: placeHead},
		{id: "p3", want: placeHead}, // the head ends at the story's third block
		{id: "p4", want: placeStory},
		{id: "tags", want: placeElsewhere}, // the article's own footer, after the body: no box
		{id: "rel1", want: placeBoxed},     // related stories
		{id: "c1", want: placeBoxed},       // comments
		{id: "top-ad", want: placeBoxed},   // an ad box
	}
	var errs []string
	for _, tt := range tests {
		if got := lay.place(elemOf(tt.id)); got != tt.want {
			errs = append(errs, tt.id)
			t.Errorf("place(%s) = %d, want %d", tt.id, got, tt.want)
		}
	}
	if len(errs) > 0 {
		t.Logf("story root %d, first %d, top %d, end %d; misplaced: %s", lay.root, lay.first, lay.top, lay.end, strings.Join(errs, " "))
	}
}
