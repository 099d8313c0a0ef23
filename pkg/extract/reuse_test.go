package extract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// goldenBodies returns the testdata pages of goldenPages, in name order.
func goldenBodies(t *testing.T) (names []string, bodies [][]byte) {
	t.Helper()
	for name := range goldenPages {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	return names, bodies
}

// TestPrepassParseReusesBuffer checks that the pre-pass output buffer
// serves the next page, and that a parsed tree shares no memory with it:
// a tree renders the same after other pages were parsed into the buffer.
func TestPrepassParseReusesBuffer(t *testing.T) {
	_, bodies := goldenBodies(t)
	render := func(doc *html.Node) string {
		var b bytes.Buffer
		if err := html.Render(&b, doc); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	reused := false
	for i, body := range bodies {
		doc, err := prepassParse(body)
		if err != nil {
			t.Fatal(err)
		}
		want := render(doc)
		// sync.Pool may drop an item (a GC, or at random under the race
		// detector): look at the buffer, then hand it back.
		if bp, _ := prepassBufs.Get().(*[]byte); bp != nil {
			reused = reused || cap(*bp) > 0
			prepassBufs.Put(bp)
		}
		for _, other := range bodies[i+1:] {
			if _, err := prepassParse(other); err != nil {
				t.Fatal(err)
			}
		}
		if got := render(doc); got != want {
			t.Errorf("page %d: its tree changed after later pages were parsed: it shares the pre-pass buffer", i)
		}
	}
	if !reused {
		t.Errorf("no pre-pass buffer was kept for the next page")
	}
}

// TestExtractResultsOwnTheirMemory checks that an Article shares no
// memory the extractor reuses for later pages: every golden page's result
// is the same after the others were extracted, one after the other and
// at the same time (run it with -race).
func TestExtractResultsOwnTheirMemory(t *testing.T) {
	names, bodies := goldenBodies(t)
	extract := func(i int) *Article {
		a, err := Extract(Input{URL: goldenPages[names[i]], ContentType: "text/html", Body: bodies[i], Now: testNow})
		if err != nil {
			t.Error(err)
		}
		return a
	}
	jsonOf := func(a *Article) string {
		b, err := json.Marshal(toGolden(a))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	articles := make([]*Article, len(names))
	want := make([]string, len(names))
	for i := range names {
		articles[i] = extract(i)
		want[i] = jsonOf(articles[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 2 * len(names) {
				extract((g + k) % len(names))
			}
		})
	}
	wg.Wait()
	for i := range names {
		if got := jsonOf(articles[i]); got != want[i] {
			t.Errorf("%s: the result changed after other pages were extracted:\n got %.300s\nwant %.300s", names[i], got, want[i])
		}
		if got := jsonOf(extract(i)); got != want[i] {
			t.Errorf("%s: extracted again, with buffers reused, the result differs:\n got %.300s\nwant %.300s", names[i], got, want[i])
		}
	}
}

// TestWalkBuffersReleased checks that Extract gives the walker's buffers
// back for the next page, cleared: the pool must not keep a page's tree
// (or its strings) alive.
func TestWalkBuffersReleased(t *testing.T) {
	names, bodies := goldenBodies(t)
	kept := false
	// sync.Pool may drop an item (a GC, or at random under the race
	// detector): a few pages tell.
	for i := range names {
		if _, err := Extract(Input{URL: goldenPages[names[i]], Body: bodies[i], Now: testNow}); err != nil {
			t.Fatal(err)
		}
		wb, _ := walkBufs.Get().(*walkBuffers)
		if wb == nil {
			continue
		}
		kept = true
		for k, e := range wb.elems[:cap(wb.elems)] {
			if e.node != nil {
				t.Fatalf("%s: kept element %d still points into the page's tree", names[i], k)
			}
		}
		for k, b := range wb.blocks[:cap(wb.blocks)] {
			if b.text != "" || b.cells != nil {
				t.Fatalf("%s: kept block %d still holds the page's text", names[i], k)
			}
		}
		if len(wb.linkIdx) != 0 || len(wb.classCache) != 0 {
			t.Fatalf("%s: kept tables hold %d links and %d classes", names[i], len(wb.linkIdx), len(wb.classCache))
		}
		walkBufs.Put(wb)
	}
	if !kept {
		t.Errorf("Extract gave no walker buffers back")
	}
}

// TestNoLinks: NoLinks leaves Links empty and changes nothing else of the
// result, on every golden page.
func TestNoLinks(t *testing.T) {
	names, bodies := goldenBodies(t)
	withLinks := 0
	for i, name := range names {
		in := Input{URL: goldenPages[name], ContentType: "text/html", Body: bodies[i], Now: testNow}
		full, err := Extract(in)
		if err != nil {
			t.Fatal(err)
		}
		in.NoLinks = true
		bare, err := Extract(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(bare.Links) != 0 {
			t.Errorf("%s: %d links with NoLinks, want none", name, len(bare.Links))
		}
		if len(full.Links) > 0 {
			withLinks++
		}
		want, got := toGolden(full), toGolden(bare)
		want.Links, got.Links = nil, nil
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if string(wj) != string(gj) {
			t.Errorf("%s: NoLinks changed the result:\n got %s\nwant %s", name, gj, wj)
		}
	}
	if withLinks == 0 {
		t.Fatal("no golden page has links: the test proves nothing")
	}
}
