package extract

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// extractorView renders the tree of b as far as the extractor reads it,
// which prepass must keep: elements with their kept attributes, text with
// adjacent text nodes joined (comments left out), each run of whitespace
// read as one space as the walker and collapse read it, and script and
// style text left out (JSON-LD excepted), whether a <p> or <div> has siblings
// (hasBlockChild asks), and of an svg or math element only whether its
// subtree holds text, links or block elements (homeLinkOnly and
// hasBlockChild walk into it).
// spaceRuns matches the runs of whitespace extractorView reads as one space.
var spaceRuns = regexp.MustCompile(`[ \t\n\f\r]+`)

func extractorView(tb testing.TB, b []byte) string {
	tb.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return "parse: " + err.Error() // too deep: equal errors compare equal
	}
	var sb strings.Builder
	var f func(n *html.Node, depth int)
	f = func(n *html.Node, depth int) {
		indent := strings.Repeat(" ", depth)
		var text strings.Builder
		flush := func() {
			if text.Len() > 0 {
				sb.WriteString(indent + strconv.Quote(spaceRuns.ReplaceAllString(text.String(), " ")) + "\n")
				text.Reset()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				text.WriteString(c.Data)
			case html.ElementNode:
				flush()
				sb.WriteString(indent + "<" + c.Namespace + ":" + c.Data)
				for _, a := range c.Attr {
					if keptAttrs[a.Key] {
						sb.WriteString(" " + a.Namespace + ":" + a.Key + "=" + strconv.Quote(a.Val))
					}
				}
				sb.WriteString(">")
				if c.Namespace == "" && (c.DataAtom == atom.P || c.DataAtom == atom.Div) && (c.PrevSibling != nil || c.NextSibling != nil) {
					sb.WriteString(" siblings")
				}
				sb.WriteString("\n")
				switch {
				case c.Namespace != "" && n.Namespace == "":
					var hasText, hasLink, hasBlock bool
					for d := range c.Descendants() {
						hasText = hasText || d.Type == html.TextNode && strings.TrimSpace(d.Data) != ""
						hasLink = hasLink || d.Type == html.ElementNode && d.DataAtom == atom.A
						hasBlock = hasBlock || d.Type == html.ElementNode && (blockTag(d.DataAtom) || d.DataAtom == atom.Img)
					}
					sb.WriteString(indent + " " + strconv.FormatBool(hasText) + strconv.FormatBool(hasLink) + strconv.FormatBool(hasBlock) + "\n")
				case c.Namespace == "" && (c.DataAtom == atom.Script && !strings.Contains(strings.ToLower(attr(c, "type")), "ld+json") || c.DataAtom == atom.Style):
				default:
					f(c, depth+1)
				}
			}
		}
		flush()
	}
	f(doc, 0)
	return sb.String()
}

