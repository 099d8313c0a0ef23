package extract

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html/atom"
)

// content is the result of main-content selection: the blocks of the story
// in document order.
type content struct {
	blocks []block
	root   int32 // elem index of the chosen container, -1 if none
	// goodText is the weighted length of prose blocks on the whole page;
	// linkText of link text on the whole page. Used for the page type.
	pageText, pageLink, pageGood int32
	storyText                    int32
}

func isProse(b *block) bool {
	if b.tlen < 25 || b.kind == kindHeading || b.kind == kindCaption {
		return false
	}
	d := float64(b.llen) / float64(b.tlen)
	if b.tlen >= 80 {
		return d < 0.35
	}
	return d < 0.1 && endsSentence(b.text)
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \"'”’»)")
	if s == "" {
		return false
	}
	switch s[len(s)-1] {
	case '.', '!', '?', ':', ';':
		return true
	}
	return strings.HasSuffix(s, "。") || strings.HasSuffix(s, "！") || strings.HasSuffix(s, "？") || strings.HasSuffix(s, "…")
}

// selectContent picks the story container with readability-style scoring
// and filters its blocks.
func selectContent(pg *page) content {
	els := pg.elems
	c := content{root: -1}
	if len(els) == 0 {
		return c
	}
	// Aggregates, children before parents (reverse document order).
	for i := range pg.blocks {
		b := &pg.blocks[i]
		e := &els[b.elem]
		e.text += b.tlen
		e.link += b.llen
		e.nblocks++
		if isProse(b) {
			e.good += b.tlen
		}
	}
	for i := len(els) - 1; i > 0; i-- {
		if p := els[i].parent; p >= 0 {
			els[p].text += els[i].text
			els[p].link += els[i].link
			els[p].good += els[i].good
			els[p].nblocks += els[i].nblocks
		}
	}
	var total, totalText, totalLink int32
	for i := range els {
		if els[i].parent < 0 {
			total += els[i].good
			totalText += els[i].text
			totalLink += els[i].link
		}
	}
	c.pageGood, c.pageText, c.pageLink = total, totalText, totalLink
	// A box marked as boilerplate that holds the marked story (an <article>,
	// <main> or an article-body class) is a layout wrapper, not boilerplate.
	posInside := make([]bool, len(els))
	for i := len(els) - 1; i >= 0; i-- {
		if els[i].flags&flagPositive != 0 {
			posInside[i] = true
		}
		if p := els[i].parent; p >= 0 && posInside[i] {
			posInside[p] = true
		}
	}
	for i := range els {
		e := &els[i]
		if e.flags&(flagBoiler|flagCaption|flagByline|flagHeader) == 0 || e.flags&flagComment != 0 {
			continue
		}
		if posInside[i] && e.flags&flagPositive == 0 && e.tag != atom.Aside && e.tag != atom.Footer && e.tag != atom.Nav ||
			total > 0 && float64(e.good) > 0.3*float64(total) {
			e.flags &^= flagBoiler | flagCaption | flagByline | flagHeader
		}
	}
	c = pickContent(pg, false)
	if c.storyText < 250 {
		// Readability's retry: when the strict pass finds next to nothing,
		// the page's markup misled us; ignore the boilerplate marks.
		if c2 := pickContent(pg, true); c2.storyText > c.storyText {
			c = c2
		}
	}
	c.pageGood, c.pageText, c.pageLink = total, totalText, totalLink
	return c
}

