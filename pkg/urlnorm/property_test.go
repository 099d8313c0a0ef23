package urlnorm

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// A generated URL is built from tokens, each with one canonical spelling
// and the other spellings that mean the same bytes to a server. The test
// writes the canonical URL by hand, then checks that Normalize gives it
// for the canonical spelling and for random equivalent spellings:
// Normalize(x) == Normalize(variant(x)) == canonical.

// token is one character (or escape) of a path or query.
type token struct {
	canon    string   // how Normalize writes it
	variants []string // other spellings of the same bytes
}

// hexCases returns the escape of b in upper and lower case.
func hexCases(b byte) []string {
	up := fmt.Sprintf("%%%02X", b)
	return []string{up, strings.ToLower(up)}
}

// pathTokens and queryTokens cover every character class.
func genTokens(inQueryPart bool) []token {
	var ts []token
	// Unreserved: canonical raw; escapes in either case are equivalent.
	for _, c := range []byte("aZ09-._~") {
		ts = append(ts, token{canon: string(c), variants: append([]string{string(c)}, hexCases(c)...)})
	}
	// Reserved: two distinct tokens, the raw and the escaped; only the
	// hex case varies.
	reserved := "!$()*+,;:@"
	if inQueryPart {
		reserved += "/?" // "&" and "=" split the query
	} else {
		reserved += "'=&"
	}
	for _, c := range []byte(reserved) {
		ts = append(ts, token{canon: string(c), variants: []string{string(c)}})
		esc := hexCases(c)
		ts = append(ts, token{canon: esc[0], variants: esc})
	}
	// Must be encoded: raw or escaped in either case.
	must := []string{" ", "\"", "<", ">", "[", "]", "^", "`", "{", "|", "}", "\x01", "\x7f"}
	if inQueryPart {
		must = append(must, "'")
	} else {
		must = append(must, "?")
	}
	for _, s := range must {
		esc := hexCases(s[0])
		vs := append([]string{esc[0], esc[1]}, s)
		if s == "?" {
			vs = esc // a raw "?" would start the query
		}
		ts = append(ts, token{canon: esc[0], variants: vs})
	}
	// Non-ASCII: the UTF-8 bytes raw, or escaped in either case.
	for _, r := range []string{"ü", "ツ", "€", "😀"} {
		var up, low strings.Builder
		for i := 0; i < len(r); i++ {
			e := hexCases(r[i])
			up.WriteString(e[0])
			low.WriteString(e[1])
		}
		ts = append(ts, token{canon: up.String(), variants: []string{r, up.String(), low.String()}})
	}
	// A "%" that starts no escape, and its explicit escape.
	ts = append(ts, token{canon: "%25", variants: []string{"%25", "%"}})
	return ts
}

type hostChoice struct {
	canon    string
	variants []string
}

var hostChoices = []hostChoice{
	{canon: "news.example", variants: []string{"news.example", "NEWS.Example", "news.example.", "n%65ws.example", "ｎｅｗｓ.example"}},
	{canon: "xn--bcher-kva.example", variants: []string{"bücher.example", "BÜCHER.example", "xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE"}},
	{canon: "127.0.0.1", variants: []string{"127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1"}},
	{canon: "[2001:db8::1]", variants: []string{"[2001:db8::1]", "[2001:DB8:0:0::1]", "[2001:0db8:0000:0000:0000:0000:0000:0001]"}},
	{canon: "-a--b-.example", variants: []string{"-a--b-.example", "-A--B-.EXAMPLE"}},
}

// generated is one random URL: its canonical form and a way to spell it.
type generated struct {
	scheme   string
	host     hostChoice
	port     string // "" or a non-default port
	segments [][]token
	query    [][2][]token // key, value
}

func generate(r *rand.Rand, pathTokens, queryTokens []token) generated {
	g := generated{scheme: []string{"http", "https"}[r.IntN(2)], host: hostChoices[r.IntN(len(hostChoices))]}
	if r.IntN(4) == 0 {
		g.port = fmt.Sprint(1024 + r.IntN(60000))
	}
	for range r.IntN(4) {
		var seg []token
		for range 1 + r.IntN(6) {
			seg = append(seg, pathTokens[r.IntN(len(pathTokens))])
		}
		if seg[0].canon == "." || (len(seg) == 2 && seg[0].canon == "." && seg[1].canon == ".") {
			seg = append([]token{pathTokens[0]}, seg...) // not a dot segment
		}
		g.segments = append(g.segments, seg)
	}
	for i := range r.IntN(3) {
		key := []token{{canon: fmt.Sprintf("k%d", i), variants: []string{fmt.Sprintf("k%d", i), fmt.Sprintf("%%6B%d", i)}}}
		var val []token
		for range r.IntN(5) {
			val = append(val, queryTokens[r.IntN(len(queryTokens))])
		}
		g.query = append(g.query, [2][]token{key, val})
	}
	return g
}

