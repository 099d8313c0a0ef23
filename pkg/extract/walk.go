package extract

import (
	"net/url"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// walker makes the one pass over the tree that fills a page: it cuts the
// text into blocks, records block-level elements with their flags, and
// collects metadata and links on the way (collect.go).
type walker struct {
	base *url.URL
	p    page

	// the block being built
	buf     []byte
	linkLen int32
	inLink  int
	owner   int32
	quote   int
	listIdx int32
	ordered bool

	nodes   int            // elements visited, bounded by maxNodes
	linkIdx map[string]int // link URL -> index in p.links
	noLinks bool           // collect no links (walk's links false)

	classCache map[string]classInfo
	// recent is a direct-mapped cache in front of classCache: runs of
	// elements with the same class are common and skip the hashing.
	recent [64]struct {
		class string
		info  classInfo
	}
	scratch []byte
}

// walk reads the whole document once and returns what it found. base, when
// not nil, resolves relative links; links false leaves page.links empty.
// The page's element and block slices come from walkBufs: page.release
// gives them back.
func walk(doc *html.Node, base *url.URL, links bool) *page {
	wb, _ := walkBufs.Get().(*walkBuffers)
	if wb == nil {
		// Sizes that fit a typical news page, to spare the first rounds
		// of growth.
		wb = &walkBuffers{
			elems: make([]elem, 0, 1024), blocks: make([]block, 0, 512),
			linkIdx: make(map[string]int, 128), classCache: make(map[string]classInfo, 256),
		}
	}
	w := &walker{
		base: base, owner: -1, listIdx: -1, noLinks: !links,
		p:       page{elems: wb.elems[:0], blocks: wb.blocks[:0], bufs: wb},
		buf:     make([]byte, 0, 1024),
		linkIdx: wb.linkIdx, classCache: wb.classCache,
	}
	w.visit(doc, 0)
	w.flush()
	return &w.p
}

// walkBuffers are the walker's largest allocations, kept from page to
// page (about 100 KB that a page would otherwise allocate, clear and leave
// to the collector): the element and block slices and the two tables.
type walkBuffers struct {
	elems      []elem
	blocks     []block
	linkIdx    map[string]int
	classCache map[string]classInfo
}

// walkBufs holds *walkBuffers for reuse.
var walkBufs sync.Pool

// Bounds on what walkBufs keeps: a page far larger than most leaves its
// buffers to the collector, and a table that grew large is not kept,
// since clearing a map costs its capacity.
const (
	maxKeptElems   = 16 << 10
	maxKeptEntries = 2048
)

// release gives the page's slices and the walker's tables back to
// walkBufs. Nothing may read p.elems or p.blocks afterwards: Extract calls
// it once the Article is built, which holds none of their memory (its
// strings and links are the page's own).
func (p *page) release() {
	wb := p.bufs
	if wb == nil {
		return
	}
	p.bufs = nil
	if cap(p.elems) > maxKeptElems || cap(p.blocks) > maxKeptElems ||
		len(wb.linkIdx) > maxKeptEntries || len(wb.classCache) > maxKeptEntries {
		return
	}
	// Cleared, so the pool holds no reference to this page's tree.
	clear(p.elems)
	clear(p.blocks)
	clear(wb.linkIdx)
	clear(wb.classCache)
	wb.elems, wb.blocks = p.elems[:0], p.blocks[:0]
	p.elems, p.blocks = nil, nil
	walkBufs.Put(wb)
}

const (
	maxNodes = 400000 // elements visited; beyond this the rest of the page is ignored
	maxDepth = 400
)

// skipTag reports whether the walker ignores an element and its subtree.
// A switch, not a map: it runs for every element.
func skipTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math, atom.Iframe,
		atom.Object, atom.Embed, atom.Canvas, atom.Video, atom.Audio, atom.Select, atom.Option,
		atom.Button, atom.Input, atom.Textarea, atom.Dialog, atom.Map, atom.Head, atom.Picture,
		atom.Source, atom.Track, atom.Label:
		return true
	}
	return false
}

// blockTag reports whether an element starts a block of text.
func blockTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Li, atom.Dl, atom.Dt, atom.Dd,
		atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Td, atom.Th, atom.Thead, atom.Tbody,
		atom.Tfoot, atom.Caption, atom.Figure, atom.Figcaption, atom.Header, atom.Footer,
		atom.Nav, atom.Aside, atom.Form, atom.Address, atom.Center, atom.Details, atom.Summary,
		atom.Hr, atom.Body, atom.Html, atom.Fieldset, atom.Menu, atom.Hgroup:
		return true
	}
	return false
}