// pickContent scores candidates and collects the story blocks; lax ignores
// boilerplate marks on containers.
func pickContent(pg *page, lax bool) content {
	els := pg.elems
	c := content{root: -1}
	for i := range els {
		els[i].score = 0
	}
	// boiler[i]: elem i is inside (or is) a boilerplate box.
	boiler := make([]bool, len(els))
	if !lax {
		for i := range els {
			p := els[i].parent
			boiler[i] = els[i].flags&flagBoiler != 0 || p >= 0 && boiler[p]
		}
	}
	// Readability scoring.
	scored := make([]bool, len(els))
	initScore := func(i int32) {
		if scored[i] {
			return
		}
		scored[i] = true
		e := &els[i]
		switch e.tag {
		case atom.Div, atom.Article, atom.Section, atom.Main:
			e.score = 5
		case atom.Pre, atom.Td, atom.Blockquote:
			e.score = 3
		case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
			e.score = -3
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
			e.score = -5
		}
		e.score += 25 * float64(e.weight)
		if e.flags&flagPositive != 0 {
			e.score += 25
		}
	}
	for i := range pg.blocks {
		b := &pg.blocks[i]
		if b.tlen < 25 || b.kind == kindItem || b.kind == kindCaption || boiler[b.elem] {
			continue
		}
		if b.kind == kindHeading && b.level == 1 {
			continue
		}
		s := 1 + float64(b.commas) + min(float64(b.tlen/100), 3)
		// The block's own element plays the role of readability's <p>.
		anc := els[b.elem].parent
		if els[b.elem].tag == atom.Div || els[b.elem].tag == atom.Td || els[b.elem].tag == atom.Section || els[b.elem].tag == atom.Article {
			// text directly inside a container: the container is the paragraph
			// only if it has no block children; otherwise it is the parent.
			if els[b.elem].nblocks > 1 {
				anc = b.elem
			}
		}
		for level := 0; anc >= 0 && level < 5; level++ {
			initScore(anc)
			div := 1.0
			switch level {
			case 0:
			case 1:
				div = 2
			default:
				div = float64(level * 3)
			}
			els[anc].score += s / div
			anc = els[anc].parent
		}
	}
	top := int32(-1)
	var cands []int32
	for i := range els {
		if !scored[i] {
			continue
		}
		e := &els[i]
		if e.text > 0 {
			e.score *= 1 - float64(e.link)/float64(e.text)
		}
		if boiler[i] {
			continue
		}
		cands = append(cands, int32(i))
	}
	if len(cands) == 0 {
		c.blocks = fallbackBlocks(pg, boiler)
		return c
	}
	slices.SortStableFunc(cands, func(a, b int32) int { return cmp.Compare(els[b].score, els[a].score) })
	top = cands[0]
	topScore := els[top].score

	// Several strong candidates under one ancestor: the ancestor is the story.
	var alts []int32
	for _, k := range cands[1:min(len(cands), 5)] {
		if els[k].score/topScore >= 0.75 {
			alts = append(alts, k)
		}
	}
	if len(alts) >= 2 {
		for p := els[top].parent; p >= 0 && els[p].tag != atom.Body; p = els[p].parent {
			n := 0
			for _, a := range alts {
				if isAncestor(els, p, a) {
					n++
				}
			}
			if n >= 2 {
				top = p
				break
			}
		}
	}
	// Climb while parents score higher.
	last := els[top].score
	threshold := last / 3
	for p := els[top].parent; p >= 0 && els[p].tag != atom.Body; p = els[p].parent {
		if !scored[p] {
			continue
		}
		if els[p].score < threshold {
			break
		}
		if els[p].score > last {
			top = p
			break
		}
		last = els[p].score
	}
	// Climb through wrappers that hold nothing else.
	for p := els[top].parent; p >= 0 && els[p].tag != atom.Body && els[p].text == els[top].text; p = els[p].parent {
		top = p
	}
	c.root = top

	// Siblings that continue the story.
	selected := map[int32]bool{top: true}
	if p := els[top].parent; p >= 0 {
		thr := max(10, els[top].score*0.2)
		topClass := attr(els[top].node, "class")
		for i := int32(0); i < int32(len(els)); i++ {
			if els[i].parent != p || i == top || boiler[i] {
				continue
			}
			e := &els[i]
			bonus := 0.0
			if topClass != "" && attr(e.node, "class") == topClass {
				bonus = els[top].score * 0.2
			}
			ok := scored[i] && e.score+bonus >= thr
			if !ok && e.text > 0 && (e.tag == atom.P || e.nblocks == 1 && e.tag != atom.H1) {
				d := float64(e.link) / float64(e.text)
				if e.text > 80 && d < 0.25 {
					ok = true
				} else if e.text > 0 && d == 0 && e.nblocks == 1 && endsSentenceBlock(pg, i) {
					ok = true
				}
			}
			if !ok && bonus > 0 && e.text > 80 && float64(e.link)/float64(e.text) < 0.25 {
				// A block of the story's own template whose prose lies too
				// deep for the scores to reach (a story split around a
				// figure into sibling wrappers).
				ok = true
			}
			if ok {
				selected[i] = true
			}
		}
	}
	c.blocks = filterBlocks(pg, selected, boiler)
	for i := range c.blocks {
		c.storyText += c.blocks[i].tlen
	}
	return c
}

func endsSentenceBlock(pg *page, e int32) bool {
	for i := range pg.blocks {
		if pg.blocks[i].elem == e {
			return endsSentence(pg.blocks[i].text) || strings.Contains(pg.blocks[i].text, ". ")
		}
	}
	return false
}

func isAncestor(els []elem, anc, i int32) bool {
	for ; i >= 0; i = els[i].parent {
		if i == anc {
			return true
		}
	}
	return false
}

// fallbackBlocks is used when nothing scored: every prose block outside
// boilerplate.
func fallbackBlocks(pg *page, boiler []bool) []block {
	var out []block
	for _, b := range pg.blocks {
		if !boiler[b.elem] && isProse(&b) {
			out = append(out, b)
		}
	}
	return out
}

