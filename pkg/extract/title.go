package extract

import (
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file finds the headline. Pages state it several times: JSON-LD
// headline, og:title and twitter:title, <title> (with the site name and a
// section), microdata, and the <h1> over the story. Each statement is
// cleaned of the site name and section, whichever separator and side they
// use; then the most trusted statement is the headline when another one
// (or the <h1>) agrees with it, or when the others only word the same
// headline differently. When it says something else while others agree
// among themselves (a description in the JSON-LD headline, another
// headline in og:title), the first of those is the headline.

// titleCand is one statement of the title and its provenance.
type titleCand struct{ text, src string }

// titleSeparators split a <title> into the headline and the site or section
// names around it.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " « ", " // ", " / ", " ~ ", " ｜ ", "｜", " │ ", ": "}

// pickTitle chooses the headline among the candidates (in order of trust)
// and the page's <h1>s. near reports whether an <h1> sits over the story.
// It returns the title, its provenance and the index in h1s of the <h1>
// that shows it (-1 if none).
func pickTitle(cands []titleCand, h1s []heading, sites []string, near func(heading) bool) (string, string, int) {
	usable := func(h heading) bool {
		return h.text != "" && !h.home && utf8.RuneCountInString(h.text) >= 2 && !isSiteName(h.text, sites)
	}
	var heads []int // usable <h1>s, those over the story first
	keys := make([]string, len(h1s))
	for _, pass := range []bool{true, false} {
		for i, h := range h1s {
			if usable(h) && near(h) == pass {
				heads = append(heads, i)
				keys[i] = titleKey(h.text)
			}
		}
	}
	type stmt struct {
		text, src, raw string
		key            string
	}
	var st []stmt
	for _, c := range cands {
		t := cleanTitle(c.text, sites, c.src == "html")
		// A title that holds an <h1> between separators is cut to it.
		for _, i := range heads {
			if k := keys[i]; k != titleKey(c.text) && agreesWithSegment(k, c.text) {
				t = collapse(h1s[i].text)
				break
			}
		}
		if t != "" {
			st = append(st, stmt{text: t, src: c.src, raw: c.text, key: titleKey(t)})
		}
	}
	// headOf returns the <h1> that agrees with statement k, or -1.
	headOf := func(k string) int {
		for _, i := range heads {
			if sameTitle(k, keys[i]) {
				return i
			}
		}
		return -1
	}
	support := func(i int) int {
		n := 0
		for j := range st {
			if j != i && sameTitle(st[i].key, st[j].key) {
				n++
			}
		}
		if headOf(st[i].key) >= 0 {
			n++
		}
		return n
	}
	// pick returns statement i, or the <h1> it agrees with when the
	// statement was cut short ("...for a year of rep…").
	pick := func(i int) (string, string, int) {
		h := headOf(st[i].key)
		if h >= 0 && (strings.HasSuffix(st[i].text, "…") || strings.HasSuffix(st[i].text, "...")) {
			return collapse(h1s[h].text), "html", h
		}
		return st[i].text, st[i].src, h
	}
	if len(st) > 0 {
		if support(0) > 0 {
			return pick(0)
		}
		for i := 1; i < len(st); i++ {
			// A variant of the same headline ("Seven secrets..." for "The
			// seven secrets...") leaves the publisher's own statement
			// standing; another headline altogether gives way.
			if support(i) > 0 && !sameHeadline(st[0].key, st[i].key) {
				return pick(i)
			}
		}
		return pick(0)
	}
	if len(heads) > 0 {
		return collapse(h1s[heads[0]].text), "html", heads[0]
	}
	return "", "", -1
}

// exactSiteName reports whether seg is one of the site names, ignoring
// case, spaces and punctuation.
func exactSiteName(seg string, sites []string) bool {
	s := alnumKey(seg)
	for _, site := range sites {
		if s != "" && s == alnumKey(site) {
			return true
		}
	}
	return false
}

// agreesWithSegment reports whether a raw title, cut at its separators,
// starts or ends with the headline key k: "Storm hits coast - News -
// Example" agrees with the <h1> "Storm hits coast" whatever the site name.
func agreesWithSegment(k, raw string) bool {
	if len(k) < 8 {
		return false
	}
	r := titleKey(raw)
	if r == k {
		return true
	}
	if strings.HasPrefix(r, k) && isSeparatorStart(r[len(k):]) || strings.HasSuffix(r, k) && isSeparatorEnd(r[:len(r)-len(k)]) {
		return true
	}
	// A <title> cut short with an ellipsis.
	if t, ok := strings.CutSuffix(r, "…"); ok && len(t) >= 20 && strings.HasPrefix(k, strings.TrimSpace(t)) {
		return true
	}
	return false
}

// sameTitle compares two title keys: equal, or one a cut-short form of the
// other ("Headline that goes on…").
func sameTitle(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	for _, p := range [][2]string{{a, b}, {b, a}} {
		if t, ok := strings.CutSuffix(p[0], "…"); ok && len(t) >= 20 && strings.HasPrefix(p[1], strings.TrimSpace(t)) {
			return true
		}
	}
	return false
}

// titleKey is the form in which titles are compared: lowercase, one kind of
// quote and dash, single spaces, no trailing punctuation.
func titleKey(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case '’', '‘', '´', '`':
			r = '\''
		case '“', '”', '„', '«', '»':
			r = '"'
		case '–', '—', '‐', '−':
			r = '-'
		case '…':
			if sb.Len() > 0 {
				sb.WriteString("...")
			}
			continue
		}
		if unicode.IsSpace(r) || r == 0xA0 || r == '¶' {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	// A title cut short keeps its mark, as "…", for sameTitle.
	k := sb.String()
	cut := strings.HasSuffix(k, "...")
	k = strings.TrimRight(k, " .!?:;,")
	if cut {
		k += "…"
	}
	return k
}

// cleanTitle removes the site name, and a section beside it, that pages
// add before or after the headline in <title> and og:title, whichever
// separator and side they use: "Storm hits coast | World | The Daily
// Example", "Daily Example - Storm hits coast", "Storm hits coast
// [example.org]".
//
// Without a known site name, a short name-like segment at either end is
// taken for one only when blind is set (for <title>, which nearly always
// carries the site name; og:title and JSON-LD rarely do).
func cleanTitle(title string, sites []string, blind bool) string {
	title = collapse(title)
	if title == "" {
		return ""
	}
	title = stripBracketSite(title, sites, blind)
	for _, sep := range titleSeparators {
		if !strings.Contains(title, sep) {
			continue
		}
		parts := strings.Split(title, sep)
		removed := false
		for len(parts) > 1 && sep != ": " && isSiteName(parts[len(parts)-1], sites) {
			parts, removed = parts[:len(parts)-1], true
		}
		// "Site: Headline", but not "Site Gift Guide: Headline" (a series)
		// nor "Site: Colophon" (how the site titles a page of its own).
		for len(parts) > 1 && isSiteName(parts[0], sites) && (sep != ": " || exactSiteName(parts[0], sites) && countWords(strings.Join(parts[1:], sep)) >= 3) {
			parts, removed = parts[1:], true
		}
		if removed {
			// A short segment left beside the headline, on the side the
			// site name was, is a section: "Headline | World | Site".
			if len(parts) >= 2 && sep != ": " {
				last := parts[len(parts)-1]
				rest := strings.Join(parts[:len(parts)-1], sep)
				if countWords(last) <= 3 && siteLike(last) && countWords(rest) >= 3 {
					parts = parts[:len(parts)-1]
				}
			}
			return strings.TrimSpace(strings.Join(parts, sep))
		}
		if sep == ": " || sep == " / " || !blind {
			continue // usually part of the headline
		}
		// No site name known: strip a short last (or first) segment that
		// reads as a name.
		first, last := parts[0], parts[len(parts)-1]
		if len(parts) >= 2 && countWords(last) <= 4 && siteLike(last) && countWords(strings.Join(parts[:len(parts)-1], sep)) >= 3 {
			return strings.TrimSpace(strings.Join(parts[:len(parts)-1], sep))
		}
		if len(parts) == 2 && countWords(first) <= 3 && siteLike(first) && countWords(parts[1]) >= 4 {
			return strings.TrimSpace(parts[1])
		}
	}
	return title
}

// stripBracketSite removes a site name in brackets at either end of a
// title: "Storm hits coast [LWN.net]", "(Example News) Storm hits coast".
//
// With blind set, any name in square brackets at the end goes: <title>s
// tag the site that way ("... [Archive of Example]").
func stripBracketSite(title string, sites []string, blind bool) string {
	for _, br := range [][2]string{{"[", "]"}, {"(", ")"}, {"【", "】"}} {
		if strings.HasSuffix(title, br[1]) {
			if i := strings.LastIndex(title, br[0]); i > 0 {
				inner := title[i+len(br[0]) : len(title)-len(br[1])]
				if isSiteName(inner, sites) || isDomain(inner) || blind && br[0] == "[" && !containsDigit(inner) && countWords(title[:i]) >= 3 {
					return strings.TrimSpace(title[:i])
				}
			}
		}
		if strings.HasPrefix(title, br[0]) {
			if i := strings.Index(title, br[1]); i > 0 && i+len(br[1]) < len(title) {
				inner := title[len(br[0]):i]
				if isSiteName(inner, sites) || isDomain(inner) {
					return strings.TrimSpace(title[i+len(br[1]):])
				}
			}
		}
	}
	return title
}

// isSiteName reports whether a title segment names the site: it matches one
// of the known site names (og:site_name, the publisher, the host's name)
// once case, spaces and punctuation are ignored, or it is a domain name.
func isSiteName(seg string, sites []string) bool {
	s := alnumKey(seg)
	if s == "" {
		return false
	}
	if isDomain(strings.TrimSpace(seg)) {
		return true
	}
	for _, site := range sites {
		k := alnumKey(site)
		if k == "" {
			continue
		}
		// "The Daily Example" names the site "Daily Example"; a segment
		// that adds a little to the site name ("Daily Example Online")
		// still names it.
		if s == k || strings.Contains(k, s) && len(s) >= 4 || strings.Contains(s, k) && len(s) < len(k)+12 && len(k) >= 4 {
			return true
		}
	}
	return false
}

// alnumKey lowercases s and keeps only its letters and digits, without a
// leading English article: "The Daily-Example" -> "dailyexample".
func alnumKey(s string) string {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); strings.HasPrefix(l, "the ") {
		s = s[4:]
	}
	var sb strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// isDomain reports whether s is a bare domain name such as "example.org"
// or "LWN.net".
func isDomain(s string) bool {
	if strings.ContainsAny(s, " /") || !strings.Contains(s, ".") {
		return false
	}
	dot := strings.LastIndexByte(s, '.')
	tld := s[dot+1:]
	if len(tld) < 2 || len(tld) > 6 || dot == 0 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// separatorRunes are the characters that part a headline from the site
// and section names in a title.
const separatorRunes = "|-–—:·•»«/~｜│_"

// isSeparatorStart reports whether s starts with a title separator, after
// the headline's closing punctuation and a bracketed source: "? - Site",
// " (Agency) - Site".
func isSeparatorStart(s string) bool {
	s = strings.TrimLeft(s, " ?!.,\"')»”’」")
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}, {"【", "】"}} {
		if strings.HasPrefix(s, br[0]) {
			if i := strings.Index(s, br[1]); i > 0 {
				s = strings.TrimLeft(s[i+len(br[1]):], " ")
			}
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && strings.ContainsRune(separatorRunes, r)
}

// isSeparatorEnd reports whether s ends with a title separator.
func isSeparatorEnd(s string) bool {
	s = strings.TrimRight(s, " ")
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && strings.ContainsRune(separatorRunes, r)
}

// siteLike reports whether a title segment could be a site name: it starts
// with a capital or a digit, or looks like a domain.
func siteLike(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ".") && !strings.Contains(s, " ") {
		return true
	}
	for _, r := range s {
		return unicode.IsUpper(r) || unicode.IsDigit(r) || !unicode.IsLower(r) && unicode.IsLetter(r)
	}
	return false
}

// sameHeadline reports whether two title keys word one headline: most of
// the words of each are in the other.
func sameHeadline(a, b string) bool {
	wa, wb := titleWords(a), titleWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	return common*10 >= len(wa)*7 && common*10 >= len(wb)*7
}

// titleWords is the set of words of a title key; in scripts written
// without spaces each character counts as a word.
func titleWords(k string) map[string]bool {
	set := map[string]bool{}
	for _, f := range strings.FieldsFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if isCJKName(f) {
			for _, r := range f {
				set[string(r)] = true
			}
			continue
		}
		set[f] = true
	}
	return set
}

