package extract

import "bytes"

// stripRawText returns the page with the text of its <script> and <style>
// elements removed, JSON-LD scripts excepted; the elements themselves stay.
// Nothing in the extractor reads that text, and on news pages it is about
// half of the bytes, which the HTML tokenizer would otherwise read one at a
// time. b is returned unchanged when there is nothing to remove.
//
// The scan follows the tokenizer of golang.org/x/net/html (the WHATWG
// tokenizer states that matter here): comments, doctypes, tags and their
// quoted attribute values, and the raw text of textarea, title, xmp,
// iframe, noembed, noframes and noscript are skipped exactly as the
// tokenizer skips them, so a "<script" inside any of those is left alone.
// Inside <svg> and <math>, where script and style are not raw text, and
// after anything it does not model (<plaintext>, an unterminated tag, a
// script with "<!--" in it), it stops removing and keeps the rest as it is.
func stripRawText(b []byte) []byte {
	var out []byte
	last := 0 // b[:last] is decided: copied to out, or all of it kept if out is nil
	cut := func(from, to int) {
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(out, b[last:from]...)
		last = to
	}
	foreign := 0 // depth of <svg> and <math>
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
			end, name, ok := scanTag(b, i+1)
			if !ok {
				break scan
			}
			if foreign > 0 {
				if tagIs(name, "svg") || tagIs(name, "math") {
					foreign++
				}
				i = end
				continue
			}
			switch {
			case tagIs(name, "svg"), tagIs(name, "math"):
				foreign = 1
				i = end
			case tagIs(name, "script"):
				q, clean := scriptEnd(b, end)
				if q < 0 || !clean {
					break scan
				}
				if q > end && !containsFold(b[i:end], "ld+json") {
					cut(end, q)
				}
				i = q
			case tagIs(name, "style"):
				q := rawTextEnd(b, end, "style")
				if q < 0 {
					break scan
				}
				if q > end {
					cut(end, q)
				}
				i = q
			case tagIs(name, "textarea"), tagIs(name, "title"), tagIs(name, "xmp"), tagIs(name, "iframe"),
				tagIs(name, "noembed"), tagIs(name, "noframes"), tagIs(name, "noscript"):
				q := rawTextEnd(b, end, string(bytes.ToLower(name)))
				if q < 0 {
					break scan
				}
				i = q
			case tagIs(name, "plaintext"):
				break scan
			default:
				i = end
			}
		case c == '/':
			switch {
			case i+2 >= len(b):
				break scan
			case b[i+2] == '>':
				i += 3
			case isLetter(b[i+2]):
				end, name, ok := scanTag(b, i+2)
				if !ok {
					break scan
				}
				if foreign > 0 && (tagIs(name, "svg") || tagIs(name, "math")) {
					foreign--
				}
				i = end
			default: // a bogus comment, up to the next '>'
				k := bytes.IndexByte(b[i+2:], '>')
				if k < 0 {
					break scan
				}
				i += 2 + k + 1
			}
		case c == '!':
			switch {
			case bytes.HasPrefix(b[i+2:], []byte("--")):
				end := commentEnd(b, i+4)
				if end < 0 {
					break scan
				}
				i = end
			case foreign > 0 && bytes.HasPrefix(b[i+2:], []byte("[CDATA[")):
				k := bytes.Index(b[i+9:], []byte("]]>"))
				if k < 0 {
					break scan
				}
				i += 9 + k + 3
			default: // doctype or bogus comment, up to the next '>'
				k := bytes.IndexByte(b[i+2:], '>')
				if k < 0 {
					break scan
				}
				i += 2 + k + 1
			}
		case c == '?':
			k := bytes.IndexByte(b[i+2:], '>')
			if k < 0 {
				break scan
			}
			i += 2 + k + 1
		default: // a '<' that starts no tag is text
			i++
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
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

// scanTag reads a start or end tag whose name starts at b[k], as the
// tokenizer's readTag does, and returns the index just past its '>' and its
// name. ok is false when the input ends inside the tag.
func scanTag(b []byte, k int) (end int, name []byte, ok bool) {
	p := k
	for p < len(b) && !isTagSpace(b[p]) && b[p] != '/' && b[p] != '>' {
		p++
	}
	if p >= len(b) {
		return 0, nil, false
	}
	name = b[k:p]
	p = skipTagSpace(b, p)
	for {
		if p >= len(b) {
			return 0, nil, false
		}
		if b[p] == '>' {
			return p + 1, name, true
		}
		// Attribute key: '=' ends it unless it is its first byte.
		start := p
		for ; p < len(b); p++ {
			c := b[p]
			if c == '=' && p > start || isTagSpace(c) || c == '/' || c == '>' {
				break
			}
		}
		// Attribute value.
		p = skipTagSpace(b, p)
		if p >= len(b) {
			return 0, nil, false
		}
		switch b[p] {
		case '/':
			p++
		case '=':
			p = skipTagSpace(b, p+1)
			if p >= len(b) {
				return 0, nil, false
			}
			switch q := b[p]; q {
			case '>':
			case '"', '\'':
				n := bytes.IndexByte(b[p+1:], q)
				if n < 0 {
					return 0, nil, false
				}
				p += 1 + n + 1
			default:
				for p++; p < len(b) && !isTagSpace(b[p]) && b[p] != '>'; p++ {
				}
				if p < len(b) && b[p] != '>' {
					p++ // the space that ended the value
				}
			}
		}
		p = skipTagSpace(b, p)
	}
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
