package extract

import (
	"html"
	"strings"
)

// renderText joins blocks into the plain body: paragraphs separated by a
// blank line, items of one list and rows of one table by a line break.
func renderText(blocks []block) string {
	var sb strings.Builder
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
	inQuote := false
	openList := ""
	inTable := false
	closeGroups := func(b *block) {
		if openList != "" && (b == nil || b.kind != kindItem) {
			sb.WriteString("</" + openList + ">")
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
			sb.WriteString("</" + openList + ">")
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
			sb.WriteString("<" + tag + ">" + escapeLines(b.text) + "</" + tag + ">")
		case kindItem:
			if openList == "" {
				openList = "ul"
				if b.ordered {
					openList = "ol"
				}
				sb.WriteString("<" + openList + ">")
			}
			sb.WriteString("<li>" + escapeLines(b.text) + "</li>")
		case kindRow:
			if !inTable {
				sb.WriteString("<table>")
				inTable = true
			}
			sb.WriteString("<tr>")
			for _, c := range b.cells {
				sb.WriteString("<td>" + html.EscapeString(c) + "</td>")
			}
			sb.WriteString("</tr>")
		case kindPre:
			sb.WriteString("<pre>" + html.EscapeString(b.text) + "</pre>")
		default:
			for _, para := range strings.Split(b.text, "\n\n") {
				sb.WriteString("<p>" + escapeLines(para) + "</p>")
			}
		}
	}
	closeGroups(nil)
	if inQuote {
		sb.WriteString("</blockquote>")
	}
	return sb.String()
}

func escapeLines(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}
