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
// Metadata is taken from the most reliable source present, in the order
// JSON-LD, OpenGraph/meta, microdata, <time>, visible text, URL, hints, and
// each field's source is recorded in Article.Provenance. Dates in many
// formats and in English, German, French, Spanish, Italian, Portuguese and
// Dutch month names are parsed with their offsets; dates before 1995 or in
// the future are rejected. A visible dateline is cut before each date label
// ("Updated", "Created", "(updated ..."), so each date is read with its own
// label and an unlabelled one is the published date. The language declared
// by the page is checked against a script and stopword detector. The page
// type weighs article signals (JSON-LD and og:type, dated or slugged URLs)
// against how much link-free prose the story container holds; a page with
// no date from any source, no article markup and little prose (an about or
// contact page) is never an article.
//
// The library reads no clock: Input.Now says when the extraction happens,
// which bounds plausible dates and reads two-digit years.
//
// # Files
//
//   - extract.go: Input, Article and Extract, which runs the steps below in
//     order; parsing with the depth fallback; ContentHash.
//   - decode.go: bytes to UTF-8 (BOM, Content-Type, <meta charset>).
//   - strip.go: cutting <script> and <style> text before parsing.
//   - page.go: the page value the walk returns (elements, blocks, metadata
//     signals, links) and its element and block types.
//   - walk.go: the one walk over the tree, cutting text into blocks.
//   - collect.go: what the walk collects besides text: <head>, <meta>,
//     canonical link, images, <time>, microdata, links.
//   - classify.go: class and id vocabulary, turned into element flags.
//   - text.go: text utilities: whitespace, weighted lengths, the word
//     counter, an element's text.
//   - content.go: main-content selection and the in-story block filter.
//   - render.go: blocks to plain text and to simple HTML.
//   - metadata.go: fills the Article's fields from the page and the
//     selected content, and decides the page type.
//   - jsonld.go, title.go, authors.go, dates.go, lang.go: JSON-LD, headline
//     cleaning, author names, date parsing, language detection.
//   - score/: the benchmark's body-scoring method, used by `newsflow eval`.
package extract
