package urlnorm

import (
	"fmt"
	"strconv"
	"strings"
)

// parsed is an http(s) URL split as the WHATWG URL parser splits it, with
// each part already in canonical form except the query, which is kept raw
// until serialisation (so a relative "?q" can replace it).
type parsed struct {
	scheme string // "http" or "https"
	host   string // canonical, IPv6 in brackets
	port   string // canonical digits, "" for none or the default
	path   string // canonical, starts with "/"
	query  string // raw, without "?"
}

// clean removes what browsers remove before parsing: leading and trailing
// C0 controls and spaces, and every ASCII tab and newline.
// It works on bytes: a tab inside a UTF-8 sequence leaves the sequence
// whole once removed.
func clean(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= 0x20 {
		i++
	}
	for j > i && s[j-1] <= 0x20 {
		j--
	}
	s = s[i:j]
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	b := make([]byte, 0, len(s))
	for k := 0; k < len(s); k++ {
		if c := s[k]; c != '\t' && c != '\n' && c != '\r' {
			b = append(b, c)
		}
	}
	return string(b)
}

// splitScheme returns the lower-cased scheme of s and what follows its
// ":", or ok false when s does not start with a scheme.
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
		case i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// parseAbsolute parses a cleaned absolute URL.
func parseAbsolute(s string) (*parsed, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrUnparseable)
	}
	scheme, rest, ok := splitScheme(s)
	if !ok {
		return nil, fmt.Errorf("%w: not an absolute url", ErrScheme)
	}
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("%w %q", ErrScheme, scheme)
	}
	// A special scheme's authority follows any number of slashes of
	// either kind, even none ("http:news.example").
	return parseAuthority(scheme, strings.TrimLeft(rest, `/\`))
}

// parseRelative resolves a cleaned reference against base.
func parseRelative(base *parsed, s string) (*parsed, error) {
	if scheme, rest, ok := splitScheme(s); ok {
		if scheme != "http" && scheme != "https" {
			return nil, fmt.Errorf("%w %q", ErrScheme, scheme)
		}
		if scheme != base.scheme || strings.HasPrefix(rest, "//") {
			return parseAuthority(scheme, strings.TrimLeft(rest, `/\`))
		}
		// "http:path" against an http base is relative (WHATWG "special
		// relative or authority state").
		s = rest
	}
	if len(s) >= 2 && isSlash(s[0]) && isSlash(s[1]) {
		return parseAuthority(base.scheme, strings.TrimLeft(s, `/\`))
	}
	out := &parsed{scheme: base.scheme, host: base.host, port: base.port}
	if s == "" || s[0] == '#' {
		out.path, out.query = base.path, base.query
		return out, nil
	}
	if s[0] == '?' {
		out.path = base.path
		out.query = cutFragment(s[1:])
		return out, nil
	}
	rawPath, query, _ := strings.Cut(cutFragment(s), "?")
	out.query = query
	if isSlash(rawPath[0]) {
		out.path = buildPath(nil, rawPath)
		return out, nil
	}
	// Merge: the base's segments but its last, then the reference's.
	segs := strings.Split(base.path[1:], "/")
	out.path = buildPath(segs[:len(segs)-1], "/"+rawPath)
	return out, nil
}

// parseAuthority parses what follows "scheme://": userinfo, host, port,
// path and query; the fragment is dropped.
func parseAuthority(scheme, s string) (*parsed, error) {
	end := strings.IndexAny(s, `/\?#`)
	if end < 0 {
		end = len(s)
	}
	authority, rest := s[:end], s[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		user, pass, _ := strings.Cut(authority[:at], ":")
		if user != "" || pass != "" {
			return nil, ErrCredentials
		}
		authority = authority[at+1:]
	}
	hostport, port := authority, ""
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		hostport, port = authority[:i], authority[i+1:]
	}
	host, err := normalizeHost(hostport)
	if err != nil {
		return nil, err
	}
	port, err = normalizePort(scheme, port)
	if err != nil {
		return nil, err
	}
	out := &parsed{scheme: scheme, host: host, port: port}
	rawPath, query, _ := strings.Cut(cutFragment(rest), "?")
	out.query = query
	out.path = buildPath(nil, rawPath)
	return out, nil
}

// normalizePort returns the canonical port: digits without leading zeros,
// "" for the scheme's default or an empty port.
func normalizePort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	for i := 0; i < len(port); i++ {
		if !isDigit(port[i]) {
			return "", fmt.Errorf("%w: port %q", ErrHost, port)
		}
	}
	port = strings.TrimLeft(port, "0")
	n, err := strconv.Atoi(port)
	if port == "" || err != nil || n > 65535 {
		// Port 0 is valid URL syntax but nothing can be fetched from it.
		return "", fmt.Errorf("%w: port %q", ErrHost, port)
	}
	if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
		return "", nil
	}
	return port, nil
}

func cutFragment(s string) string {
	s, _, _ = strings.Cut(s, "#")
	return s
}

// buildPath appends the segments of raw (a path starting with a slash, or
// "") to base (canonical segments), resolving dot segments as the URL
// standard does, and returns the canonical path.
func buildPath(base []string, raw string) string {
	segs := append([]string(nil), base...)
	if raw == "" {
		if len(segs) == 0 {
			return "/"
		}
		return "/" + strings.Join(segs, "/")
	}
	parts := splitSlashes(raw[1:])
	for i, seg := range parts {
		last := i == len(parts)-1
		switch {
		case isDoubleDot(seg):
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if last {
				segs = append(segs, "")
			}
		case isSingleDot(seg):
			if last {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, escape(seg, inPath))
		}
	}
	return "/" + strings.Join(segs, "/")
}

// splitSlashes splits s on "/" and "\", keeping empty segments.
func splitSlashes(s string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, `/\`)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

func isSingleDot(s string) bool { return s == "." || strings.EqualFold(s, "%2e") }

func isDoubleDot(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
