package extract

import "golang.org/x/net/html/atom"

// layout is where things sit on the page, as the date and author rules
// need it: which elements lie in boxes that speak of other pages (related
// stories, navigation, comments, the page footer), and the head of the
// story, from the headline to its first paragraphs, where bylines and
// datelines are printed.
type layout struct {
	pg *page
	// boxed[i]: element i lies in a related, navigation, comment or
	// page-footer box. The story's own small boxes (header, footer, the
	// byline line) are not.
	boxed []bool
	// comment[i]: element i lies in a comment section.
	comment []bool
	// headline is the element of the story's <h1>, -1 if none.
	headline int32
	// root is the story container, -1 if none; first and top are the
	// elements of the story's first block and of its third (the end of
	// the head zone).
	root, first, top int32
	// end is the last element inside root.
	end int32
}

// newLayout places the page's elements around the selected story. headline
// is the element of the <h1> that holds the title, or -1.
func newLayout(pg *page, c *content, headline int32) *layout {
	els := pg.elems
	l := &layout{pg: pg, boxed: make([]bool, len(els)), comment: make([]bool, len(els)),
		headline: headline, root: c.root, first: -1, top: -1, end: -1}
	if l.root >= 0 {
		l.end = l.root
		for i := l.root + 1; i < int32(len(els)) && l.within(i, l.root); i++ {
			l.end = i
		}
	}
	inArticle := make([]bool, len(els))
	for i := range els {
		e := &els[i]
		p := e.parent
		if p >= 0 {
			l.boxed[i], l.comment[i], inArticle[i] = l.boxed[p], l.comment[p], inArticle[p]
		}
		if e.flags&flagComment != 0 {
			l.comment[i], l.boxed[i] = true, true
		}
		if e.tag == atom.Article || e.flags&flagPositive != 0 || int32(i) == l.root {
			inArticle[i] = true
		}
		if e.flags&flagBoiler == 0 || l.boxed[i] {
			continue
		}
		// Inside the story, a small box is its own header, footer or
		// byline line (whatever its class says: "hasnt-bio"); a box of
		// several blocks or of links is a related list.
		if inArticle[i] && (e.tag == atom.Header || e.tag == atom.Footer || e.flags&flagHeader != 0) {
			continue // the story's own header or footer
		}
		if inArticle[i] && e.tag != atom.Nav {
			dense := e.text > 0 && e.link*2 > e.text
			if e.nblocks < 3 && !(dense && e.nblocks >= 2) {
				continue
			}
		}
		l.boxed[i] = true
	}
	if len(c.blocks) > 0 {
		l.first = c.blocks[0].elem
		l.top = c.blocks[min(2, len(c.blocks)-1)].elem
	}
	return l
}

// within reports whether element i is a or lies inside it.
func (l *layout) within(i, a int32) bool {
	for ; i >= 0 && i >= a; i = l.pg.elems[i].parent {
		if i == a {
			return true
		}
	}
	return false
}

// Places of an element relative to the story, best first.
const (
	placeBoxed = iota // in a related, navigation, comment or page-footer box
	placeElsewhere
	placeStory // inside the story container, past its head
	placeHead  // between the headline and the story's third block
)

// place says where element e (the block-level owner of a node) lies. The
// head zone starts at the headline (or, without one, at the story's first
// block) and ends at the story's third block; a byline printed just above
// the headline, in the same header, is in it too.
func (l *layout) place(e int32) int {
	if e < 0 {
		return placeElsewhere
	}
	if l.boxed[e] {
		return placeBoxed
	}
	lo := l.headline
	if lo < 0 {
		lo = l.first
	}
	if lo >= 0 {
		hi := max(l.top, lo)
		if e >= lo && e <= hi {
			return placeHead
		}
		if l.headline >= 0 && e < l.headline && l.shareHeader(e, l.headline) {
			return placeHead
		}
	}
	if l.root >= 0 && e >= l.root && e <= l.end {
		return placeStory
	}
	return placeElsewhere
}

// shareHeader reports whether e and the headline h sit in one small
// container: a <header>, or a parent or grandparent of h that holds little
// more than the headline's block.
func (l *layout) shareHeader(e, h int32) bool {
	els := l.pg.elems
	p := els[h].parent
	for k := 0; k < 2 && p >= 0; k++ {
		if l.within(e, p) && (els[p].tag == atom.Header || els[p].flags&flagHeader != 0 || els[p].nblocks <= 6) {
			return true
		}
		p = els[p].parent
	}
	return false
}