// homeLinkOnly reports whether all the text of heading n sits in one link
// to the home page of the site or of a section above the page, as in the
// masthead of many templates (<h1 class="site-title"><a href="/">Example
// Times</a></h1>): that heading names the site, not the story. A link to
// the page itself (a permalink around the headline) is not a home link.
func homeLinkOnly(n *html.Node, base *url.URL) bool {
	var link *html.Node
	stray := false
	var visit func(n, in *html.Node)
	visit = func(n, in *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.DataAtom == atom.A && in == nil:
			if link != nil {
				stray = true
			}
			link, in = n, n
		case n.Type == html.TextNode && in == nil && strings.TrimSpace(n.Data) != "":
			stray = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, in)
		}
	}
	visit(n, nil)
	if stray || link == nil {
		return false
	}
	return isHomeHref(strings.TrimSpace(attr(link, "href")), base)
}

// isHomeHref reports whether href leads to the index of the site or of a
// directory above base.
func isHomeHref(href string, base *url.URL) bool {
	if base == nil {
		switch href {
		case "/", "./", "index.html", "index.htm", "index.php":
			return true
		}
		return false
	}
	u, err := url.Parse(href)
	if err != nil || href == "" || u.Fragment != "" && u.Path == "" {
		return false
	}
	u = base.ResolveReference(u)
	if !strings.EqualFold(u.Host, base.Host) || u.RawQuery != "" || u.Path == base.Path {
		return false
	}
	dir, last := path.Split(u.Path)
	if last != "" && !strings.HasPrefix(last, "index.") {
		return false
	}
	if dir == "" {
		dir = "/"
	}
	return strings.HasPrefix(base.Path, dir)
}

// headingText is the text of a heading without the permalink marks docs
// generators append to it ("Install¶", "Usage 🔗").
func headingText(s string) string {
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "¶🔗 "))
}