// filterBlocks keeps the blocks inside the selected containers that are
// not boilerplate inside the story.
func filterBlocks(pg *page, selected map[int32]bool, boiler []bool) []block {
	els := pg.elems
	var out []block
	// drop[i] caches the decision for elem i: 0 unknown, 1 keep, 2 drop, 3 outside.
	state := make([]uint8, len(els))
	var decide func(i int32) uint8
	decide = func(i int32) uint8 {
		if state[i] != 0 {
			return state[i]
		}
		var s uint8
		switch {
		case selected[i]:
			s = 1
		case els[i].parent < 0:
			s = 3
		default:
			s = decide(els[i].parent)
			if s == 1 && dropElem(els, i) {
				s = 2
			}
		}
		state[i] = s
		return s
	}
	for _, b := range pg.blocks {
		if decide(b.elem) != 1 {
			continue
		}
		if b.kind == kindCaption || b.kind == kindHeading && b.level == 1 {
			continue
		}
		if b.tlen > 0 && float64(b.llen)/float64(b.tlen) > 0.5 && b.kind != kindRow {
			continue
		}
		if b.kind == kindItem && b.list >= 0 {
			l := &els[b.list]
			if l.text > 0 && float64(l.link)/float64(l.text) > 0.5 {
				continue
			}
		}
		// A dated or signed line inside a block quote is the quote's own
		// attribution ("— Jane Doe (@jane) November 18, 2019"), not the
		// story's byline or dateline.
		if isJunk(b.text) || !b.quote && (isByline(b.text) || isDateline(b.text)) {
			continue
		}
		out = append(out, b)
	}
	out = dropRepeats(out)
	// Headings with nothing after them announce a box we dropped; contact
	// and sign-up lines close many stories.
	for len(out) > 0 && (out[len(out)-1].kind == kindHeading || isSignOff(out[len(out)-1].text)) {
		out = out[:len(out)-1]
	}
	return out
}

// isSignOff reports whether a short block is the kind of line that follows
// a story: how to reach or follow the author or the site, or a newsletter
// sign-up.
func isSignOff(s string) bool {
	if len(s) > 300 {
		return false
	}
	l := strings.ToLower(s)
	social := strings.Contains(l, "twitter") || strings.Contains(l, "facebook") || strings.Contains(l, "instagram") || strings.Contains(l, " @")
	follow := false
	for _, f := range []string{"follow us", "follow him", "follow her", "follow me", "follow them", "follow @"} {
		follow = follow || strings.Contains(l, f)
	}
	switch {
	case follow && social,
		hasEmail(l) && (social || strings.Contains(l, "reach") || strings.Contains(l, "contact") || strings.Contains(l, "email") || strings.Contains(l, "e-mail")),
		strings.Contains(l, "newsletter") && (strings.Contains(l, "subscribe") || strings.Contains(l, "sign up") || strings.Contains(l, "inbox")):
		return true
	}
	return false
}

// hasEmail reports whether s holds something shaped like an email address.
func hasEmail(s string) bool {
	for i := 1; i < len(s)-3; i++ {
		if s[i] != '@' || !isAlnum(s[i-1]) {
			continue
		}
		rest := s[i+1:]
		n := 0
		for n < len(rest) && (isAlnum(rest[n]) || rest[n] == '.' || rest[n] == '-') {
			n++
		}
		if dot := strings.LastIndexByte(rest[:n], '.'); dot > 0 && dot < n-2 {
			return true
		}
	}
	return false
}

// dropElem decides whether an element inside the story is a box to drop.
func dropElem(els []elem, i int32) bool {
	e := &els[i]
	if e.flags&(flagBoiler|flagCaption|flagByline|flagHeader) != 0 && (e.flags&flagPositive == 0 || e.flags&flagComment != 0) {
		return true
	}
	switch e.tag {
	case atom.Figure, atom.Figcaption, atom.Nav, atom.Aside, atom.Footer:
		return true
	case atom.Ul, atom.Ol, atom.Div, atom.Section, atom.Table:
		if e.text > 0 {
			d := float64(e.link) / float64(e.text)
			if e.weight < 0 && d > 0.2 || d > 0.5 && e.good < 200 {
				return true
			}
		}
	}
	return false
}

var junkLines = map[string]bool{
	"advertisement": true, "advertising": true, "advert": true, "anzeige": true, "publicité": true, "publicidad": true, "pubblicità": true, "publicidade": true, "advertentie": true, "реклама": true,
	"share": true, "share this": true, "share this article": true, "share this story": true, "tweet": true, "email": true, "print": true, "comments": true,
	"read more": true, "read more:": true, "related": true, "related articles": true, "related stories": true, "related content": true, "more": true,
	"continue reading": true, "continue reading below": true, "story continues below": true, "article continues below": true, "story continues below advertisement": true,
	"sponsored": true, "sponsored content": true, "skip advertisement": true, "scroll to continue with content": true, "ad": true, "mehr zum thema": true, "lesen sie auch": true, "lire aussi": true, "à lire aussi": true, "leer más": true, "lea también": true, "leia mais": true, "leggi anche": true, "lees ook": true,
	"don't miss": true, "don’t miss": true, "this slideshow requires javascript": true, "enable javascript to view this content": true,
	"photo": true, "video": true, "getty images": true, "image": true, "loading...": true, "close": true, "menu": true, "search": true, "follow us": true, "newsletter": true,
}

