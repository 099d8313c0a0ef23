package extract

import (
	"bytes"
	"strconv"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// keptAttrs are the attribute keys the pre-pass keeps on elements: every key
// the extractor reads (attr, hasAttr and the switch in walker.visit, the
// goquery selectors and Attr calls in collect.go) and every key html.Parse
// itself consults (type on <input>, encoding on <annotation-xml>; color,
// face and size on <font> are kept with all of font's attributes). It must
// follow the extractor's reads: TestKeptAttrsCoverReads fails when the
// package's source reads a key that is not here.
var keptAttrs = map[string]bool{
	"class": true, "id": true, "role": true, "itemprop": true, "hidden": true, "aria-hidden": true,
	"style": true, "type": true, "property": true, "name": true, "http-equiv": true, "content": true,
	"charset": true, "rel": true, "href": true, "src": true, "data-src": true, "width": true,
	"datetime": true, "pubdate": true, "lang": true, "xml:lang": true, "encoding": true,
}

// prepass returns the page rewritten so that html.Parse does less work and
// builds the same tree as far as the extractor reads it:
//
//   - the text of <script> and <style> elements is removed, JSON-LD scripts
//     excepted; the elements themselves stay;
//   - attributes whose key is not in keptAttrs are removed from start tags
//     (see filterTag for the formatting elements, whose attributes the
//     parser compares);
//   - comments are removed, or shortened to "<!---->" where the comment
//     node could matter (see comment);
//   - the content of <svg> and <math> elements is removed when it is plain
//     foreign content, which the walker never enters (see foreignContent);
//   - a run of whitespace between two tags is cut to its first byte (see
//     collapseSpace): the walker reads any whitespace as one space, and the
//     parser decides nothing on how much of it there is.
//
// b is returned unchanged when there is nothing to rewrite. It is one scan
// over the bytes, no tokenizer.
//
// The scan follows the tokenizer of golang.org/x/net/html (the WHATWG
// tokenizer states that matter here): comments, doctypes, tags and their
// quoted attribute values, and the raw text of textarea, title, xmp,
// iframe, noembed, noframes and noscript are skipped exactly as the
// tokenizer skips them, so a "<script" inside any of those is left alone.
// Inside <svg> and <math> whose content is not plain, where script and
// style are not raw text, it changes nothing until the element ends; after
// anything it does not model (<plaintext>, an unterminated tag, a script
// with "<!--" in it), it stops and keeps the rest as it is.
func prepass(b []byte) []byte {
	out, _ := prepassInto(nil, b)
	return out
}

// prepassInto is prepass writing the rewritten page into dst's memory
// when it is large enough; rewritten is false when b itself is returned.
func prepassInto(dst, b []byte) (out []byte, rewritten bool) {
	s := prepasser{b: b, dst: dst, attrs: make([]attrSpan, 0, 16)}
	s.run()
	if s.out == nil {
		return b, false
	}
	return append(s.out, b[s.last:]...), true
}

// prepassBufs holds output buffers of the pre-pass for reuse (*[]byte):
// html.Parse copies what it keeps of its input (the tokenizer reads it
// into a buffer of its own and makes strings of the tokens), so the
// buffer is free again once the page is parsed.
var prepassBufs sync.Pool

// maxPrepassBuf is the largest buffer prepassBufs keeps: a rare page
// longer than that is left to the collector rather than held.
const maxPrepassBuf = 2 << 20

// prepassParse parses the page rewritten by the pre-pass, into a buffer
// that is reused from page to page.
func prepassParse(b []byte) (*html.Node, error) {
	bp, _ := prepassBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	out, rewritten := prepassInto(*bp, b)
	doc, err := parseHTML(out)
	if rewritten && cap(out) <= maxPrepassBuf {
		// out is the pooled buffer, or the one made in its place.
		*bp = out[:0]
	}
	prepassBufs.Put(bp)
	return doc, err
}

type prepasser struct {
	b      []byte
	dst    []byte // memory for out, when large enough
	out    []byte
	last   int // b[:last] is decided: copied to out, or all of it kept if out is nil
	attrs  []attrSpan
	fattrs []attrSpan // attributes of a tag inside foreign content
	keep   [][2]int   // spans of foreign content kept by foreignContent

	// Text since the last token kept in the output, for comment.
	prevEnd                    int  // end of the last token read
	text, textNonSpace, textCR bool // the parser makes a text node of it; some is not whitespace; it ends with '\r'
	afterPre                   bool // the last token kept is a <pre> or <listing> start tag
	afterTag                   bool // the last token kept is a start or end tag in HTML content

	selects  int  // <select> start tags not yet ended (in select, <svg> is not foreign)
	frameset bool // a <frameset> was seen
}

// replace writes repl in place of b[from:to].
func (s *prepasser) replace(from, to int, repl []byte) {
	if s.out == nil {
		s.out = s.dst[:0]
		if cap(s.out) < len(s.b) {
			s.out = make([]byte, 0, len(s.b))
		}
	}
	s.out = append(s.out, s.b[s.last:from]...)
	s.out = append(s.out, repl...)
	s.last = to
}

// textTo records the text between the last token and a token at p.
func (s *prepasser) textTo(p int) {
	if p <= s.prevEnd {
		return
	}
	t := s.b[s.prevEnd:p]
	s.textCR = t[len(t)-1] == '\r'
	for _, c := range t {
		if !isTagSpace(c) {
			s.textNonSpace = true
			break
		}
	}
	if !s.text {
		s.text = solidText(t, s.afterPre)
	}
}

// solidText reports whether the parser makes a text node of t (in HTML
// content): it drops NULs, and a newline right after <pre> or <listing>.
func solidText(t []byte, afterPre bool) bool {
	if afterPre {
		t = bytes.TrimPrefix(t, []byte("\r"))
		t = bytes.TrimPrefix(t, []byte("\n"))
	}
	for _, c := range t {
		if c != 0 {
			return true
		}
	}
	return false
}

// kept records a token kept in the output, ending at end.
func (s *prepasser) kept(end int) {
	s.prevEnd = end
	s.text, s.textNonSpace, s.textCR, s.afterPre, s.afterTag = false, false, false, false, false
}

// keptTag records a start or end tag in HTML content kept in the output,
// ending at end.
func (s *prepasser) keptTag(end int) {
	s.kept(end)
	s.afterTag = true
}

// collapseSpace cuts to its first byte the text before a start or end tag
// at p when that text is whitespace alone and follows another tag: a page's
// indentation between its elements. The parser makes the same whitespace
// text node of one byte as of many (whitespace is whitespace to every
// insertion mode), except for the newline it drops right after <pre> and
// <listing>, which is left alone. The walker and textOf's readers collapse
// whitespace, so the extractor reads the same; the tokenizer and the tree
// carry fewer bytes.
func (s *prepasser) collapseSpace(p int) {
	if !s.afterTag || s.afterPre || p-s.prevEnd < 2 {
		return
	}
	for _, c := range s.b[s.prevEnd:p] {
		if !isTagSpace(c) {
			return
		}
	}
	s.replace(s.prevEnd+1, p, nil)
}

func (s *prepasser) run() {
	b := s.b
	foreign := 0 // depth of <svg> and <math> left as they are
	i := 0
scan:
	for {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 || i+j+1 >= len(b) {
			break
		}
		i += j
		c := b[i+1]
		switch {
		case isLetter(c):
			end, name, ok := s.scanTag(i + 1)
			if !ok {
				break scan
			}
			if tagIs(name, "select") {
				s.selects++
			} else if tagIs(name, "frameset") {
				s.frameset = true
			}
			if foreign > 0 {
				if (tagIs(name, "svg") || tagIs(name, "math")) && !selfClosing(b, end, s.attrs) {
					foreign++
				}
				s.kept(end)
				i = end
				continue
			}
			s.collapseSpace(i)
			s.filterTag(i, end, name)
			s.keptTag(end)
			switch {
			case tagIs(name, "svg"), tagIs(name, "math"):
				i = end
				if selfClosing(b, end, s.attrs) { // no content
					continue
				}
				if s.selects == 0 && !s.frameset {
					if q := s.foreignContent(end, name); q > 0 {
						s.kept(q)
						i = q
						continue
					}
				}
				foreign = 1
			case tagIs(name, "script"):
				q, clean := scriptEnd(b, end)
				if q < 0 || !clean {
					break scan
				}
				if q > end && !containsFold(b[i:end], "ld+json") {
					s.replace(end, q, nil)
				}
				s.prevEnd = q
				i = q
			case tagIs(name, "style"):
				q := rawTextEnd(b, end, "style")
				if q < 0 {
					break scan
				}
				if q > end {
					s.replace(end, q, nil)
				}
				s.prevEnd = q
				i = q
			case tagIs(name, "textarea"), tagIs(name, "title"), tagIs(name, "xmp"), tagIs(name, "iframe"),
				tagIs(name, "noembed"), tagIs(name, "noframes"), tagIs(name, "noscript"):
				q := rawTextEnd(b, end, string(bytes.ToLower(name)))
				if q < 0 {
					break scan
				}
				s.prevEnd = q
				i = q
			case tagIs(name, "plaintext"):
				break scan
			default:
				s.afterPre = tagIs(name, "pre") || tagIs(name, "listing")
				i = end
			}
		case c == '/':
			switch {
			case i+2 >= len(b):
				break scan
			case b[i+2] == '>':
				s.kept(i + 3)
				i += 3
			case isLetter(b[i+2]):
				end, name, ok := scanTag(b, i+2)
				if !ok {
					break scan
				}
				if foreign > 0 {
					if tagIs(name, "svg") || tagIs(name, "math") {
						foreign--
					}
					s.kept(end)
				} else {
					s.collapseSpace(i)
					s.keptTag(end)
				}
				if tagIs(name, "select") && s.selects > 0 {
					s.selects--
				}
				i = end
			default: // a bogus comment, up to the next '>'
				k := bytes.IndexByte(b[i+2:], '>')
				if k < 0 {
					break scan
				}
				s.kept(i + 2 + k + 1)
				i += 2 + k + 1
			}
		case c == '!':
			switch {
			case bytes.HasPrefix(b[i+2:], []byte("--")):
				end := commentEnd(b, i+4)
				if end < 0 {
					break scan
				}
				if foreign > 0 {
					s.kept(end)
				} else {
					s.textTo(i) // only comments read the text before them
					s.comment(i, end)
				}
				i = end
			case foreign > 0 && bytes.HasPrefix(b[i+2:], []byte("[CDATA[")):
				k := bytes.Index(b[i+9:], []byte("]]>"))
				if k < 0 {
					break scan
				}
				s.kept(i + 9 + k + 3)
				i += 9 + k + 3
			default: // doctype or bogus comment, up to the next '>'
				k := bytes.IndexByte(b[i+2:], '>')
				if k < 0 {
					break scan
				}
				s.kept(i + 2 + k + 1)
				i += 2 + k + 1
			}
		case c == '?':
			k := bytes.IndexByte(b[i+2:], '>')
			if k < 0 {
				break scan
			}
			s.kept(i + 2 + k + 1)
			i += 2 + k + 1
		default: // a '<' that starts no tag is text
			i++
		}
	}
}

// comment removes the comment b[from:to], or shortens it to "<!---->".
// Nothing in the extractor reads a comment node, but its presence can
// matter: it splits the text around it into two tokens (the parser puts
// whitespace and other text in different places in a table, and drops a
// newline at the start of a <pre> only when nothing precedes it), and it is
// a sibling (hasBlockChild asks whether a <p> is alone in its cell). So the
// comment goes only when removing it changes neither: text on one side
// only, or whitespace on both sides; otherwise an empty comment stays.
func (s *prepasser) comment(from, to int) {
	b := s.b
	// The text after the comment runs to the next token.
	next := to
	for {
		k := bytes.IndexByte(b[next:], '<')
		if k < 0 {
			next = len(b)
			break
		}
		next += k
		// The tokenizer ends the text at a '<' followed by any of these,
		// whatever comes next.
		if next+1 < len(b) {
			if c := b[next+1]; c == '!' || c == '?' || c == '/' || isLetter(c) {
				break
			}
		}
		next++
	}
	after := b[to:next]
	afterText := solidText(after, s.afterPre && !s.text)
	drop := false
	switch {
	case !s.text && !afterText: // the comment may be the only thing beside an element
	case !s.text:
		drop = !s.afterPre || after[0] != '\n' && after[0] != '\r'
	case !afterText:
		drop = true
	default: // text on both sides runs together
		drop = !s.textNonSpace && !(s.textCR && after[0] == '\n')
		for _, c := range after {
			if !isTagSpace(c) {
				drop = false
				break
			}
		}
	}
	if drop {
		s.replace(from, to, nil)
		s.prevEnd = to // the text before and after now run together
		return
	}
	if to-from > len("<!---->") {
		s.replace(from, to, []byte("<!---->"))
	}
	s.kept(to)
}

// formatting reports whether name (lower-cased) is one of the elements
// other than <a> on the parser's list of active formatting elements. The
// parser compares their attributes (the Noah's Ark clause), so they keep
// them all; there are few.
func formatting(name []byte) bool {
	switch string(name) {
	case "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u":
		return true
	}
	return false
}

// hashAttr is the attribute that stands for the attributes removed from an
// <a>: see filterTag.
const hashAttr = "data-prepass"

// lowerName writes name lower-cased (ASCII, as the tokenizer does) into buf
// and returns it; ok is false when name is longer than buf.
func lowerName(buf []byte, name []byte) (_ []byte, ok bool) {
	if len(name) > len(buf) {
		return nil, false
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(name)], true
}

// filterTag removes from the start tag b[from:end] the attributes whose
// key is not in keptAttrs (s.attrs holds them, from scanTag). The tag is
// written again as "<name", the kept attributes each after a space and
// copied as they are (key, '=' and value), and "/>" when the tag ended with
// '/' (which makes it self-closing, whatever it belonged to), else ">".
//
// The parser compares the attributes of formatting elements: a fourth
// identical <b> drops the first from the list of active formatting
// elements. Dropping attributes could make different elements identical,
// so formatting elements keep theirs; <a> elements, which hold many, have
// the removed ones replaced by one attribute (hashAttr) whose value is a
// hash of them, as the tokenizer gives them (key lower-cased, value
// unescaped), independent of their order: two <a> are identical after the
// pass when they were before, as far as a 64-bit hash tells.
func (s *prepasser) filterTag(from, end int, name []byte) {
	if len(s.attrs) == 0 {
		return
	}
	var buf [24]byte
	lname, ok := lowerName(buf[:], name)
	isA := ok && string(lname) == "a"
	if ok && formatting(lname) {
		return
	}
	drop := 0
	for i := range s.attrs {
		a := &s.attrs[i]
		a.kept = s.keepAttr(*a)
		if !a.kept {
			drop++
		}
	}
	if drop == 0 {
		return
	}
	s.replace(from, from, nil) // out holds everything before the tag
	out := append(s.out, s.b[from:from+1+len(name)]...)
	var sum uint64
	for _, a := range s.attrs {
		if a.kept {
			out = append(out, ' ')
			out = append(out, s.b[a.key:a.end]...)
		} else if isA {
			sum += s.attrHash(a)
		}
	}
	if isA {
		out = append(out, " "+hashAttr+"="...)
		out = strconv.AppendUint(out, sum, 16)
	}
	if selfClosing(s.b, end, s.attrs) {
		if len(s.attrs) > drop || isA {
			out = append(out, ' ')
		}
		out = append(out, '/')
	}
	s.out = append(out, '>')
	s.last = end
}

// keptByLen holds the keys of keptAttrs by length, which is faster to look
// a key up in than the map (the pre-pass does it for every attribute).
var keptByLen = func() (t [32][]string) {
	for k := range keptAttrs {
		if len(k) >= len(t) {
			panic("keptAttrs: key too long for keptByLen: " + k)
		}
		t[len(k)] = append(t[len(k)], k)
	}
	return t
}()

func (s *prepasser) keepAttr(a attrSpan) bool {
	key := s.b[a.key:a.keyEnd]
	if len(key) >= len(keptByLen) {
		return false
	}
	for _, k := range keptByLen[len(key)] {
		if foldEqualString(key, k) {
			return true
		}
	}
	return false
}

// foldEqualString reports whether b lower-cased (ASCII) is lower.
func foldEqualString(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// attrHash hashes an attribute as the tokenizer gives it (FNV-1a of the
// lower-cased key, a zero byte and the unescaped value).
func (s *prepasser) attrHash(a attrSpan) uint64 {
	h := uint64(fnvOffset)
	for _, c := range s.b[a.key:a.keyEnd] {
		if c == 0 {
			return s.attrHashSlow(a)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	h *= fnvPrime // the zero byte
	for _, c := range s.b[a.val:a.valEnd] {
		if c == '&' || c == 0 || c == '\r' {
			return s.attrHashSlow(a)
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// attrHashSlow is attrHash for attributes with entities, NULs or carriage
// returns, which it lets the tokenizer read.
func (s *prepasser) attrHashSlow(a attrSpan) uint64 {
	raw := append(append([]byte("<a "), s.b[a.key:a.end]...), " >"...)
	z := html.NewTokenizer(bytes.NewReader(raw))
	z.Next()
	key, val, _ := z.TagAttr()
	h := uint64(fnvOffset)
	for _, c := range key {
		h = (h ^ uint64(c)) * fnvPrime
	}
	h *= fnvPrime
	for _, c := range val {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// maxForeignDepth bounds the nesting foreignContent follows.
const maxForeignDepth = 32

// foreignAbort are the start tags that make foreignContent keep an <svg> or
// <math> as it is: those that end foreign content (the parser's breakout
// list, and <font>, which does with some attributes), integration points
// whose content is HTML, and elements that something in the extractor finds
// inside an svg (<a> and block elements: homeLinkOnly and hasBlockChild
// walk into every element).
var foreignAbort = map[string]bool{
	"b": true, "big": true, "blockquote": true, "body": true, "br": true, "center": true, "code": true,
	"dd": true, "div": true, "dl": true, "dt": true, "em": true, "embed": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "head": true, "hr": true, "i": true, "img": true,
	"li": true, "listing": true, "menu": true, "meta": true, "nobr": true, "ol": true, "p": true,
	"pre": true, "ruby": true, "s": true, "small": true, "span": true, "strong": true, "strike": true,
	"sub": true, "sup": true, "table": true, "tt": true, "u": true, "ul": true, "var": true,
	"font": true, "a": true, "foreignobject": true, "annotation-xml": true,
}

// foreignContent removes the content of the <svg> or <math> element whose
// start tag ends at p, and returns the index just past its end tag, or 0
// when it leaves the element as it is.
//
// Nothing in the walker enters an svg or math element, but the parser
// state after it depends on its content, so the content goes only when
// the scan follows all of it: tags that stay foreign (no breakout tag, no
// integration point with markup in it), end tags that close an element
// the scan has open (else the parser would hand them to the HTML rules),
// comments, and text. Text that is not whitespace stays (it decides
// whether a later <frameset> is taken, and homeLinkOnly sees it), each
// piece after an empty comment so pieces do not run together; so do
// <title> and <desc> in svg and <mi>, <mo>, <mn>, <ms> and <mtext> in math
// with the text in them (their text is read with the HTML rules).
func (s *prepasser) foreignContent(p int, root []byte) int {
	b := s.b
	svg := tagIs(root, "svg")
	start := p
	var stack [maxForeignDepth][]byte
	stack[0] = root
	depth := 1
	s.keep = s.keep[:0]
	text := p // start of the current text
	keepText := func(to int) {
		for _, c := range b[text:to] {
			if !isTagSpace(c) {
				s.keep = append(s.keep, [2]int{text, -to}) // negative: text
				return
			}
		}
	}
	for {
		k := bytes.IndexByte(b[p:], '<')
		if k < 0 || p+k+1 >= len(b) {
			return 0
		}
		t := p + k
		c := b[t+1]
		switch {
		case isLetter(c):
			var end int
			var name []byte
			var ok bool
			if s.fattrs == nil {
				s.fattrs = make([]attrSpan, 0, 8) // nil records none
			}
			end, name, s.fattrs, ok = scanTagAttrs(b, t+1, s.fattrs[:0])
			if !ok || !plainName(name) {
				return 0
			}
			keepText(t)
			var buf [24]byte
			lname, _ := lowerName(buf[:], name)
			if lname == nil {
				lname = name
			}
			if foreignAbort[string(lname)] || blockTag(atom.Lookup(lname)) {
				return 0
			}
			p = end
			text = end
			if selfClosing(b, end, s.fattrs) {
				continue
			}
			if svg && (string(lname) == "title" || string(lname) == "desc") ||
				!svg && (string(lname) == "mi" || string(lname) == "mo" || string(lname) == "mn" || string(lname) == "ms" || string(lname) == "mtext") {
				// Text up to the element's end tag, kept with the element.
				q := end
				for {
					k := bytes.IndexByte(b[q:], '<')
					if k < 0 || q+k+1 >= len(b) {
						return 0
					}
					q += k
					switch c := b[q+1]; {
					case c == '/':
						e, n, ok := scanTag(b, q+2)
						if !ok || q+2 >= len(b) || !isLetter(b[q+2]) || !foldEqual(n, name) {
							return 0
						}
						s.keep = append(s.keep, [2]int{t, e})
						p, text = e, e
					case isLetter(c) || c == '!' || c == '?':
						return 0
					default:
						q++
						continue
					}
					break
				}
				continue
			}
			if depth == maxForeignDepth {
				return 0
			}
			stack[depth] = name
			depth++
		case c == '/':
			switch {
			case t+2 >= len(b):
				return 0
			case b[t+2] == '>':
				keepText(t)
				p, text = t+3, t+3
			case isLetter(b[t+2]):
				end, name, ok := scanTag(b, t+2)
				if !ok || !plainName(name) {
					return 0
				}
				keepText(t)
				d := depth - 1
				for d >= 0 && !foldEqual(stack[d], name) {
					d--
				}
				if d < 0 {
					return 0 // handed to the HTML rules
				}
				if d == 0 {
					s.emitForeign(start, t)
					return end
				}
				depth = d
				p, text = end, end
			default: // a bogus comment, up to the next '>'
				k := bytes.IndexByte(b[t+2:], '>')
				if k < 0 {
					return 0
				}
				keepText(t)
				p = t + 2 + k + 1
				text = p
			}
		case c == '!':
			if !bytes.HasPrefix(b[t+2:], []byte("--")) {
				return 0 // CDATA, doctype
			}
			end := commentEnd(b, t+4)
			if end < 0 {
				return 0
			}
			keepText(t)
			p, text = end, end
		case c == '?':
			k := bytes.IndexByte(b[t+2:], '>')
			if k < 0 {
				return 0
			}
			keepText(t)
			p = t + 2 + k + 1
			text = p
		default: // a '<' that starts no tag is text
			p = t + 1
		}
	}
}

// emitForeign writes the pieces foreignContent keeps, dropping the rest of
// the content from start up to the end tag at end.
func (s *prepasser) emitForeign(start, end int) {
	s.replace(start, start, nil) // everything before the content stays
	prevText := false
	for _, k := range s.keep {
		from, to, isText := k[0], k[1], k[1] < 0
		if isText {
			to = -to
		}
		var sep []byte
		if isText && prevText {
			sep = []byte("<!---->")
		}
		s.replace(s.last, from, sep)
		// b[from:to] is copied with what follows.
		s.replace(to, to, nil)
		prevText = isText
	}
	s.replace(s.last, end, nil)
}

// plainName reports whether a tag name is ASCII without NUL, so that
// comparing it ignoring ASCII case is what the parser does.
func plainName(name []byte) bool {
	for _, c := range name {
		if c == 0 || c >= 0x80 {
			return false
		}
	}
	return true
}

// foldEqual reports whether a and b are equal ignoring ASCII case.
func foldEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func skipTagSpace(b []byte, p int) int {
	for p < len(b) && isTagSpace(b[p]) {
		p++
	}
	return p
}

// tagIs reports whether a tag name equals lower, ignoring ASCII case.
func tagIs(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i := range name {
		if name[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

func containsFold(b []byte, lower string) bool {
	for i := 0; i+len(lower) <= len(b); i++ {
		if tagIs(b[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// attrSpan is one attribute of a tag: its key is b[key:keyEnd], its value
// b[val:valEnd] (without quotes), and the attribute ends at end (after the
// closing quote). kept is filterTag's.
type attrSpan struct {
	key, keyEnd, val, valEnd, end int
	kept                          bool
}

// scanTag reads a start or end tag whose name starts at b[k], as the
// tokenizer's readTag does, and returns the index just past its '>' and its
// name. ok is false when the input ends inside the tag.
func scanTag(b []byte, k int) (end int, name []byte, ok bool) {
	end, name, _, ok = scanTagAttrs(b, k, nil)
	return end, name, ok
}

// scanTag is scanTag that also records the tag's attributes in s.attrs.
func (s *prepasser) scanTag(k int) (end int, name []byte, ok bool) {
	end, name, s.attrs, ok = scanTagAttrs(s.b, k, s.attrs[:0])
	return end, name, ok
}

// scanTagAttrs is scanTag appending the attributes with a non-empty key to
// attrs.
func scanTagAttrs(b []byte, k int, attrs []attrSpan) (end int, name []byte, _ []attrSpan, ok bool) {
	p := k
	for p < len(b) && !isTagSpace(b[p]) && b[p] != '/' && b[p] != '>' {
		p++
	}
	if p >= len(b) {
		return 0, nil, attrs, false
	}
	name = b[k:p]
	p = skipTagSpace(b, p)
	for {
		if p >= len(b) {
			return 0, nil, attrs, false
		}
		if b[p] == '>' {
			return p + 1, name, attrs, true
		}
		// Attribute key: '=' ends it unless it is its first byte.
		start := p
		for ; p < len(b); p++ {
			c := b[p]
			if c == '=' && p > start || isTagSpace(c) || c == '/' || c == '>' {
				break
			}
		}
		a := attrSpan{key: start, keyEnd: p, val: p, valEnd: p, end: p}
		// Attribute value.
		p = skipTagSpace(b, p)
		if p >= len(b) {
			return 0, nil, attrs, false
		}
		switch b[p] {
		case '/':
			p++
		case '=':
			p = skipTagSpace(b, p+1)
			if p >= len(b) {
				return 0, nil, attrs, false
			}
			switch q := b[p]; q {
			case '>': // an empty value: the attribute is its key alone
				a.val, a.valEnd, a.end = p, p, a.keyEnd
			case '"', '\'':
				n := bytes.IndexByte(b[p+1:], q)
				if n < 0 {
					return 0, nil, attrs, false
				}
				a.val, a.valEnd = p+1, p+1+n
				p += 1 + n + 1
				a.end = p
			default:
				a.val = p
				for p++; p < len(b) && !isTagSpace(b[p]) && b[p] != '>'; p++ {
				}
				a.valEnd, a.end = p, p
				if p < len(b) && b[p] != '>' {
					p++ // the space that ended the value
				}
			}
		}
		if a.keyEnd > a.key && attrs != nil {
			attrs = append(attrs, a)
		}
		p = skipTagSpace(b, p)
	}
}

// selfClosing reports whether the start tag ending at end, with attrs
// (from scanTagAttrs), is self-closing as the tokenizer decides it: a '/'
// before the '>' that is not the last byte of the last attribute's value
// ("<p a=b/>" has the value "b/" and is not self-closing).
func selfClosing(b []byte, end int, attrs []attrSpan) bool {
	if b[end-2] != '/' {
		return false
	}
	if n := len(attrs); n > 0 && attrs[n-1].valEnd-1 == end-2 {
		return false
	}
	return true
}

// rawEndTagAt reports whether b[p:] (just after "</") continues with tag
// and a byte that ends a tag name, as the tokenizer's readRawEndTag does.
// more is false when the input ends first.
func rawEndTagAt(b []byte, p int, tag string) (match, more bool) {
	if p+len(tag) >= len(b) {
		return false, false
	}
	if !tagIs(b[p:p+len(tag)], tag) {
		return false, true
	}
	switch b[p+len(tag)] {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		return true, true
	}
	return false, true
}

// rawTextEnd returns the index of the "</tag" that ends raw text starting at
// p, or -1 when the text runs to the end of the input.
func rawTextEnd(b []byte, p int, tag string) int {
	for {
		k := bytes.IndexByte(b[p:], '<')
		if k < 0 {
			return -1
		}
		p += k
		if p+1 >= len(b) {
			return -1
		}
		if b[p+1] != '/' {
			p++
			continue
		}
		match, more := rawEndTagAt(b, p+2, tag)
		if !more {
			return -1
		}
		if match {
			return p
		}
		p += 2
	}
}

// scriptEnd returns the index of the "</script" that ends a script starting
// at p, or -1 when it runs to the end of the input. clean is false when the
// script holds "<!--", whose escape states are not modelled.
func scriptEnd(b []byte, p int) (end int, clean bool) {
	q := rawTextEnd(b, p, "script")
	stop := q
	if stop < 0 {
		stop = len(b)
	}
	if bytes.Contains(b[p:stop], []byte("<!--")) {
		return q, false
	}
	return q, true
}

// commentEnd returns the index just past the comment whose text starts at
// p (after "<!--"), as the tokenizer's readComment ends it, or -1 when it
// runs to the end of the input.
func commentEnd(b []byte, p int) int {
	dashes, beginning := 0, true
	for p < len(b) {
		c := b[p]
		p++
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return p
			}
		case '!':
			if dashes >= 2 {
				if p >= len(b) {
					return -1
				}
				c = b[p]
				p++
				if c == '>' {
					return p
				}
				if c == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return -1
}
