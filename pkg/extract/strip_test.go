package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// treeWithoutRawText renders the tree of b with the text of script and
// style elements left out, JSON-LD excepted: what stripRawText must keep.
func treeWithoutRawText(tb testing.TB, b []byte) string {
	tb.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return "parse: " + err.Error() // too deep: equal errors compare equal
	}
	var drop func(*html.Node)
	drop = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Namespace == "" && (n.DataAtom == atom.Script && !strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") || n.DataAtom == atom.Style) {
			for c := n.FirstChild; c != nil; {
				next := c.NextSibling
				n.RemoveChild(c)
				c = next
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			drop(c)
		}
	}
	drop(doc)
	var sb strings.Builder
	if err := html.Render(&sb, doc); err != nil {
		return "render: " + err.Error()
	}
	return sb.String()
}

func TestStripRawText(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: `<p>a<script>var x = "<p>";</script>b`, want: `<p>a<script></script>b`},
		{give: `<style>p{}</style><STYLE media=x>q{}</Style >`, want: `<style></style><STYLE media=x></Style >`},
		{give: `<script type="application/ld+json">{"a":1}</script>`, want: `<script type="application/ld+json">{"a":1}</script>`},
		// Not tags in data state: left alone.
		{give: `<!-- <script>x</script> --><p>t`, want: `<!-- <script>x</script> --><p>t`},
		{give: `<a title="<script>">x</a><script>y</script>`, want: `<a title="<script>">x</a><script></script>`},
		{give: `<textarea><script>x</script></textarea>`, want: `<textarea><script>x</script></textarea>`},
		{give: `<title><style>x</style></title><p>t`, want: `<title><style>x</style></title><p>t`},
		{give: `<svg><style>x</style></svg><style>y</style>`, want: `<svg><style>x</style></svg><style></style>`},
		// What the scan does not model stops it.
		{give: `<script><!--<script>x</script>--></script><style>y</style>`, want: `<script><!--<script>x</script>--></script><style>y</style>`},
		{give: `<plaintext><script>x</script>`, want: `<plaintext><script>x</script>`},
		{give: `<script>unterminated`, want: `<script>unterminated`},
		{give: `<div class="a`, want: `<div class="a`},
		// End tags need a delimiter; the first one that has it ends the text.
		{give: `<script>a</scriptx>b</script >c`, want: `<script></script >c`},
		{give: `<!--->x<script>y</script>`, want: `<!--->x<script></script>`},
		{give: `<!-- a --!><script>y</script>`, want: `<!-- a --!><script></script>`},
		{give: `<p a='x>y' b=c/><script>z</script>`, want: `<p a='x>y' b=c/><script></script>`},
		{give: ``, want: ``},
	}
	for _, tt := range tests {
		if got := string(stripRawText([]byte(tt.give))); got != tt.want {
			t.Errorf("stripRawText(%q) = %q, want %q", tt.give, got, tt.want)
		}
		if a, b := treeWithoutRawText(t, []byte(tt.give)), treeWithoutRawText(t, stripRawText([]byte(tt.give))); a != b {
			t.Errorf("stripRawText(%q) changes the tree:\n%s\n%s", tt.give, a, b)
		}
	}
}

// TestStripRawTextKeepsTree checks on real pages that the parsed tree is
// the same with and without the script and style text.
func TestStripRawTextKeepsTree(t *testing.T) {
	var pages [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, b)
	}
	if !testing.Short() {
		for _, p := range loadDevSetOptional(t) {
			pages = append(pages, p.body)
		}
	}
	for i, b := range pages {
		stripped := stripRawText(b)
		if a, s := treeWithoutRawText(t, b), treeWithoutRawText(t, stripped); a != s {
			t.Errorf("page %d: tree changes when raw text is stripped", i)
		}
	}
}
