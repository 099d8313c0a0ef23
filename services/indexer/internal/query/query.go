// Package query parses the search box language of the indexer into a small
// syntax tree and compiles it for SQLite FTS5 (MATCH) and for PostgreSQL
// (to_tsquery). Users never write store syntax, so a query either parses
// here, with an error that says what is wrong, or is valid for both stores:
// a search never fails inside the database because of what a user typed.
//
// The language: words are ANDed; "quoted words" form a phrase; a trailing *
// makes a word a prefix; -word or NOT word excludes; OR between two terms
// makes either match. Punctuation inside a word splits it into a phrase
// (covid-19 is "covid 19").
//
// It depends only on the standard library.
package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Limits on what a user may ask.
const (
	MaxBytes = 512
	MaxTerms = 16
)

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("query syntax")

// Term is one word, prefix or phrase.
type Term struct {
	Words  []string // lowercased letter and digit runs; a phrase when > 1
	Prefix bool     // the last word is a prefix
}

// Query is a conjunction of disjunctions of terms, minus excluded terms.
type Query struct {
	All [][]Term // every group must match; a group matches if any term does
	Not []Term   // no excluded term may match
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSyntax, fmt.Sprintf(format, args...))
}

type token struct {
	text   string
	quoted bool
	neg    bool
}

// Parse parses a search box query. Errors wrap ErrSyntax.
func Parse(s string) (Query, error) {
	var q Query
	s = strings.TrimSpace(s)
	if s == "" {
		return q, errorf("empty query")
	}
	if len(s) > MaxBytes {
		return q, errorf("longer than %d bytes", MaxBytes)
	}
	toks, err := tokenize(s)
	if err != nil {
		return q, err
	}
	n := 0
	orPending := false
	negNext := false
	for i, tk := range toks {
		if !tk.quoted && !tk.neg {
			switch tk.text {
			case "OR":
				if len(q.All) == 0 || orPending || negNext || i == len(toks)-1 {
					return q, errorf("OR needs a term on each side")
				}
				orPending = true
				continue
			case "AND":
				continue
			case "NOT":
				if negNext || orPending || i == len(toks)-1 {
					return q, errorf("NOT needs a term after it")
				}
				negNext = true
				continue
			}
		}
		term, err := makeTerm(tk)
		if err != nil {
			return q, err
		}
		if n++; n > MaxTerms {
			return q, errorf("more than %d terms", MaxTerms)
		}
		switch {
		case tk.neg || negNext:
			if orPending {
				return q, errorf("an excluded term cannot be part of OR")
			}
			q.Not = append(q.Not, term)
			negNext = false
		case orPending:
			last := len(q.All) - 1
			q.All[last] = append(q.All[last], term)
			orPending = false
		default:
			q.All = append(q.All, []Term{term})
		}
	}
	if len(q.All) == 0 {
		return q, errorf("nothing to search for: a query needs a term that is not excluded")
	}
	return q, nil
}

func tokenize(s string) ([]token, error) {
	var toks []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		neg := false
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			neg = true
			i++
		}
		if rs[i] == '"' {
			end := -1
			for j := i + 1; j < len(rs); j++ {
				if rs[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				return nil, errorf("unterminated quote")
			}
			text := string(rs[i+1 : end])
			i = end + 1
			if i < len(rs) && rs[i] == '*' {
				text += "*"
				i++
			}
			toks = append(toks, token{text: text, quoted: true, neg: neg})
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
			j++
		}
		toks = append(toks, token{text: string(rs[i:j]), neg: neg})
		i = j
	}
	return toks, nil
}

func makeTerm(tk token) (Term, error) {
	text := tk.text
	var t Term
	if strings.HasSuffix(text, "*") {
		t.Prefix = true
		text = strings.TrimRight(text, "*")
	}
	t.Words = strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(t.Words) == 0 {
		if tk.quoted {
			return t, errorf("empty phrase")
		}
		return t, errorf("%q has no letters or digits", tk.text)
	}
	if t.Prefix && len([]rune(t.Words[len(t.Words)-1])) < 2 {
		return t, errorf("a prefix needs at least two letters: %q", tk.text)
	}
	return t, nil
}

// FTS5 returns the query as an SQLite FTS5 MATCH expression. Every word is
// quoted, so no user text is read as FTS5 syntax.
func (q Query) FTS5() string {
	var groups []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			alts = append(alts, fts5Term(t))
		}
		groups = append(groups, "("+strings.Join(alts, " OR ")+")")
	}
	expr := strings.Join(groups, " AND ")
	for _, t := range q.Not {
		expr = "(" + expr + ") NOT " + fts5Term(t)
	}
	return expr
}

func fts5Term(t Term) string {
	s := `"` + strings.Join(t.Words, " ") + `"`
	if t.Prefix {
		s += "*"
	}
	return s
}

// TSQuery returns the query in PostgreSQL to_tsquery syntax. Words contain
// only letters and digits, so none is read as tsquery syntax.
func (q Query) TSQuery() string {
	var groups []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			alts = append(alts, tsTerm(t))
		}
		groups = append(groups, "("+strings.Join(alts, " | ")+")")
	}
	for _, t := range q.Not {
		groups = append(groups, "!"+tsTerm(t))
	}
	return strings.Join(groups, " & ")
}

func tsTerm(t Term) string {
	s := strings.Join(t.Words, " <-> ")
	if t.Prefix {
		s += ":*"
	}
	return "(" + s + ")"
}
