package extract

import (
	"bytes"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Element flags.
const (
	flagBoiler   uint8 = 1 << iota // navigation, share bar, related box...: dropped unless it holds the story
	flagCaption                    // figure caption or photo credit
	flagByline                     // byline or dateline markup
	flagPositive                   // class/id/itemprop says "article body"
	flagHeader                     // page or article header
	flagTitle                      // class says "title"/"headline"
)

// elem is one block-level element of the page, in document order; children
// always come after their parent, so aggregates are summed in one reverse
// sweep.
type elem struct {
	node   *html.Node
	parent int32
	tag    atom.Atom
	flags  uint8
	weight int8 // class weight, readability style: -1, 0 or +1

	// Aggregates over the blocks in the subtree, in weighted characters.
	text, link int32
	good       int32   // text of blocks that look like prose
	score      float64 // readability-style content score
	nblocks    int32
}

// Block kinds.
const (
	kindPara uint8 = iota
	kindHeading
	kindItem
	kindPre
	kindRow
	kindCaption
)

// block is a run of text between block-level boundaries: a paragraph, a
// heading, a list item, a table row.
type block struct {
	elem    int32 // innermost block-level element holding the text
	kind    uint8
	level   uint8 // heading level
	quote   bool  // inside blockquote
	list    int32 // for items: the elem index of the list, -1 otherwise
	ordered bool
	text    string
	cells   []string // for rows
	tlen    int32    // weighted length
	llen    int32    // weighted length of link text
	commas  int32
}

type metaTag struct{ key, value string }

type timeTag struct {
	datetime, text string
	elem           int32
	itemprop       string
}

type propTag struct {
	prop, value string
	elem        int32
	node        *html.Node
}

type walker struct {
	base *url.URL

	elems  []elem
	blocks []block

	// current inline text
	buf      []byte
	linkLen  int32
	inLink   int
	owner    int32
	quote    int
	listIdx  int32
	ordered  bool
	inTitle  bool
	headText []byte

	// metadata seen on the way
	lang        string
	title       string
	metas       []metaTag
	ldjson      []string
	canonical   string
	times       []timeTag
	props       []propTag
	bylines     []int32 // elems or inline holders with byline-ish class
	bylineNodes []*html.Node
	dateNodes   []*html.Node
	h1          []string
	images      []string
	relAuthor   []string
	linkIdx     map[string]int
	links       []Link
	nodes       int
	tagsLinks   []string
	classCache  map[string]classInfo
	// recent is a direct-mapped cache in front of classCache: runs of
	// elements with the same class are common and skip the hashing.
	recent [64]struct {
		class string
		info  classInfo
	}
	scratch []byte
}

// classInfo is what one class attribute value says, cached per distinct
// value: pages repeat their class names but rarely their ids.
type classInfo struct {
	cats   uint16
	ad     bool
	hidden bool
}

// classify classifies class and id. The class part is cached; the id part
// is scanned each time.
func (w *walker) classify(class, id string) (uint8, int8, bool) {
	var ci classInfo
	if class != "" {
		slot := &w.recent[(len(class)*31+int(class[0])*7+int(class[len(class)-1]))%len(w.recent)]
		var ok bool
		if slot.class == class {
			ci = slot.info
		} else if ci, ok = w.classCache[class]; ok {
			slot.class, slot.info = class, ci
		} else {
			w.scratch = appendLower(w.scratch[:0], class)
			ci.cats = categories(w.scratch)
			ci.ad, ci.hidden = tokenFlags(w.scratch)
			w.classCache[class] = ci
			slot.class, slot.info = class, ci
		}
	}
	if id != "" {
		w.scratch = appendLower(w.scratch[:0], id)
		ci.cats |= categories(w.scratch)
		ci.ad = ci.ad || hasAdToken(w.scratch)
	}
	f, wt := flagsFor(ci.cats, ci.ad)
	return f, wt, ci.hidden
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
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

func newWalker(base *url.URL) *walker {
	// Sizes that fit a typical news page, to spare the first rounds of
	// growth.
	return &walker{
		base: base, owner: -1, listIdx: -1,
		elems: make([]elem, 0, 1024), blocks: make([]block, 0, 512), buf: make([]byte, 0, 1024),
		linkIdx: make(map[string]int, 128), classCache: make(map[string]classInfo, 256),
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// run walks the whole document once.
func (w *walker) run(doc *html.Node) {
	w.visit(doc, 0)
	w.flush()
}

func (w *walker) visit(n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		if w.inTitle {
			w.headText = append(w.headText, n.Data...)
			return
		}
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
			w.lang = l
		} else if l := attr(n, "xml:lang"); l != "" {
			w.lang = l
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
			w.ldjson = append(w.ldjson, textOf(n))
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
		w.bylineNodes = append(w.bylineNodes, n)
	}
	if flags&flagDate != 0 {
		w.dateNodes = append(w.dateNodes, n)
	}
	if !isBlock {
		if flags&(flagBoiler|flagCaption) != 0 && w.buf == nil {
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
	idx := int32(len(w.elems))
	w.elems = append(w.elems, elem{node: n, parent: w.owner, tag: n.DataAtom, flags: flags &^ flagDate, weight: weight})
	prevOwner, prevList, prevOrdered := w.owner, w.listIdx, w.ordered
	w.owner = idx
	switch n.DataAtom {
	case atom.Ul, atom.Ol:
		w.listIdx, w.ordered = idx, n.DataAtom == atom.Ol
	case atom.Blockquote:
		w.quote++
	}
	if n.DataAtom == atom.H1 {
		start := len(w.blocks)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		w.flush()
		var sb strings.Builder
		for _, b := range w.blocks[start:] {
			sb.WriteString(b.text)
			sb.WriteByte(' ')
		}
		w.h1 = append(w.h1, strings.TrimSpace(sb.String()))
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

func (w *walker) visitHead(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Meta:
			w.meta(c)
		case atom.Link:
			w.linkTag(c)
		case atom.Title:
			if w.title == "" {
				w.title = collapse(textOf(c))
			}
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(c, "type")), "ld+json") {
				w.ldjson = append(w.ldjson, textOf(c))
			}
		}
	}
}

func (w *walker) meta(n *html.Node) {
	key := attr(n, "property")
	if key == "" {
		key = attr(n, "name")
	}
	if key == "" {
		key = attr(n, "itemprop")
		if key != "" {
			w.itemprop(n, key)
			return
		}
	}
	if key == "" {
		if h := attr(n, "http-equiv"); strings.EqualFold(h, "content-language") {
			key = "content-language"
		}
	}
	if key == "" {
		return
	}
	v := strings.TrimSpace(attr(n, "content"))
	if v == "" {
		return
	}
	w.metas = append(w.metas, metaTag{key: strings.ToLower(strings.TrimSpace(key)), value: v})
}

func (w *walker) linkTag(n *html.Node) {
	rel := strings.ToLower(attr(n, "rel"))
	if w.canonical == "" && hasWord(rel, "canonical") {
		w.canonical = attr(n, "href")
	}
}

func (w *walker) image(n *html.Node) {
	if len(w.images) >= 8 {
		return
	}
	src := attr(n, "src")
	if src == "" || strings.HasPrefix(src, "data:") {
		src = attr(n, "data-src")
	}
	if src == "" || strings.HasPrefix(src, "data:") {
		return
	}
	wd := attr(n, "width")
	if wd != "" && len(wd) < 3 { // tiny icons and tracking pixels
		return
	}
	w.images = append(w.images, src)
}

func (w *walker) timeTag(n *html.Node) {
	if len(w.times) >= 64 {
		return
	}
	w.times = append(w.times, timeTag{
		datetime: attr(n, "datetime"), text: collapse(textOf(n)),
		elem: w.owner, itemprop: attr(n, "itemprop"),
	})
}

func (w *walker) itemprop(n *html.Node, prop string) {
	if len(w.props) >= 256 {
		return
	}
	switch prop {
	case "author", "creator", "datePublished", "dateModified", "dateCreated", "headline",
		"articleBody", "articleSection", "keywords", "inLanguage", "publisher", "name", "image":
	default:
		return
	}
	var v string
	switch {
	case attr(n, "content") != "":
		v = attr(n, "content")
	case attr(n, "datetime") != "":
		v = attr(n, "datetime")
	case n.DataAtom == atom.Img || n.DataAtom == atom.Link || n.DataAtom == atom.A && prop == "image":
		v = attr(n, "src")
		if v == "" {
			v = attr(n, "href")
		}
	case prop == "author" || prop == "creator":
		// A Person scope: its name is the author, not the whole box text
		// (which may hold a photo credit, a role or a bio).
		v = microdataName(n)
	case prop != "articleBody":
		v = collapse(textOfLimit(n, 300))
	}
	w.props = append(w.props, propTag{prop: prop, value: v, elem: w.owner, node: n})
}

func (w *walker) anchor(n *html.Node, flags uint8, depth int) {
	href := strings.TrimSpace(attr(n, "href"))
	rel := attr(n, "rel")
	startBuf := len(w.buf)
	startBlocks := len(w.blocks)
	linked := href != "" && !strings.HasPrefix(href, "#")
	if linked {
		w.inLink++
	}
	block := flags&flagBoiler != 0 && w.buf == nil
	if block {
		w.flush()
		idx := int32(len(w.elems))
		w.elems = append(w.elems, elem{node: n, parent: w.owner, tag: n.DataAtom, flags: flags & (flagBoiler | flagCaption | flagByline | flagPositive | flagHeader), weight: 0})
		prev := w.owner
		w.owner = idx
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		w.flush()
		w.owner = prev
	} else {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
	}
	if linked {
		w.inLink--
	}
	if !linked {
		return
	}
	var text string
	if len(w.blocks) == startBlocks && len(w.buf) >= startBuf {
		text = collapseBytes(w.buf[startBuf:])
	} else {
		text = collapse(textOfLimit(n, 300))
	}
	if rel != "" && hasWordFold(rel, "author") && len(w.relAuthor) < 8 {
		w.relAuthor = append(w.relAuthor, text)
	}
	if rel != "" && hasWordFold(rel, "tag") && len(w.tagsLinks) < 32 {
		w.tagsLinks = append(w.tagsLinks, text)
	}
	w.addLink(href, text)
}

func (w *walker) addLink(href, text string) {
	if len(w.links) >= 5000 {
		return
	}
	if i := strings.IndexByte(href, '#'); i >= 0 {
		href = href[:i]
		if href == "" {
			return
		}
	}
	s := href
	if w.base != nil && plainRootPath(href) {
		s = w.base.Scheme + "://" + w.base.Host + href
	} else if !plainAbsURL(href) {
		u, err := url.Parse(href)
		if err != nil {
			return
		}
		if w.base != nil {
			u = w.base.ResolveReference(u)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return
		}
		u.Fragment = ""
		u.RawFragment = ""
		u.Host = strings.ToLower(u.Host)
		s = u.String()
	}
	if i, ok := w.linkIdx[s]; ok {
		if w.links[i].Text == "" {
			w.links[i].Text = text
		}
		return
	}
	w.linkIdx[s] = len(w.links)
	w.links = append(w.links, Link{URL: s, Text: text})
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
	idx := int32(len(w.elems))
	w.elems = append(w.elems, elem{node: tr, parent: w.owner, tag: atom.Tr})
	tl := weightedLen(joined)
	w.blocks = append(w.blocks, block{
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
	switch t := w.elems[w.owner].tag; t {
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
	w.blocks = append(w.blocks, b)
}

// cleanBlockText trims spaces around line breaks and collapses runs of
// breaks: one <br> is a line break, two or more a paragraph break.
func cleanBlockText(buf []byte) string {
	if bytes.IndexByte(buf, '\n') < 0 {
		// No line breaks: appendText already collapsed the spaces, so only
		// the ends need trimming.
		return string(bytes.Trim(buf, " "))
	}
	var sb strings.Builder
	sb.Grow(len(buf))
	nl := 0
	pendingSpace := false
	for _, c := range buf {
		switch c {
		case '\n':
			nl++
			pendingSpace = false
			continue
		case ' ':
			if nl == 0 && sb.Len() > 0 {
				pendingSpace = true
			}
			continue
		}
		if nl > 0 {
			if sb.Len() > 0 {
				if nl > 1 {
					sb.WriteString("\n\n")
				} else {
					sb.WriteByte('\n')
				}
			}
			nl = 0
		} else if pendingSpace {
			sb.WriteByte(' ')
		}
		pendingSpace = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// weightedLen counts characters, giving ideographic and syllabic scripts
// more weight: one Han character carries about as much as a short word.
func weightedLen(s string) int32 {
	var n int32
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += runeWeight(r)
	}
	return n
}

// textStats returns weightedLen(s) and the number of commas in s, Latin,
// ideographic and Arabic.
func textStats(s string) (n, commas int32) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			if c == ',' {
				commas++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += runeWeight(r)
		if r == '，' || r == '、' || r == '،' {
			commas++
		}
	}
	return n, commas
}

// weightedLenBytes is weightedLen on bytes.
func weightedLenBytes(s []byte) int32 {
	var n int32
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		i += size
		n += runeWeight(r)
	}
	return n
}

func runeWeight(r rune) int32 {
	if r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)) {
		return 3
	}
	return 1
}

func textOf(n *html.Node) string { return textOfLimit(n, 1<<20) }

// textOfLimit returns the text content of n, stopping after about limit bytes.
func textOfLimit(n *html.Node, limit int) string {
	if n.DataAtom == atom.Script && n.Type == html.ElementNode && n.Parent != nil && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
		return n.FirstChild.Data // a script's text as it is, without a copy
	}
	var sb strings.Builder
	var f func(*html.Node, int)
	f = func(n *html.Node, depth int) {
		if sb.Len() >= limit || depth > 64 {
			return
		}
		switch n.Type {
		case html.TextNode:
			sb.WriteString(n.Data)
		case html.ElementNode:
			if n.DataAtom == atom.Script && n.Parent != nil && sb.Len() == 0 && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
				sb.WriteString(n.FirstChild.Data)
				return
			}
			if skipTag(n.DataAtom) && n.DataAtom != atom.Script {
				return
			}
			if n.DataAtom == atom.Br {
				sb.WriteByte(' ')
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				f(c, depth+1)
			}
			if blockTag(n.DataAtom) {
				sb.WriteByte(' ')
			}
		}
	}
	f(n, 0)
	return sb.String()
}

// collapseBytes is collapse for the walker's buffer, which holds only
// single ASCII spaces and newlines as whitespace.
func collapseBytes(b []byte) string {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	clean := true
	for i, c := range b {
		if c == '\n' || c == ' ' && i > 0 && b[i-1] == ' ' {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	return collapse(string(b))
}

// collapse trims s and collapses whitespace runs to one space.
func collapse(s string) string {
	if collapsed(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == 0xA0 {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// collapsed reports whether collapse(s) == s: s holds no whitespace other
// than single inner spaces, and no invalid UTF-8 (which collapse replaces).
func collapsed(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' && s[i+1] == ' ', c >= '\t' && c <= '\r':
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsSpace(r) || r == 0xA0 {
			return false
		}
		i += size
	}
	return true
}

// hasWordFold is hasWord(strings.ToLower(s), word) for a lowercase ASCII
// word, without allocating when s is ASCII.
func hasWordFold(s, word string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return hasWord(strings.ToLower(s), word)
		}
	}
	for len(s) > 0 {
		i := 0
		for i < len(s) && asciiSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !asciiSpace(s[j]) {
			j++
		}
		if j > i && strings.EqualFold(s[i:j], word) {
			return true
		}
		s = s[j:]
	}
	return false
}

// asciiSpace is unicode.IsSpace for ASCII bytes.
func asciiSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func hasWord(s, word string) bool {
	for _, f := range strings.Fields(s) {
		if f == word {
			return true
		}
	}
	return false
}

func hiddenStyle(v string) bool {
	if strings.Contains(v, "none") || strings.Contains(v, "hidden") {
		s := strings.ReplaceAll(strings.ToLower(v), " ", "")
		return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
	}
	return false
}

// tokenFlags reads the tokens of a lowercased class value in one pass:
// ad reports an ad token (hasAdToken), hidden a class that hides the
// element.
func tokenFlags(s []byte) (ad, hidden bool) {
	word, alnum := 0, -1 // starts of the current space-separated and alphanumeric tokens
	for i := 0; i <= len(s); i++ {
		c := byte(' ')
		if i < len(s) {
			c = s[i]
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if alnum < 0 {
				alnum = i
			}
			continue
		}
		if alnum >= 0 {
			ad = ad || adToken(s[alnum:i])
			alnum = -1
		}
		if isSpaceByte(c) {
			if i > word && !hidden {
				hidden = hiddenToken(s[word:i])
			}
			word = i + 1
		}
	}
	return ad, hidden
}

// hiddenToken reports whether a lowercased class name hides the element.
func hiddenToken(t []byte) bool {
	switch string(t) {
	case "hidden", "hide", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
		"screen-reader-only", "sr-text", "u-hidden", "is-hidden", "d-none", "invisible", "offscreen":
		return true
	}
	return false
}

// plainAbsURL reports whether href is an absolute http(s) URL with a
// lowercase host, no fragment and nothing that needs escaping, which is
// kept as it is without parsing.
func plainAbsURL(href string) bool {
	var rest string
	switch {
	case strings.HasPrefix(href, "https://"):
		rest = href[8:]
	case strings.HasPrefix(href, "http://"):
		rest = href[7:]
	default:
		return false
	}
	if rest == "" || rest[0] == '/' {
		return false
	}
	inHost := true
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c <= ' ' || c >= 0x7f || c == '#' || c == '\\' || c == '"' || c == '<' || c == '>' {
			return false
		}
		if c == '/' || c == '?' {
			inHost = false
		}
		if inHost && ('A' <= c && c <= 'Z' || c == '@') {
			return false
		}
	}
	return true
}

// plainRootPath reports whether href is a path from the site root with no
// dot segments or characters that need escaping: "/news/story-1.html".
func plainRootPath(href string) bool {
	if len(href) < 1 || href[0] != '/' || len(href) > 1 && href[1] == '/' {
		return false
	}
	for i := 0; i < len(href); i++ {
		c := href[i]
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '%' {
			return false
		}
		if c == '.' && i > 0 && href[i-1] == '/' {
			return false
		}
	}
	return true
}

// microdataName returns the itemprop=name (or givenName familyName) inside
// an author element, or the element's own text. The selection is scoped to
// the element's subtree, which is small.
func microdataName(n *html.Node) string {
	sel := goquery.NewDocumentFromNode(n).Selection
	if name := sel.Find(`[itemprop="name"]`).First(); name.Length() > 0 {
		if v, ok := name.Attr("content"); ok && strings.TrimSpace(v) != "" {
			return collapse(v)
		}
		return collapse(name.Text())
	}
	given := collapse(sel.Find(`[itemprop="givenName"]`).First().Text())
	family := collapse(sel.Find(`[itemprop="familyName"]`).First().Text())
	if given+family != "" {
		return strings.TrimSpace(given + " " + family)
	}
	return collapse(textOfLimit(n, 300))
}
