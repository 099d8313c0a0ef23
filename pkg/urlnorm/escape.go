package urlnorm

import "strings"

// component says where a string sits in a URL, which decides the bytes
// that must be percent-encoded there.
type component int

const (
	inPath component = iota
	inQuery
)

// escape returns s with percent-encoding in canonical form: escapes of
// unreserved characters decoded, hex upper-cased, a "%" that starts no
// escape written "%25", bytes that may not appear raw encoded, and
// reserved characters left as they were written. The decision for each
// byte depends on that byte alone, so escape(escape(s)) == escape(s) and
// a decoded and an encoded spelling of the same bytes give one result.
func escape(s string, c component) string {
	if !needsEscape(s, c) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[v>>4])
				b.WriteByte(hex[v&15])
			}
			i += 2
		case ch == '%' || mustEscape(ch, c):
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// needsEscape reports whether escape would change s.
func needsEscape(s string, c component) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return true
			}
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) || s[i+1] >= 'a' || s[i+2] >= 'a' {
				return true
			}
			i += 2
			continue
		}
		if mustEscape(ch, c) {
			return true
		}
	}
	return false
}

// mustEscape reports the bytes that may not appear raw in component c:
// everything but the unreserved and reserved characters of RFC 3986 (and
// "%", handled by the caller), plus "[" and "]" outside the host, "?" in a
// path, and "'" in a query, which browsers encode there (URL standard,
// special-query percent-encode set).
func mustEscape(ch byte, c component) bool {
	switch {
	case isUnreserved(ch):
		return false
	case ch == '\'':
		return c == inQuery
	case ch == '?':
		return c == inPath
	case strings.IndexByte("!$&()*+,;=:@/", ch) >= 0:
		return false
	}
	return true
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

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
