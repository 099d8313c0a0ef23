package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// ErrQuery is wrapped by Search errors caused by the request (a query the
// store's full-text engine rejects), not by the store.
var ErrQuery = errors.New("bad query")

// Markers the stores put around matches in snippets, replaced by <mark>
// after the text is escaped. Each holds a random nonce drawn at start, so
// no page text can spell one (ingest also strips control characters from
// page text): a page can never inject <mark>, let alone HTML.
var markStart, markEnd = func() (string, string) {
	var nonce [12]byte
	rand.Read(nonce[:])
	n := hex.EncodeToString(nonce[:])
	return "\x02" + n + "\x02", "\x03" + n + "\x03"
}()

// highlight turns a store snippet into safe HTML: the text escaped and
// stripped of control characters, the stores' markers turned into <mark>
// elements, always well nested.
func highlight(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		next, marker := len(s), ""
		if i := strings.Index(s, markStart); i >= 0 {
			next, marker = i, markStart
		}
		if j := strings.Index(s[:next], markEnd); j >= 0 {
			next, marker = j, markEnd
		}
		b.WriteString(html.EscapeString(stripControls(s[:next])))
		if next == len(s) {
			break
		}
		switch {
		case marker == markStart && !open:
			b.WriteString("<mark>")
			open = true
		case marker == markEnd && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[next+len(marker):]
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

// restoreBody puts back the body docOf left out of the doc column. Rows
// written before that change still carry the body in doc: it is the
// column's, so either way the body read is the one stored.
func restoreBody(a *schema.Article, body string) {
	if a.Body == "" {
		a.Body = body
	}
}

// parsePublished parses a stored RFC 3339 publication time; nil if empty.
func parsePublished(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}

// langPattern is the LIKE pattern matching subtags of a language ("en"
// matches "en-gb").
func langPattern(lang string) string { return strings.ToLower(lang) + "-%" }

func sortStrings(s []string) { slices.Sort(s) }
