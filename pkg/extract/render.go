package extract

import "strings"

// renderText joins blocks into the plain body: paragraphs separated by a
// blank line, items of one list and rows of one table by a line break.
func renderText(blocks []block) string {
	var sb strings.Builder
	n := 0
	for i := range blocks {
		n += len(blocks[i].text) + 2
	}
	sb.Grow(n) // one allocation, not a doubling per paragraph or two
	for i := range blocks {
		b := &blocks[i]
		if i > 0 {
			p := &blocks[i-1]
			if sameGroup(p, b) {
				sb.WriteByte('\n')
			} else {
				sb.WriteString("\n\n")
			}
		}
		sb.WriteString(b.text)
	}
	return sb.String()
}

// renderTextPrefix is renderText cut once it holds at least limit bytes.
func renderTextPrefix(blocks []block, limit int) string {
	n := 0
	for i := range blocks {
		if i > 0 {
			n += 2
			if sameGroup(&blocks[i-1], &blocks[i]) {
				n--
			}
		}
		n += len(blocks[i].text)
		if n >= limit {
			return renderText(blocks[:i+1])
		}
	}
	return renderText(blocks)
}

func sameGroup(p, b *block) bool {
	switch {
	case p.kind == kindItem && b.kind == kindItem:
		return p.list == b.list
	case p.kind == kindRow && b.kind == kindRow:
		return true
	}
	return false
}

// renderHTML writes the same blocks as simple semantic HTML.
func renderHTML(blocks []block) string {
	var sb strings.Builder
	n := 0
	for i := range blocks {
		n += len(blocks[i].text) + 16
	}
	sb.Grow(n + n/8)
	inQuote := false
	openList := ""
	inTable := false
	closeTag := func(tag string) {
		sb.WriteString("</")
		sb.WriteString(tag)
		sb.WriteByte('>')
	}
	closeGroups := func(b *block) {
		if openList != "" && (b == nil || b.kind != kindItem) {
			closeTag(openList)
			openList = ""
		}
		if inTable && (b == nil || b.kind != kindRow) {
			sb.WriteString("</table>")
			inTable = false
		}
	}
	for i := range blocks {
		b := &blocks[i]
		if openList != "" && b.kind == kindItem && i > 0 && blocks[i-1].list != b.list {
			closeTag(openList)
			openList = ""
		}
		closeGroups(b)
		if b.quote != inQuote {
			if b.quote {
				sb.WriteString("<blockquote>")
			} else {
				sb.WriteString("</blockquote>")
			}
			inQuote = b.quote
		}
		switch b.kind {
		case kindHeading:
			tag := "h2"
			switch {
			case b.level == 3:
				tag = "h3"
			case b.level >= 4:
				tag = "h4"
			}
			sb.WriteByte('<')
			sb.WriteString(tag)
			sb.WriteByte('>')
			writeEscaped(&sb, b.text, true)
			closeTag(tag)
		case kindItem:
			if openList == "" {
				openList = "ul"
				if b.ordered {
					openList = "ol"
				}
				sb.WriteByte('<')
				sb.WriteString(openList)
				sb.WriteByte('>')
			}
			sb.WriteString("<li>")
			writeEscaped(&sb, b.text, true)
			sb.WriteString("</li>")
		case kindRow:
			if !inTable {
				sb.WriteString("<table>")
				inTable = true
			}
			sb.WriteString("<tr>")
			for _, c := range b.cells {
				sb.WriteString("<td>")
				writeEscaped(&sb, c, false)
				sb.WriteString("</td>")
			}
			sb.WriteString("</tr>")
		case kindPre:
			sb.WriteString("<pre>")
			writeEscaped(&sb, b.text, false)
			sb.WriteString("</pre>")
		default:
			text := b.text
			for {
				para, rest, more := strings.Cut(text, "\n\n")
				sb.WriteString("<p>")
				writeEscaped(&sb, para, true)
				sb.WriteString("</p>")
				if !more {
					break
				}
				text = rest
			}
		}
	}
	closeGroups(nil)
	if inQuote {
		sb.WriteString("</blockquote>")
	}
	return sb.String()
}

// writeEscaped writes s escaped as html.EscapeString does, turning line
// breaks into <br> when br is set.
func writeEscaped(sb *strings.Builder, s string, br bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		case '\n':
			if !br {
				continue
			}
			esc = "<br>"
		default:
			continue
		}
		sb.WriteString(s[last:i])
		sb.WriteString(esc)
		last = i + 1
	}
	sb.WriteString(s[last:])
}