// hasAttr reports whether n has the attribute key.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return true
		}
	}
	return false
}

// attr returns the value of the attribute key of n, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func (w *walker) visit(n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		w.appendText(n.Data)
		return
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		return
	case html.ElementNode:
	default:
		return
	}
	w.nodes++
	if w.nodes > maxNodes || depth > maxDepth {
		return
	}
	if n.DataAtom == atom.Html {
		if l := attr(n, "lang"); l != "" {
			w.p.signals.lang = l
		} else if l := attr(n, "xml:lang"); l != "" {
			w.p.signals.lang = l
		}
	}
	if n.DataAtom == atom.Head {
		w.visitHead(n)
		return
	}
	if n.Namespace != "" {
		return
	}
	switch n.DataAtom {
	case atom.Script:
		if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
			w.p.signals.ldjson = append(w.p.signals.ldjson, textOf(n))
		}
		return
	case atom.Meta:
		w.meta(n)
		return
	case atom.Link:
		w.linkTag(n)
		return
	case atom.Title:
		return
	case atom.Br:
		// Two line breaks in a row end a paragraph, as in pages that
		// separate paragraphs with <br><br>.
		if k := len(w.buf); k > 0 && (w.buf[k-1] == '\n' || k > 1 && w.buf[k-1] == ' ' && w.buf[k-2] == '\n') {
			w.flush()
			return
		}
		w.buf = append(w.buf, '\n')
		return
	case atom.Img:
		w.image(n)
		return
	}
	if skipTag(n.DataAtom) {
		return
	}
	var class, id, role, itemprop string
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			class = a.Val
		case "id":
			id = a.Val
		case "role":
			role = a.Val
		case "itemprop":
			itemprop = a.Val
		case "hidden":
			return
		case "aria-hidden":
			if a.Val == "true" && n.DataAtom != atom.Span && n.DataAtom != atom.I {
				return
			}
		case "style":
			if hiddenStyle(a.Val) {
				return
			}
		}
	}
	var flags uint8
	var weight int8
	if class != "" || id != "" {
		var hide bool
		flags, weight, hide = w.classify(class, id)
		if hide {
			return
		}
	}
	if itemprop != "" {
		w.itemprop(n, itemprop)
	}
	positive := itemprop == "articleBody" || n.DataAtom == atom.Article || n.DataAtom == atom.Main
	isBlock := blockTag(n.DataAtom)
	if role != "" {
		switch role {
		case "navigation", "complementary", "banner", "contentinfo", "menu", "menubar", "search", "dialog", "alert", "tablist":
			flags |= flagBoiler
		case "main", "article":
			flags |= flagPositive
		}
	}
	if positive {
		flags |= flagPositive
	}
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer, atom.Form, atom.Menu:
		flags |= flagBoiler
	case atom.Header:
		flags |= flagHeader
	case atom.Figcaption, atom.Caption:
		if n.DataAtom == atom.Figcaption {
			flags |= flagCaption
		}
	case atom.Time:
		w.timeTag(n)
	case atom.A:
		w.anchor(n, flags, depth)
		return
	}
	if flags&flagByline != 0 {
		w.p.signals.bylines = append(w.p.signals.bylines, marked{node: n, owner: w.owner})
	}
	if flags&flagDate != 0 {
		w.p.signals.dates = append(w.p.signals.dates, marked{node: n, owner: w.owner})
	}
	if !isBlock {
		if flags&(flagBoiler|flagCaption) != 0 && w.blankLine() {
			// An inline box marked as boilerplate (a span wrapping a share bar)
			// is treated as a block so it can be dropped as a unit.
			isBlock = true
		} else {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.visit(c, depth+1)
			}
			return
		}
	}

	if n.DataAtom == atom.Tr && w.dataRow(n) {
		return
	}

	w.flush()
	idx := int32(len(w.p.elems))
	w.p.elems = append(w.p.elems, elem{node: n, parent: w.owner, tag: n.DataAtom, flags: flags &^ flagDate, weight: weight})
	prevOwner, prevList, prevOrdered := w.owner, w.listIdx, w.ordered
	w.owner = idx
	switch n.DataAtom {
	case atom.Ul, atom.Ol:
		w.listIdx, w.ordered = idx, n.DataAtom == atom.Ol
	case atom.Blockquote:
		w.quote++
	}
	if n.DataAtom == atom.H1 {
		start := len(w.p.blocks)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		w.flush()
		var sb strings.Builder
		for _, b := range w.p.blocks[start:] {
			sb.WriteString(b.text)
			sb.WriteByte(' ')
		}
		w.p.signals.h1 = append(w.p.signals.h1, heading{text: headingText(sb.String()), elem: idx, home: homeLinkOnly(n, w.base)})
	} else {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		w.flush()
	}
	if n.DataAtom == atom.Blockquote {
		w.quote--
	}
	w.owner, w.listIdx, w.ordered = prevOwner, prevList, prevOrdered
}

