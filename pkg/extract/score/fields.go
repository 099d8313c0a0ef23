package score

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// This file scores the metadata fields (title, authors, publication date)
// the way the metadata development set is labelled: strings compared after
// normalisation, names as sets, dates by calendar day.

// Normalize is the form in which titles and names are compared: Unicode
// NFKC (which also maps ideographic and other wide spaces to plain ones),
// whitespace runs collapsed to one space and trimmed, and case folded.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteString(strings.ToLower(string(r)))
	}
	return sb.String()
}

// SameText reports whether two strings are equal after Normalize.
func SameText(truth, pred string) bool { return Normalize(truth) == Normalize(pred) }

// Names compares predicted author names with the labelled ones as sets of
// normalised names. Exact is true when the sets are equal; F1 is the
// harmonic mean of the share of predicted names that are right and the
// share of labelled names found (0 when either side is empty, 1 when both
// are).
func Names(truth, pred []string) (exact bool, f1 float64) {
	ts, ps := nameSet(truth), nameSet(pred)
	if len(ts) == 0 && len(ps) == 0 {
		return true, 1
	}
	hit := 0
	for n := range ps {
		if ts[n] {
			hit++
		}
	}
	exact = hit == len(ts) && hit == len(ps)
	if hit == 0 {
		return exact, 0
	}
	p, r := float64(hit)/float64(len(ps)), float64(hit)/float64(len(ts))
	return exact, 2 * p * r / (p + r)
}

func nameSet(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		if n = Normalize(n); n != "" {
			set[n] = true
		}
	}
	return set
}

// SameDay reports whether the predicted date, written as YYYY-MM-DD in the
// page's own offset, falls on the labelled day: truth is a string that
// starts with YYYY-MM-DD (any time and zone after it are ignored, as the
// labels keep the page's local day).
func SameDay(truth, predDay string) bool {
	return len(truth) >= 10 && len(predDay) >= 10 && truth[:10] == predDay[:10]
}
