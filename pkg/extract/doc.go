// Package extract turns one HTML news page into a structured article and
// the page's outgoing links. It depends on golang.org/x/net/html, goquery
// (for scoped look-ups inside small subtrees, never whole-page selector
// scans) and golang.org/x/text for charsets; it has
// no NATS, no logging and no mutable globals, so any service or tool can
// call Extract directly.
//
// # Algorithm
//
// Decoding: a byte-order mark wins; bytes that validate as UTF-8 and hold
// non-ASCII text are taken as UTF-8 whatever the page declares (wrong
// declarations are common, accidental UTF-8 validity of legacy text is
// not); otherwise the Content-Type charset, then <meta charset> in the first
// 64 KiB, then windows-1252.
//
// Parsing: the text of <script> and <style> elements (JSON-LD excepted) is
// cut out first by a scan that steps over comments, tags and other raw
// text exactly as the HTML tokenizer does, and stops cutting at anything it
// does not model; nothing reads that text, and it is half the bytes of a
// typical news page. The page is then parsed once with html.Parse. If the
// parser refuses a page for nesting deeper than it allows, the tags beyond
// a depth limit are dropped and the page parsed again, so hostile DOMs cost
// bounded time.
//
// One walk over the tree does everything else that needs the tree:
//   - it splits the text into blocks (paragraphs, headings, list items,
//     table rows, <br><br>-separated runs), each tied to its innermost
//     block-level element and counting its characters and link characters
//     (ideographic and Hangul characters weigh more, as one carries about a
//     word);
//   - it records each block-level element with flags taken from its tag,
//     role, hidden state and class/id (navigation, share bars, related and
//     "trending" boxes, newsletters, comments, captions, bylines, headers),
//     found with one scan per distinct class string over a table of general
//     web vocabulary;
//   - it collects metadata as it passes: <meta>, <link rel=canonical>,
//     JSON-LD scripts, microdata itemprops, <time> elements, byline and
//     date boxes, images, and every link (resolved, fragment removed,
//     deduplicated).
//
// Content selection follows Readability's scoring: each block of 25+
// characters adds 1 + commas + length/100 to its parent, half to its
// grandparent and less further up; containers start with a tag bonus and a
// class weight, and their score is scaled by one minus their link density.
// Boilerplate boxes cannot be candidates unless they wrap the marked story
// (an <article>, <main>, itemprop=articleBody or an article-body class) or
// hold a third of the page's prose (comments never qualify). The best
// candidate is widened to a common ancestor when several strong candidates
// share one, and to siblings that score well or read as prose. If that
// finds next to nothing, the selection is re-run ignoring boilerplate marks.
//
// Inside the chosen container the blocks of boilerplate boxes, figures and
// captions, link-dense blocks and lists, bylines and datelines (but not a
// block quote's own attribution), the <h1> title, stock phrases
// ("Advertisement", "Read more", in several languages), captions ending in
// a photo credit, gallery counters, summaries repeated by the first
// paragraph, and trailing headings and sign-off lines (follow us, contact
// the author, newsletter sign-up) are dropped. What remains is rendered as plain text and as simple HTML.
//
// Metadata is read from everything the page states about itself, and each
// field's source is recorded in Article.Provenance. Where a statement sits
// matters: a layout places every element at the head of the story (from
// the headline to its third block), further down the story, elsewhere, or
// in a box that speaks of other pages (related stories, navigation,
// comments, the page footer), and the date and author rules never read
// boxes.
//
//   - Title: the JSON-LD headline, og:title, twitter:title, microdata,
//     <title> and the <h1> over the story are cleaned of the site name and
//     section (any separator, either side); the most trusted statement
//     that another agrees with, or that the others only word differently,
//     is the headline; one that says something else gives way to the
//     headline the others agree on.
//   - Dates: a ranked candidate search over JSON-LD, the meta keys of news
//     CMSs, microdata, <time> elements, date and byline boxes and the lines
//     at the head of the story, the URL, labelled lines, and last the
//     latest date the story prints. Free-text dates are read in numeric and
//     month-name forms of every language the extractor detects. Labels
//     ("Updated", "Aktualisiert", "Mis à jour"...) tell the modified date
//     from the published one; dates before 1995 or after Input.Now are
//     rejected.
//   - Authors: JSON-LD, author meta tags and microdata first, then the
//     byline printed with the story (rel=author, links to author pages,
//     byline boxes, "By ..." lines in the extractor's languages), cut into
//     names with roles, credentials, dates, agencies and handles split
//     off; organisations only when no person is named.
//   - Language: the page's declaration, checked against a script and
//     stopword detector.
//   - Page type: a dated headline over a prose block is an article whatever
//     the template around it; otherwise article signals (JSON-LD and
//     og:type, a date, dated or slugged URLs) are weighed against how much
//     link-free prose the story container holds. The reason is
//     Article.PageTypeReason.
//
// The library reads no clock: Input.Now says when the extraction happens,
// which bounds plausible dates and reads two-digit years.
//
// # Files
//
//   - extract.go: Input, Article and Extract, which runs the steps below in
//     order; parsing with the depth fallback; ContentHash.
//   - decode.go: bytes to UTF-8 (BOM, Content-Type, <meta charset>).
//   - strip.go: the pre-pass before parsing: cutting <script> and <style>
//     text, attributes nothing reads, comments and plain svg/math content,
//     into an output buffer reused from page to page.
//   - page.go: the page value the walk returns (elements, blocks, metadata
//     signals, links) and its element and block types.
//   - walk.go: the one walk over the tree, cutting text into blocks; its
//     element and block slices are reused from page to page (page.release).
//   - collect.go: what the walk collects besides text: <head>, <meta>,
//     canonical link, images, <time>, microdata, links.
//   - classify.go: class and id vocabulary, turned into element flags.
//   - text.go: text utilities: whitespace, weighted lengths, the word
//     counter, an element's text.
//   - content.go: main-content selection and the in-story block filter.
//   - render.go: blocks to plain text and to simple HTML.
//   - metadata.go: fills the Article's fields from the page and the
//     selected content, in order.
//   - layout.go: where elements lie around the story (head, story,
//     elsewhere, boxed).
//   - jsonld.go: JSON-LD scripts and the story's object in them.
//   - title.go: the headline from the title's statements.
//   - datepick.go: the ranked search for the published and modified dates.
//   - dates.go: reading one date, machine or free text, in many languages.
//   - authors.go: bylines and author statements, cut into names.
//   - pagetype.go: article, section, listing or home, and why.
//   - lang.go: language detection.
//   - score/: the benchmark's body-scoring method, used by `newsflow eval`.
package extract