func TestPrepass(t *testing.T) {
	tests := []struct{ give, want string }{
		// Script and style text.
		{give: `<p>a<script>var x = "<p>";</script>b`, want: `<p>a<script></script>b`},
		{give: `<style>p{}</style><STYLE media=x>q{}</Style >`, want: `<style></style><STYLE></Style >`},
		{give: `<script type="application/ld+json">{"a":1}</script>`, want: `<script type="application/ld+json">{"a":1}</script>`},
		{give: `<textarea><script>x</script></textarea>`, want: `<textarea><script>x</script></textarea>`},
		{give: `<title><style>x</style></title><p>t`, want: `<title><style>x</style></title><p>t`},
		// What the scan does not model stops it.
		{give: `<script><!--<script>x</script>--></script><style>y</style>`, want: `<script><!--<script>x</script>--></script><style>y</style>`},
		{give: `<plaintext><script>x</script>`, want: `<plaintext><script>x</script>`},
		{give: `<script>unterminated`, want: `<script>unterminated`},
		{give: `<div class="a`, want: `<div class="a`},
		{give: `<p data-x=1><div class="a`, want: `<p><div class="a`},
		// End tags need a delimiter; the first one that has it ends the text.
		{give: `<script>a</scriptx>b</script >c`, want: `<script></script >c`},

		// Attributes: quoted values with '>' and '<', unquoted values,
		// uppercase keys, duplicates, self-closing tags.
		{give: `<p class=a data-x="1>2" id=b>x</p>`, want: `<p class=a id=b>x</p>`},
		{give: `<div title='<script>x</script>' CLASS="c"><script>y</script>`, want: `<div CLASS="c"><script></script>`},
		{give: `<p a='x>y' b=c/><script>z</script>`, want: `<p><script></script>`},
		{give: `<img data-a=1 src=a.jpg alt="x" loading=lazy/>`, want: `<img src=a.jpg>`},
		// A '/' that ends an unquoted value does not make the tag
		// self-closing; one after a space or a quoted value does.
		{give: `<math x=0/>0</math>`, want: `<math>0</math>`},
		{give: `<svg x="0"/>0<p data-a=1 class=b/><p data-a=1 class=b />`, want: `<svg/>0<p class=b/><p class=b />`},
		{give: `<svg><g x=0/><path/></g><g>t</g></svg>x`, want: `<svg>t</svg>x`},
		{give: `<img src=a/ data-x>`, want: `<img src=a/>`},
		{give: `<p ID = "a" Class=b data-id=c class="d">`, want: `<p ID = "a" Class=b class="d">`},
		{give: `<p data-a="1"class="x"/data-b>`, want: `<p class="x">`},
		{give: `<p data-a="1"class=x/data-b>`, want: `<p class=x/data-b>`},
		{give: `<A 0 Content= >`, want: `<A Content data-prepass=7fc2807b4bd3d5d>`},
		{give: `<meta charset=utf-8 data-x><input type=hidden value=1>`, want: `<meta charset=utf-8><input type=hidden>`},
		{give: `<p class="a" id="b">kept as it is</p>`, want: `<p class="a" id="b">kept as it is</p>`},
		// Formatting elements keep all; <a> gets a hash of what it loses.
		{give: `<b data-x=1>x</b><font color=red size=2>y</font>`, want: `<b data-x=1>x</b><font color=red size=2>y</font>`},
		// The same attributes, in another order or case or escaped, give
		// the same hash.
		{give: `<a href="/x" title="T" data-a='1'>l</a>`, want: `<a href="/x" data-prepass=207e0261661c7f5d>l</a>`},
		{give: `<a data-a='1' TITLE=T href="/x">l</a>`, want: `<a href="/x" data-prepass=207e0261661c7f5d>l</a>`},
		{give: `<a href="/x" title="T">l</a>`, want: `<a href="/x" data-prepass=e53e3340f6f9504d>l</a>`},
		{give: `<a href="/x" title="&#84;">l</a>`, want: `<a href="/x" data-prepass=e53e3340f6f9504d>l</a>`},
		{give: `<a href="/x" title="U">l</a>`, want: `<a href="/x" data-prepass=e53e3240f6f94e9a>l</a>`},

		// Comments: removed unless the comment node could matter.
		{give: "<p>a\n<!-- c -->\nb", want: "<p>a\n<!---->\nb"},
		{give: "<div>\n<!-- c -->\n<p>", want: "<div>\n\n<p>"},
		{give: "<div>x<!-- c --><p>", want: "<div>x<p>"},
		{give: "<div><!-- c -->x", want: "<div>x"},
		{give: "<div><!-- c --><p>", want: "<div><!----><p>"},
		{give: "<pre><!-- c -->\nx</pre>", want: "<pre><!---->\nx</pre>"},
		{give: "<table> <!-- c -->x", want: "<table> <!---->x"},
		{give: "<p>\r<!-- c -->\n", want: "<p>\r<!---->\n"},
		{give: "a<!--1--><!--2-->b", want: "a<!---->b"},
		{give: `<!--->x<script>y</script>`, want: `x<script></script>`},
		{give: `<!-- a --!><script>y</script>`, want: `<!----><script></script>`},
		{give: `<!-- <script>x</script> --><p>t`, want: `<!----><p>t`},
		{give: "<p>a<!-- x", want: "<p>a<!-- x"},
		{give: `<p title="<!-- x -->">a</p>`, want: `<p>a</p>`},

		// Whitespace between tags: cut to its first byte, but not after
		// <pre> or <listing> (the parser drops a newline there), nor when
		// text is in it, nor in raw text or foreign content (whose
		// whitespace foreignContent removes on its own).
		{give: "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\r\n\t<p>", want: "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\r<p>"},
		{give: "<table>\n  <tr>\f\f<td>x</td> </tr></table>", want: "<table>\n<tr>\f<td>x</td> </tr></table>"},
		{give: "<pre>\n\n<b>x</b>\n\n</pre><listing>\n\n</listing>", want: "<pre>\n\n<b>x</b>\n</pre><listing>\n\n</listing>"},
		{give: "<p>a  <b>b</b>  c</p>\n\n", want: "<p>a  <b>b</b>  c</p>\n\n"},
		{give: "<p>\n  <!-- c -->\n  <p>", want: "<p>\n  \n<p>"},
		{give: "<textarea>\n  <b>\n  </textarea>  <title>  </title>", want: "<textarea>\n  <b>\n  </textarea> <title>  </title>"},
		{give: "<svg><g>  <g>  </g></g>  </svg>  <p>", want: "<svg></svg>  <p>"},
		{give: "<math>  <mi>x</mi>  </math>", want: "<math><mi>x</mi></math>"},

		// svg and math: the content goes when the scan follows all of it.
		{give: `<svg viewBox="0 0 1 1" class=i><path d="M0 0"/><g><circle r=1></circle></g></svg>x`, want: `<svg class=i></svg>x`},
		{give: `<svg><title>Fb</title><path/></svg>`, want: `<svg><title>Fb</title></svg>`},
		{give: `<svg><g><path></g>text<g>more</svg>after`, want: `<svg>text<!---->more</svg>after`},
		{give: `<svg><svg><g/></svg></svg><script>x</script>`, want: `<svg></svg><script></script>`},
		{give: `<svg/><script>x</script>`, want: `<svg/><script></script>`},
		{give: `<math><mi>x</mi><mo>=</mo></math>`, want: `<math><mi>x</mi><mo>=</mo></math>`},
		{give: `<svg><style>x</style></svg><style>y</style>`, want: `<svg>x</svg><style></style>`},
		// Kept as they are: breakouts, links, integration points with
		// markup, end tags for the HTML rules, unclosed elements.
		{give: `<svg><path/><div>x</div></svg><script>y</script>`, want: `<svg><path/><div>x</div></svg><script></script>`},
		{give: `<svg><a href="/"><text>x</text></a></svg>`, want: `<svg><a href="/"><text>x</text></a></svg>`},
		{give: `<svg><foreignObject><p>x</p></foreignObject></svg>`, want: `<svg><foreignObject><p>x</p></foreignObject></svg>`},
		{give: `<svg><title><b>x</b></title></svg>`, want: `<svg><title><b>x</b></title></svg>`},
		{give: `<div><svg><g></div>x`, want: `<div><svg><g></div>x`},
		{give: `<svg><path data-x=1><script>y</script>`, want: `<svg><path data-x=1><script>y</script>`},
		{give: `<svg><![CDATA[x]]></svg>`, want: `<svg><![CDATA[x]]></svg>`},
		{give: `<select><svg><path/></svg></select>`, want: `<select><svg><path/></svg></select>`},
		{give: `<svg><section>x</section></svg>`, want: `<svg><section>x</section></svg>`},
		{give: ``, want: ``},
	}
	for _, tt := range tests {
		if got := string(prepass([]byte(tt.give))); got != tt.want {
			t.Errorf("prepass(%q) = %#q, want %#q", tt.give, got, tt.want)
		}
		if a, b := extractorView(t, []byte(tt.give)), extractorView(t, prepass([]byte(tt.give))); a != b {
			t.Errorf("prepass(%q) changes the tree:\n%s\n%s", tt.give, a, b)
		}
	}
}

