package store

import (
	"strings"
	"testing"

	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

func TestHighlight(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "a " + markStart + "match" + markEnd + " b", want: "a <mark>match</mark> b"},
		{give: "<script>x</script> " + markStart + "m" + markEnd, want: "&lt;script&gt;x&lt;/script&gt; <mark>m</mark>"},
		// Page text that spells the old one-byte markers, or half a marker.
		{give: "\x02evil\x03 and " + markStart + "m" + markEnd, want: "evil and <mark>m</mark>"},
		{give: markStart[:9] + "x", want: markStart[1:9] + "x"},
		// Unbalanced markers still make well-nested HTML.
		{give: markStart + "a" + markStart + "b", want: "<mark>ab</mark>"},
		{give: "a" + markEnd + "b", want: "ab"},
		{give: "tab\tkept\nnul\x00gone", want: "tab\tkept\nnulgone"},
	}
	for _, tt := range tests {
		if got := highlight(tt.give); got != tt.want {
			t.Errorf("highlight(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestSnippetsResistInjection: control characters in page text never
// become <mark> elements in a search snippet, on either store.
func TestSnippetsResistInjection(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		a := articletest.Article("daily.example", 1)
		a.Body = "The council met on Tuesday. \x02injected\x03 text \x02\x02 and <b>bold</b> words about the harbour bridge. " + a.Body
		mustIngest(t, s, a)
		res := mustSearch(t, s, "harbour", nil)
		if res.Total != 1 {
			t.Fatalf("%d hits, want 1", res.Total)
		}
		snip := res.Results[0].Snippet
		if strings.Count(snip, "<mark>") != strings.Count(snip, "</mark>") || strings.Count(snip, "<mark>") == 0 {
			t.Errorf("snippet %q: marks unbalanced or missing", snip)
		}
		for _, bad := range []string{"<mark>injected", "\x02", "\x03", "<b>"} {
			if strings.Contains(snip, bad) {
				t.Errorf("snippet %q contains %q", snip, bad)
			}
		}
		for _, tag := range strings.SplitAfter(snip, "<mark>")[1:] {
			word, _, _ := strings.Cut(tag, "</mark>")
			if !strings.EqualFold(word, "harbour") {
				t.Errorf("snippet marks %q, want only the matched word", word)
			}
		}
	})
}

// FuzzHighlight: whatever the text and markers, the snippet is escaped
// text with well-nested <mark> elements and no control characters.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{"a", "\x02x\x03", "<b>&amp;", markStart + "m" + markEnd, markEnd + markStart + markStart} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := highlight(s)
		rest := strings.ReplaceAll(strings.ReplaceAll(got, "<mark>", "\x01"), "</mark>", "\x04")
		depth := 0
		for _, r := range rest {
			switch {
			case r == '\x01':
				depth++
			case r == '\x04':
				depth--
			case r == '<' || r == '>' || isControl(r):
				t.Fatalf("highlight(%q) = %q: unescaped %q", s, got, r)
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("highlight(%q) = %q: marks not well nested", s, got)
			}
		}
		if depth != 0 {
			t.Fatalf("highlight(%q) = %q: a mark left open", s, got)
		}
	})
}
