// Package urlnorm puts URLs into one canonical spelling, so that the many
// ways a page is linked (tracking parameters, case, default ports, IDN,
// fragments, parameter order) map to one key for the crawl's seen-set, and
// tells which registrable domain ("site") a host belongs to, for crawl scope.
//
// It depends on the standard library and golang.org/x/net (idna and
// publicsuffix) only; it never touches the network.
package urlnorm

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Errors returned by Normalize, wrapped with detail; test with errors.Is.
var (
	// ErrUnparseable is returned for a string that is not a URL.
	ErrUnparseable = errors.New("unparseable url")
	// ErrScheme is returned for a URL whose scheme is not http or https.
	ErrScheme = errors.New("unsupported scheme")
	// ErrHost is returned for a missing or invalid host.
	ErrHost = errors.New("invalid host")
)

// MaxLength is the longest URL Normalize accepts.
const MaxLength = 8192

// trackingParams are query parameters that only say how a visitor arrived,
// never which resource they get. Keys are matched case-insensitively;
// every key starting with "utm_" is dropped as well.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "ysclid": true, "twclid": true, "ttclid": true, "igshid": true,
	"li_fat_id": true, "mc_eid": true, "mc_cid": true, "_ga": true, "_gl": true, "_hsenc": true,
	"_hsmi": true, "__hstc": true, "__hssc": true, "__hsfp": true, "hsctatracking": true,
	"mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "vero_conv": true,
	"rb_clickid": true, "s_cid": true, "icid": true, "ncid": true, "cmpid": true, "ocid": true,
	"spm": true, "scid": true, "srsltid": true, "_openstat": true, "wickedid": true,
}

// IsTrackingParam reports whether a query key is dropped by Normalize.
func IsTrackingParam(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(false), // allow "_" in hostnames, seen in the wild
)

// Normalize returns the canonical spelling of an absolute http(s) URL:
//
//   - scheme and host lower-cased, trailing dots removed from the host,
//     IDN hosts in punycode, IPv4 hosts in dotted-quad (so "2130706433" and
//     "0x7f.1" read 127.0.0.1), IPv6 hosts in their canonical form;
//   - default ports (:80 for http, :443 for https) and empty ports removed;
//   - the fragment removed; user info kept;
//   - an empty path becomes "/", dot segments are resolved, percent-escapes
//     use upper-case hex and unreserved characters are unescaped;
//   - tracking parameters (utm_*, fbclid, gclid, mc_eid, ...) removed, the
//     remaining parameters sorted by key (stably, so repeated keys keep
//     their order), empty pairs and a bare "?" removed.
//
// Errors wrap ErrUnparseable, ErrScheme or ErrHost.
func Normalize(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrUnparseable)
	}
	if len(raw) > MaxLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrUnparseable, MaxLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		if scheme == "" {
			return "", fmt.Errorf("%w: not an absolute url", ErrScheme)
		}
		return "", fmt.Errorf("%w %q", ErrScheme, scheme)
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("%w: no host", ErrHost)
	}
	host, err := normalizeHost(u.Hostname())
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%w: port %q", ErrHost, port)
		}
		port = strconv.Itoa(n)
		if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
			port = ""
		}
	}
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	if strings.Contains(host, ":") {
		b.WriteString("[" + host + "]")
	} else {
		b.WriteString(host)
	}
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(normalizePath(u.EscapedPath()))
	if q := normalizeQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	if b.Len() > MaxLength {
		// Escaping can grow a URL threefold; refuse rather than emit a
		// key that would itself be refused.
		return "", fmt.Errorf("%w: longer than %d bytes once escaped", ErrUnparseable, MaxLength)
	}
	return b.String(), nil
}

