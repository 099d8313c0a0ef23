package extract

import (
	"strings"
	"unicode"
)

var bylinePrefixes = []string{
	"written by", "reported by", "reporting by", "posted by", "words by", "story by", "text by", "photos by",
	"by:", "by", "von:", "von", "par:", "par", "por:", "por", "di:", "di", "door:", "door", "de:",
	"author:", "authors:", "autor:", "autorin:", "auteur:", "autore:", "text:", "texto:", "a cura di",
	"source:", "sources:", "quelle:", "fuente:", "fonte:", "bron:", "автор:", "авторы:", "источник:", "記者:", "記者：",
}

var agencies = map[string]bool{
	"reuters": true, "ap": true, "associated press": true, "the associated press": true, "afp": true, "agence france-presse": true,
	"dpa": true, "bloomberg": true, "pti": true, "ani": true, "ians": true, "xinhua": true, "efe": true, "ansa": true, "kyodo": true,
	"yonhap": true, "tass": true, "upi": true, "apa": true, "sda": true, "kna": true, "epd": true, "belga": true, "anp": true, "lusa": true,
	"staff": true, "staff writer": true, "staff reporter": true, "newsroom": true, "news desk": true, "web desk": true, "editorial": true, "editor": true,
	"admin": true, "redaktion": true, "rédaction": true, "redacción": true, "redazione": true, "redação": true, "redactie": true, "agencies": true, "agency": true,
}

var roleWords = []string{
	"staff writer", "correspondent", "reporter", "editor", "columnist", "contributor", "journalist", "writer", "producer",
	"redakteur", "korrespondent", "journaliste", "periodista", "giornalista", "jornalista", "verslaggever", "senior", "chief", "deputy", "photographer", "fotograf",
}

// cleanAuthors turns raw author strings (JSON-LD names, meta values, visible
// bylines) into a list of people's names. Publishers and agencies are kept
// only when no person is named.
func cleanAuthors(raw []string, site string) []string {
	var persons, orgs []string
	seen := map[string]bool{}
	siteL := strings.ToLower(site)
	for _, r := range raw {
		for _, name := range splitNames(r) {
			key := strings.ToLower(name)
			if seen[key] {
				continue
			}
			seen[key] = true
			if agencies[key] || key == siteL || siteL != "" && strings.Contains(key, siteL) || looksOrg(name) {
				orgs = append(orgs, name)
				continue
			}
			persons = append(persons, name)
		}
	}
	if len(persons) > 0 {
		return persons
	}
	return orgs
}

func looksOrg(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"news", "media", "press", "times", "post", "journal", "magazine", "agency", "team", "desk", "staff", ".com", "online", "tribune", "herald", "daily", "group"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// splitNames strips "By" and its translations, roles and dates, and splits
// a byline naming several people.
func splitNames(s string) []string {
	s = collapse(s)
	if s == "" || len(s) > 300 {
		return nil
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "/") {
		return nil
	}
	s = stripBy(dropParens(s))
	// Cut at separators that start another field: "Jane Doe | Reuters", "Jane Doe - Updated ..."
	for _, sep := range []string{" | ", " — ", " – ", " - ", "\n", " · ", " • "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	var out []string
	parts := splitOnAny(s, []string{",", ";", " and ", " & ", " und ", " et ", " y ", " e ", " en ", " og ", " och ", " i ", " și "})
	for _, p := range parts {
		p = strings.TrimSpace(stripBy(strings.TrimSpace(p)))
		p = strings.Trim(p, " .:;,-–—|()[]\"'“”")
		if p == "" || len(p) > 60 {
			continue
		}
		if strings.ContainsAny(p, "@0123456789/") {
			continue
		}
		lp := strings.ToLower(p)
		role := false
		for _, r := range roleWords {
			if strings.Contains(lp, r) {
				role = true
				break
			}
		}
		if role && !agencies[lp] {
			continue
		}
		if n := len(strings.Fields(p)); n > 5 {
			continue
		}
		if !startsUpper(p) {
			continue
		}
		if isUpperWord(p) && len(p) > 4 && !agencies[lp] {
			p = titleCase(p)
		}
		out = append(out, p)
	}
	return out
}

// dropParens removes parenthesized asides, which in a byline name an
// agency, a role or a place: "Jane Doe (Reuters)". A byline that is
// nothing but an aside keeps its text.
func dropParens(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	out := collapse(b.String())
	if strings.IndexFunc(out, unicode.IsLetter) < 0 {
		return strings.Trim(s, "() ")
	}
	return out
}

func stripBy(s string) string {
	l := strings.ToLower(s)
	for _, p := range bylinePrefixes {
		if strings.HasPrefix(l, p) && (len(l) == len(p) || !unicode.IsLetter(rune(l[len(p)])) || strings.HasSuffix(p, ":")) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}

func splitOnAny(s string, seps []string) []string {
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) || !unicode.IsLower(r) && unicode.IsLetter(r)
	}
	return false
}

func isUpperWord(s string) bool {
	has := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			has = true
		}
	}
	return has
}

func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		for j := 1; j < len(rs); j++ {
			if rs[j-1] == '-' || rs[j-1] == '\'' {
				rs[j] = unicode.ToUpper(rs[j])
			}
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}