// dataRow turns a table row whose cells hold only inline content into one
// block; rows of layout tables (cells with paragraphs or nested tables) are
// walked like any other markup.
func (w *walker) dataRow(tr *html.Node) bool {
	var cells []*html.Node
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
			if hasBlockChild(c, 0) {
				return false
			}
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return false
	}
	w.flush()
	var texts []string
	var link int32
	for _, c := range cells {
		w.buf = w.buf[:0]
		w.linkLen = 0
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			w.visit(k, 0)
		}
		link += w.linkLen
		texts = append(texts, collapse(string(w.buf)))
	}
	w.buf = w.buf[:0]
	w.linkLen = 0
	joined := strings.TrimSpace(strings.Join(texts, " "))
	if joined == "" {
		return true
	}
	idx := int32(len(w.p.elems))
	w.p.elems = append(w.p.elems, elem{node: tr, parent: w.owner, tag: atom.Tr})
	tl := weightedLen(joined)
	w.p.blocks = append(w.p.blocks, block{
		elem: idx, kind: kindRow, list: -1, text: joined, cells: texts,
		tlen: tl, llen: min(link, tl), quote: w.quote > 0,
	})
	return true
}

func hasBlockChild(n *html.Node, depth int) bool {
	if depth > 20 {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom != atom.Hr && c.DataAtom != atom.Br && (blockTag(c.DataAtom) || c.DataAtom == atom.Img) && c.DataAtom != atom.Center {
			if c.DataAtom == atom.P || c.DataAtom == atom.Div {
				// a single paragraph in a cell is still a cell
				if c.NextSibling == nil && c.PrevSibling == nil && !hasBlockChild(c, depth+1) {
					continue
				}
			}
			return true
		}
		if hasBlockChild(c, depth+1) {
			return true
		}
	}
	return false
}

func (w *walker) appendText(s string) {
	start := len(w.buf)
	space := len(w.buf) > 0 && isSpaceByte(w.buf[len(w.buf)-1])
	for i := 0; i < len(s); {
		c := s[i]
		if isSpaceByte(c) || c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 { // no-break space
			if !space {
				w.buf = append(w.buf, ' ')
				space = true
			}
			if c == 0xC2 {
				i++
			}
			i++
			continue
		}
		// Copy the run up to the next possible space in one append.
		j := i + 1
		for j < len(s) && !textStop[s[j]] {
			j++
		}
		w.buf = append(w.buf, s[i:j]...)
		space = false
		i = j
	}
	if w.inLink > 0 {
		w.linkLen += weightedLenBytes(w.buf[start:])
	}
}

// textStop marks the bytes where appendText's copy of a run stops: the
// spaces it collapses and the first byte of a no-break space.
var textStop = [256]bool{' ': true, '\n': true, '\t': true, '\r': true, '\f': true, 0xC2: true}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
}

// blankLine reports whether the current block holds no text yet, only
// spaces or line breaks.
func (w *walker) blankLine() bool {
	for _, c := range w.buf {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

// flush ends the current block.
func (w *walker) flush() {
	if len(w.buf) == 0 {
		w.linkLen = 0
		return
	}
	text := cleanBlockText(w.buf)
	w.buf = w.buf[:0]
	link := w.linkLen
	w.linkLen = 0
	if text == "" || w.owner < 0 {
		return
	}
	b := block{elem: w.owner, list: -1, text: text, quote: w.quote > 0}
	switch t := w.p.elems[w.owner].tag; t {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		b.kind = kindHeading
		b.level = uint8(t.String()[1] - '0')
	case atom.Li, atom.Dd, atom.Dt:
		b.kind = kindItem
		b.list = w.listIdx
		b.ordered = w.ordered
	case atom.Pre:
		b.kind = kindPre
	case atom.Figcaption, atom.Caption:
		b.kind = kindCaption
	}
	b.tlen, b.commas = textStats(text)
	b.llen = min(link, b.tlen)
	w.p.blocks = append(w.p.blocks, b)
}
