package robots

import (
	"strings"
	"time"
)

// group is the merged rules that apply to one agent.
type group struct {
	rules      []rule
	crawlDelay time.Duration
}

// rule is one Allow or Disallow line, ready to match.
type rule struct {
	allow bool
	// parts are the pattern's literal pieces between its "*" wildcards,
	// in comparison form (see encode).
	parts []string
	// anchored: the pattern ended in "$", so it must match to the end of
	// the path.
	anchored bool
	// octets is the pattern's length in octets once normalised (the
	// RFC 9309 specificity of a match): non-ASCII bytes count as their
	// three-byte escape, escapes of unreserved characters as one byte.
	octets int
}

// newRules returns the rules of an Allow or Disallow value: none for an
// empty value (it matches nothing), one otherwise, and for an Allow of a
// directory's "index.htm(l)" a second one allowing the directory itself,
// as Google does.
func newRules(value string, allow bool) []rule {
	if value == "" {
		return nil
	}
	out := []rule{compile(value, allow)}
	if allow {
		if i := strings.LastIndexByte(value, '/'); i >= 0 && strings.HasPrefix(value[i:], "/index.htm") {
			out = append(out, compile(value[:i+1]+"$", true))
		}
	}
	return out
}

func compile(pattern string, allow bool) rule {
	r := rule{allow: allow}
	if strings.HasSuffix(pattern, "$") {
		r.anchored = true
		pattern = pattern[:len(pattern)-1]
		r.octets = 1
	}
	pieces := strings.Split(pattern, "*")
	r.octets += len(pieces) - 1
	for _, p := range pieces {
		enc, n := encode(p)
		r.parts = append(r.parts, enc)
		r.octets += n
	}
	return r
}

// allowed reports whether path (escaped path and query) may be fetched:
// the longest matching pattern decides, Allow winning a tie, and no match
// allows (RFC 9309 section 2.2.2).
func (g *group) allowed(path string) bool {
	p, _ := encode(path)
	best, allow := -1, true
	for i := range g.rules {
		r := &g.rules[i]
		if r.octets < best || (r.octets == best && !r.allow) {
			continue
		}
		if r.match(p) {
			best, allow = r.octets, r.allow
		}
	}
	return allow
}

// match reports whether the rule matches the start of p (in comparison
// form). A pattern's "*" matches any run of bytes, so matching its
// literal pieces leftmost-first is exact and linear in practice.
func (r *rule) match(p string) bool {
	first := r.parts[0]
	if !strings.HasPrefix(p, first) {
		return false
	}
	pos := len(first)
	n := len(r.parts)
	if n == 1 {
		return !r.anchored || pos == len(p)
	}
	for _, part := range r.parts[1 : n-1] {
		i := strings.Index(p[pos:], part)
		if i < 0 {
			return false
		}
		pos += i + len(part)
	}
	last := r.parts[n-1]
	if r.anchored {
		return len(p)-len(last) >= pos && strings.HasSuffix(p, last)
	}
	return strings.Contains(p[pos:], last)
}

// encode returns s (a pattern piece without "*" and final "$", or a URL's
// escaped path and query) in the form rules and URLs are compared in, and
// its length in octets once normalised.
//
// RFC 9309 section 2.2.2 has both sides percent-encoded alike before
// comparison: non-ASCII octets and reserved characters encoded, escapes of
// unreserved characters decoded. So "%aa" matches "%AA", "/ü" matches
// "/%C3%BC", "%62az" matches "baz", and a rule's "%2A" or "%24" matches a
// literal "*" or "$" in the URL (section 2.2.3). "/" and "?" stay as they
// are: "%2F" is not a path separator, nor "%3F" the start of a query. A
// "%" that starts no escape is read as "%25".
func encode(s string) (string, int) {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	octets := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
			if isUnreserved(v) {
				b.WriteByte(v)
				octets++
				continue
			}
			b.WriteByte('%')
			b.WriteByte(hex[v>>4])
			b.WriteByte(hex[v&15])
			octets += 3
			continue
		}
		switch {
		case isUnreserved(c) || c == '/' || c == '?':
			b.WriteByte(c)
			octets++
			continue
		case c < 0x80 && c != '%':
			octets++ // reserved or not, written raw: one octet
		default:
			octets += 3 // non-ASCII, or a stray "%": encoded
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String(), octets
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