// TestPrepassKeepsTree checks on real pages that the tree is the same,
// as far as the extractor reads it, with and without the pre-pass.
func TestPrepassKeepsTree(t *testing.T) {
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
		if a, s := extractorView(t, b), extractorView(t, prepass(b)); a != s {
			t.Errorf("page %d: the tree changes with the pre-pass", i)
		}
	}
}

// TestKeptAttrsCoverReads fails when the extractor reads an attribute that
// prepass drops: it finds in the package's source every attr(n, "key"),
// hasAttr(n, "key"), .Attr("key"), case "key" in a switch on a.Key, and
// [key...] in goquery selectors passed to Find, and checks each key is in
// keptAttrs.
func TestKeptAttrsCoverReads(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	selector := regexp.MustCompile(`\[([a-zA-Z_:][-a-zA-Z0-9_:.]*)`)
	read := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		lit := func(e ast.Expr) (string, bool) {
			if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				s, err := strconv.Unquote(bl.Value)
				return s, err == nil
			}
			return "", false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					if (fn.Name == "attr" || fn.Name == "hasAttr") && len(n.Args) == 2 {
						if k, ok := lit(n.Args[1]); ok {
							read[k] = fset.Position(n.Pos()).String()
						} else {
							t.Errorf("%s: %s with a key that is not a literal", fset.Position(n.Pos()), fn.Name)
						}
					}
				case *ast.SelectorExpr:
					if fn.Sel.Name == "Attr" && len(n.Args) == 1 {
						if k, ok := lit(n.Args[0]); ok {
							read[k] = fset.Position(n.Pos()).String()
						}
					}
					if (fn.Sel.Name == "Find" || fn.Sel.Name == "Filter" || fn.Sel.Name == "Is") && len(n.Args) == 1 {
						if s, ok := lit(n.Args[0]); ok {
							for _, m := range selector.FindAllStringSubmatch(s, -1) {
								read[m[1]] = fset.Position(n.Pos()).String()
							}
						}
					}
				}
			case *ast.SwitchStmt:
				if sel, ok := n.Tag.(*ast.SelectorExpr); ok && sel.Sel.Name == "Key" {
					for _, s := range n.Body.List {
						for _, e := range s.(*ast.CaseClause).List {
							if k, ok := lit(e); ok {
								read[k] = fset.Position(e.Pos()).String()
							}
						}
					}
				}
			}
			return true
		})
	}
	if len(read) < 15 {
		t.Fatalf("found only %d keys read: the scan is broken", len(read))
	}
	for k, pos := range read {
		if !keptAttrs[k] {
			t.Errorf("%s reads attribute %q, which prepass drops: add it to keptAttrs", pos, k)
		}
	}
}
