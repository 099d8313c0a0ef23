package store

import (
	"errors"
	"html"
	"slices"
	"strings"
	"time"
)

// ErrQuery is wrapped by Search errors caused by the request (a query the
// store's full-text engine rejects), not by the store.
var ErrQuery = errors.New("bad query")

// Markers the stores put around matches in snippets, replaced by <mark>
// after the text is escaped, so page text can never inject HTML.
const (
	markStart = "\x02"
	markEnd   = "\x03"
)

// highlight turns a store snippet into safe HTML.
func highlight(s string) string {
	s = html.EscapeString(s)
	s = strings.ReplaceAll(s, markStart, "<mark>")
	return strings.ReplaceAll(s, markEnd, "</mark>")
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
