// Package score measures how well an extraction matches labelled truth.
// Bodies are scored with the method of the public article-extraction
// benchmark (score.go): bags of 4-gram token shingles compared per page,
// precision and recall averaged over pages, F1 as the harmonic mean of the
// two averages. Titles, author names and publication dates are compared
// after normalisation (fields.go).
//
// It depends on the standard library and golang.org/x/text only, and knows
// nothing about HTML.
package score

import (
	"strings"
	"unicode"
)

// N is the shingle length in tokens.
const N = 4

// Tokens splits s into runs of Unicode word characters: letters, digits
// (any numeric rune) and underscore, as Python's \w+ does for str patterns.
func Tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if isWord(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func isWord(r rune) bool {
	if r < 0x80 {
		return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Shingles returns the bag of n-token shingles of tokens, keyed by the
// tokens joined with a NUL byte. A text shorter than n tokens is one shingle
// made of all its tokens; an empty text has none.
func Shingles(tokens []string, n int) map[string]int {
	bag := make(map[string]int)
	if len(tokens) == 0 {
		return bag
	}
	count := len(tokens) - n + 1
	if count < 1 {
		count = 1
	}
	for i := 0; i < count; i++ {
		end := i + n
		if end > len(tokens) {
			end = len(tokens)
		}
		bag[strings.Join(tokens[i:end], "\x00")]++
	}
	return bag
}

// Page is the comparison of one page: TP, FP and FN are shingle counts
// normalised so that they sum to 1 (all zero when both texts are empty).
// Exact reports whether both texts have the same token list.
type Page struct {
	TP, FP, FN float64
	Exact      bool
}

// Precision is TP/(TP+FP), or 0 when the page has no predicted shingles.
func (p Page) Precision() float64 {
	if p.TP+p.FP == 0 {
		return 0
	}
	return p.TP / (p.TP + p.FP)
}

// Recall is TP/(TP+FN), or 0 when the page has no reference shingles.
func (p Page) Recall() float64 {
	if p.TP+p.FN == 0 {
		return 0
	}
	return p.TP / (p.TP + p.FN)
}

// Compare scores the predicted text pred against the reference truth.
func Compare(truth, pred string) Page {
	tt, pt := Tokens(truth), Tokens(pred)
	p := Page{Exact: equal(tt, pt)}
	tb, pb := Shingles(tt, N), Shingles(pt, N)
	var tp, fp, fn int
	for k, tc := range tb {
		pc := pb[k]
		tp += min(tc, pc)
		fn += max(0, tc-pc)
	}
	for k, pc := range pb {
		fp += max(0, pc-tb[k])
	}
	if s := tp + fp + fn; s > 0 {
		p.TP = float64(tp) / float64(s)
		p.FP = float64(fp) / float64(s)
		p.FN = float64(fn) / float64(s)
	}
	return p
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Metrics summarises a set of pages.
type Metrics struct {
	Precision, Recall, F1, Accuracy float64
	Pages                           int
}

// Aggregate averages precision over pages with TP+FP > 0 and recall over
// pages with TP+FN > 0, and takes F1 as the harmonic mean of the averages.
// Accuracy is the share of pages whose token lists are equal.
func Aggregate(pages []Page) Metrics {
	m := Metrics{Pages: len(pages)}
	var ps, rs float64
	var np, nr, exact int
	for _, p := range pages {
		if p.TP+p.FP > 0 {
			ps += p.TP / (p.TP + p.FP)
			np++
		}
		if p.TP+p.FN > 0 {
			rs += p.TP / (p.TP + p.FN)
			nr++
		}
		if p.Exact {
			exact++
		}
	}
	if np > 0 {
		m.Precision = ps / float64(np)
	}
	if nr > 0 {
		m.Recall = rs / float64(nr)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	if len(pages) > 0 {
		m.Accuracy = float64(exact) / float64(len(pages))
	}
	return m
}
