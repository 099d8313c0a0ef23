package extract

import (
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// page is what one walk over the document finds, as plain data: the
// block-level elements and the text blocks that content selection scores,
// the metadata signals that the metadata and page-type rules read, and the
// page's outgoing links. The walker fills it; nothing else reads the tree
// for the whole page.
type page struct {
	elems   []elem  // block-level elements in document order, parents first
	blocks  []block // text blocks in document order
	signals signals
	links   []Link // every outgoing link, resolved and deduplicated

	bufs *walkBuffers // where elems and blocks came from, for release
}

// signals is the metadata the walker collects on its way: what the page
// says about itself in markup, before any choice is made.
type signals struct {
	lang        string // <html lang> (or xml:lang)
	title       string // the <title> element
	metas       []metaTag
	ldjson      []string // JSON-LD script texts
	canonical   string   // <link rel=canonical> href, unresolved
	times       []timeTag
	props       []propTag // microdata itemprops of interest
	bylines     []marked  // elements whose class/id says byline or author
	dates       []marked  // elements whose class/id says date or time
	h1          []heading
	images      []string     // <img> sources, unresolved, at most 8
	authorLinks []authorLink // links to an author's page, or rel=author
	tagLinks    []string     // text of rel=tag links
}

// marked is an element found by its class or id, with the block-level
// element that holds it: its place in the document and its boxes.
type marked struct {
	node  *html.Node
	owner int32
}

// heading is the text of one <h1> and its element.
type heading struct {
	text string
	elem int32
	home bool // the heading is one link to the site's home page: a masthead, not a headline
}

// authorLink is a link that names an author: rel=author, a class that says
// author, or an address of an author's page (/author/jane-doe).
type authorLink struct {
	text  string
	owner int32
	rel   bool // rel=author
}

// Element flags.
const (
	flagBoiler   uint8 = 1 << iota // navigation, share bar, related box...: dropped unless it holds the story
	flagCaption                    // figure caption or photo credit
	flagByline                     // byline or dateline markup
	flagPositive                   // class/id/itemprop says "article body"
	flagHeader                     // page or article header
	flagTitle                      // class says "title"/"headline"
	flagDate                       // class/id suggests a date or timestamp
	flagComment                    // comments: boilerplate however much prose it holds
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

	// Aggregates over the blocks in the subtree, in weighted characters,
	// filled in by content selection.
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

// metaTag is one <meta> with a name or property and a content.
type metaTag struct{ key, value string }

// timeTag is one <time> element.
type timeTag struct {
	datetime, text string
	elem           int32 // innermost block-level element holding it
	itemprop       string
	pubdate        bool // the HTML5 draft's pubdate attribute: the page's own date
}

// propTag is one microdata itemprop.
type propTag struct {
	prop, value string
	elem        int32
	node        *html.Node
}
