package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file holds the text utilities: whitespace collapsing, weighted
// lengths, the one word counter, and reading an element's text.

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

// textOfLimit returns the text content of n, stopping after about limit
// bytes. Each run of whitespace in its text is written as one space, so the
// limit counts text, not a page's indentation (every caller collapses the
// result anyway); a script's text is returned as it is.
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
			writeSpaced(&sb, n.Data)
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

// writeSpaced writes s to sb with each run of whitespace (the HTML
// spaces) as one space, also where s starts after a space in sb.
func writeSpaced(sb *strings.Builder, s string) {
	space := sb.Len() > 0 && sb.String()[sb.Len()-1] == ' '
	for len(s) > 0 {
		i := 0
		for i < len(s) && !isSpaceByte(s[i]) {
			i++
		}
		if i > 0 {
			sb.WriteString(s[:i])
			space = false
			s = s[i:]
		}
		j := 0
		for j < len(s) && isSpaceByte(s[j]) {
			j++
		}
		if j > 0 {
			if !space {
				sb.WriteByte(' ')
				space = true
			}
			s = s[j:]
		}
	}
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

// countWords counts words: runs of letters and digits (apostrophes and
// hyphens inside a word keep it whole); each Han, Hiragana or Katakana
// character counts as a word of its own.
func countWords(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
				if !in {
					n++
				}
				in = true
			case c != '\'' && c != '-':
				in = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= 0x3040 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)):
			n++ // ideographs count as words of their own
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		default:
			if r != '\'' && r != '’' && r != '-' {
				in = false
			}
		}
	}
	return n
}

// isCJKName reports whether s is written in a script without spaces, where
// a name is one "word".
func isCJKName(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}