func (g generated) canonical() string {
	var b strings.Builder
	b.WriteString(g.scheme + "://" + g.host.canon)
	if g.port != "" {
		b.WriteString(":" + g.port)
	}
	b.WriteString("/")
	for i, seg := range g.segments {
		if i > 0 {
			b.WriteString("/")
		}
		for _, t := range seg {
			b.WriteString(t.canon)
		}
	}
	for i, kv := range g.query {
		b.WriteString([]string{"?", "&"}[min(i, 1)])
		for _, t := range kv[0] {
			b.WriteString(t.canon)
		}
		b.WriteString("=")
		for _, t := range kv[1] {
			b.WriteString(t.canon)
		}
	}
	return b.String()
}

// spell writes g with random equivalent spellings of every part.
func (g generated) spell(r *rand.Rand) string {
	pick := func(vs []string) string { return vs[r.IntN(len(vs))] }
	var b strings.Builder
	scheme := g.scheme
	if r.IntN(2) == 0 {
		scheme = strings.ToUpper(scheme)
	}
	b.WriteString(scheme + ":" + pick([]string{"//", "//", `\\`, "/", ""}))
	b.WriteString(pick([]string{"", "", "@", ":@"}))
	b.WriteString(pick(g.host.variants))
	switch {
	case g.port != "":
		b.WriteString(":" + pick([]string{g.port, "0" + g.port}))
	case r.IntN(3) == 0:
		b.WriteString(pick([]string{":", map[string]string{"http": ":80", "https": ":443"}[g.scheme]}))
	}
	slash := func() string { return pick([]string{"/", "/", `\`}) }
	for _, seg := range g.segments {
		b.WriteString(slash())
		if r.IntN(4) == 0 {
			b.WriteString(pick([]string{".", "%2e", "%2E"}) + slash())
		}
		if r.IntN(5) == 0 {
			b.WriteString("zz" + slash() + pick([]string{"..", ".%2e", "%2E."}) + slash())
		}
		b.WriteString(spellTokens(r, seg))
	}
	if len(g.segments) == 0 && r.IntN(2) == 0 {
		b.WriteString("/")
	}
	if len(g.query) > 0 || r.IntN(4) == 0 {
		b.WriteString("?")
	}
	for i, kv := range g.query {
		if i > 0 {
			b.WriteString("&")
		}
		if r.IntN(4) == 0 {
			b.WriteString("utm_source=x&&")
		}
		b.WriteString(spellTokens(r, kv[0]) + "=" + spellTokens(r, kv[1]))
	}
	if s := b.String(); s[len(s)-1] <= 0x20 {
		b.WriteString("#") // or the raw byte would be stripped as trailing space
	}
	if r.IntN(3) == 0 {
		b.WriteString("#" + pick([]string{"", "top", "a b/../c"}))
	}
	s := b.String()
	// Browsers drop tabs and newlines anywhere, and C0 controls and spaces
	// around the URL.
	for range r.IntN(4) {
		i := r.IntN(len(s) + 1)
		s = s[:i] + pick([]string{"\t", "\n", "\r", "\r\n"}) + s[i:]
	}
	return pick([]string{"", " ", "\x00", "\n "}) + s + pick([]string{"", " ", "\x1f", "\t"})
}

// spellTokens writes ts with a random spelling of each, except that a raw
// "%" is only used where it cannot be read as the start of an escape.
func spellTokens(r *rand.Rand, ts []token) string {
	var b strings.Builder
	rawPercent := false
	for _, t := range ts {
		v := t.variants[r.IntN(len(t.variants))]
		if rawPercent && isHex(v[0]) {
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-1] + "%25")
		}
		b.WriteString(v)
		rawPercent = v == "%"
	}
	return b.String()
}

func TestNormalizeEquivalentSpellings(t *testing.T) {
	r := rand.New(rand.NewPCG(9309, 3986))
	pathTokens, queryTokens := genTokens(false), genTokens(true)
	for i := range 3000 {
		g := generate(r, pathTokens, queryTokens)
		want := g.canonical()
		if got, err := Normalize(want); err != nil || got != want {
			t.Fatalf("case %d: Normalize(%q) = %q, %v; want it unchanged", i, want, got, err)
		}
		for range 5 {
			spelling := g.spell(r)
			if got, err := Normalize(spelling); err != nil || got != want {
				t.Fatalf("case %d: Normalize(%q) = %q, %v; want %q", i, spelling, got, err, want)
			}
		}
	}
}