var junkPrefixes = []string{
	"read more:", "read more ", "related:", "related article", "related stories", "see also:", "also read:", "also read ", "more:", "click here", "sign up for", "subscribe to", "subscribe now", "follow us on",
	"lesen sie auch", "mehr zum thema", "lire aussi", "à lire aussi", "lea también", "leer más", "leia também", "leia mais", "leggi anche", "lees ook", "share this", "copyright ©", "© copyright", "all rights reserved",
	"this article is more than", "image:", "photo:", "picture:", "foto:", "bild:", "image source", "photo credit", "photograph:", "(photo", "(image",
}

func isJunk(s string) bool {
	if len(s) > 200 {
		return false
	}
	l := strings.ToLower(strings.TrimSpace(s))
	l = strings.TrimRight(l, " :.>»›→")
	if junkLines[l] || isGalleryCounter(l) || isCreditedCaption(l) {
		return true
	}
	for _, p := range junkPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// creditLabels open the photo credit that ends a caption: "Protesters in
// the street (Image: Getty)".
var creditLabels = []string{"(image:", "(images:", "(photo:", "(photos:", "(picture:", "(pictures:", "(pic:", "(credit:", "(foto:", "(fotos:", "(bild:", "(photo credit:", "(image credit:"}

// isCreditedCaption reports whether a short lowercased block ends with a
// parenthesised photo credit, as captions printed in the text flow do.
func isCreditedCaption(l string) bool {
	if !strings.HasSuffix(l, ")") {
		return false
	}
	i := strings.LastIndexByte(l, '(')
	if i < 0 || len(l)-i > 60 {
		return false
	}
	for _, c := range creditLabels {
		if strings.HasPrefix(l[i:], c) {
			return true
		}
	}
	return false
}

// isGalleryCounter reports a slideshow counter such as "image 2 of 5".
func isGalleryCounter(l string) bool {
	for _, p := range []string{"image ", "photo ", "picture ", "slide ", "bild ", "foto "} {
		if rest, ok := strings.CutPrefix(l, p); ok {
			n, of, ok := strings.Cut(rest, " of ")
			return ok && isDigits(n) && isDigits(of)
		}
	}
	return false
}

// isByline reports whether a short block is a byline such as "By Jane Doe"
// or "di Giulia Rossi".
func isByline(s string) bool {
	if len(s) > 100 {
		return false
	}
	l := strings.ToLower(s)
	for _, p := range []string{"by ", "by: ", "von ", "par ", "por ", "di ", "door ", "written by ", "text: ", "texto: ", "autor: ", "author: "} {
		if strings.HasPrefix(l, p) && len(s) > len(p) {
			rest := s[len(p):]
			if startsUpper(rest) && !strings.HasSuffix(strings.TrimSpace(s), ".") || strings.Contains(rest, "|") {
				return true
			}
		}
	}
	return false
}

// isDateline reports whether a short block is only a date, possibly with a
// label and an agency name ("Updated: 22-08-2020 03:12 IST").
func isDateline(s string) bool {
	if len(s) > 160 || !containsDigit(s) {
		return false
	}
	words := 0
	for _, f := range strings.Fields(s) {
		if len(f) > 2 {
			words++
		}
	}
	if words > 16 {
		return false
	}
	ok := words <= 5 || words <= 10 && !endsSentence(s)
	if !ok && !endsSentence(s) {
		l := strings.ToLower(s)
		ok = publishedSet.in(l) || modifiedSet.in(l)
	}
	if !ok {
		return false
	}
	_, isDate := parseDate(s, false, time.Time{})
	return isDate
}

// dropRepeats removes a summary block near the top that repeats the start
// of a later paragraph, as standfirsts often do.
func dropRepeats(bs []block) []block {
	if len(bs) < 2 {
		return bs
	}
	var out []block
	for i := range bs {
		dup := false
		if i < 6 && len(bs[i].text) >= 40 && bs[i].kind == kindPara {
			for j := i + 1; j < len(bs) && j < i+8; j++ {
				if strings.HasPrefix(bs[j].text, strings.TrimRight(bs[i].text, ". …")) {
					dup = true
					break
				}
			}
		}
		if !dup {
			out = append(out, bs[i])
		}
	}
	return out
}