// normalizeHost returns the canonical form of a host without port.
func normalizeHost(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("%w: no host", ErrHost)
	}
	if strings.Contains(h, ":") { // IPv6 literal (brackets already removed)
		ip, err := netip.ParseAddr(h)
		if err != nil || ip.Zone() != "" {
			return "", fmt.Errorf("%w: %q", ErrHost, h)
		}
		return ip.String(), nil
	}
	if strings.Contains(h, "%") {
		// Percent-encoded hostnames are legal but never seen in real
		// links; refusing them keeps normalisation a fixed point.
		return "", fmt.Errorf("%w: percent-encoded host %q", ErrHost, h)
	}
	h = strings.TrimRight(strings.ToLower(h), ".")
	if h == "" {
		return "", fmt.Errorf("%w: no host", ErrHost)
	}
	if ip, ok := parseIPv4(h); ok {
		return ip.String(), nil
	}
	ascii, err := idnaProfile.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrHost, h, err)
	}
	ascii = strings.TrimRight(ascii, ".")
	if ascii == "" || strings.Contains(ascii, "..") || strings.HasPrefix(ascii, ".") {
		return "", fmt.Errorf("%w: %q", ErrHost, h)
	}
	if len(ascii) > 253 {
		return "", fmt.Errorf("%w: longer than 253 bytes", ErrHost)
	}
	for _, label := range strings.Split(ascii, ".") {
		if len(label) > 63 {
			return "", fmt.Errorf("%w: label longer than 63 bytes", ErrHost)
		}
	}
	for i := 0; i < len(ascii); i++ {
		c := ascii[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("%w: %q", ErrHost, h)
		}
	}
	// A host like "1.2.3.0x10" after IDNA mapping is numeric again.
	if ip, ok := parseIPv4(ascii); ok {
		return ip.String(), nil
	}
	return ascii, nil
}

// ParseIPv4 parses a host the way browsers and inet_aton do (see
// parseIPv4), so an address guard sees "2130706433" as 127.0.0.1 before
// any resolver does.
func ParseIPv4(host string) (netip.Addr, bool) { return parseIPv4(host) }

// parseIPv4 parses a host the way browsers (WHATWG URL) and inet_aton do:
// one to four parts, each decimal, octal (leading 0) or hex (0x), the last
// part filling the remaining bytes. "2130706433", "0x7f.1" and "127.1" are
// all 127.0.0.1. A host whose last label is not numeric is a name.
func parseIPv4(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	for i := 0; i < len(nums)-1; i++ {
		if nums[i] > 255 {
			return netip.Addr{}, false
		}
		v = v<<8 | nums[i]
	}
	rest := 4 - (len(nums) - 1)
	last := nums[len(nums)-1]
	if last >= 1<<(8*rest) {
		return netip.Addr{}, false
	}
	v = v<<(8*rest) | last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseIPv4Part(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if len(p) > 11 {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// normalizePath canonicalises an escaped path.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	p = normalizeEscapes(p)
	p = removeDotSegments(p)
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return p
}

// removeDotSegments implements RFC 3986 section 5.2.4.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if r == "" {
		return "/"
	}
	return r
}

// normalizeQuery drops tracking parameters and empty pairs and sorts the
// rest by key.
func normalizeQuery(q string) string {
	if q == "" {
		return ""
	}
	type pair struct{ key, raw string }
	var pairs []pair
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		kv = normalizeEscapes(kv)
		k := kv
		if i := strings.IndexByte(kv, '='); i >= 0 {
			k = kv[:i]
		}
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		if IsTrackingParam(dk) {
			continue
		}
		pairs = append(pairs, pair{key: k, raw: kv})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}

// normalizeEscapes upper-cases the hex of percent-escapes, unescapes the
// unreserved characters (RFC 3986 section 2.3) and escapes bytes that may
// not appear raw. Reserved characters (and '+' in a query) keep their
// escaped or unescaped form, since servers read the two differently.
func normalizeEscapes(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[v>>4])
				b.WriteByte(hex[v&15])
			}
			i += 2
		case c == '%':
			b.WriteString("%25")
		case c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == '#':
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
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

// Site returns the registrable domain of host (eTLD+1: "news.bbc.co.uk"
// gives "bbc.co.uk"), the unit of crawl scope. A port is ignored. For an IP
// address, a single-label host ("localhost"), a public suffix itself or
// anything publicsuffix cannot place, it returns the host itself,
// lower-cased and without a trailing dot.
func Site(host string) string {
	h := strings.ToLower(strings.TrimSpace(host))
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		h = h[:i]
	}
	h = strings.TrimRight(h, ".")
	if h == "" {
		return h
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return h
	}
	if _, ok := parseIPv4(h); ok {
		return h
	}
	if !strings.Contains(h, ".") {
		return h
	}
	if ascii, err := idnaProfile.ToASCII(h); err == nil {
		h = ascii
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return h
	}
	return site
}

// SiteOf returns Site of the host of a URL, or "" when raw does not parse.
func SiteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return Site(u.Hostname())
}
