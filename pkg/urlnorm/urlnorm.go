// Package urlnorm puts URLs into one canonical spelling, so that the many
// ways a page is linked (tracking parameters, case, default ports, IDN,
// percent-encoding, fragments, parameter order, stray whitespace) map to
// one key for the crawl's seen-set, and tells which registrable domain
// ("site") a host belongs to, for crawl scope.
//
// Parsing follows the WHATWG URL standard for the http and https schemes,
// so a link reads as a browser reads it: ASCII tab and newline are removed
// from anywhere, leading and trailing C0 controls and spaces are stripped,
// backslashes count as slashes, a stray "%" is kept (as "%25"), hosts go
// through UTS #46 without the hyphen checks DNS does not make, and "ends in
// a number" hosts are IPv4 addresses. The canonical form then goes further
// than a browser's serialisation, to give one key per resource (see
// Normalize).
//
// It depends on the standard library and golang.org/x/net (idna and
// publicsuffix) only; it never touches the network.
package urlnorm

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Errors returned by Normalize and Resolve, wrapped with detail; test with
// errors.Is. No error message holds the URL's userinfo.
var (
	// ErrUnparseable is returned for a string that is not a URL.
	ErrUnparseable = errors.New("unparseable url")
	// ErrScheme is returned for a URL whose scheme is not http or https.
	ErrScheme = errors.New("unsupported scheme")
	// ErrHost is returned for a missing or invalid host or port.
	ErrHost = errors.New("invalid host")
	// ErrCredentials is returned for a URL with a non-empty user name or
	// password ("http://user:secret@host/", "http://a:@host/"): such a URL
	// is neither fetched nor kept, so its secret is never sent or stored.
	// The error text does not include the URL.
	ErrCredentials = errors.New("url has credentials")
)

// MaxLength is the longest URL Normalize accepts, and the longest it
// returns.
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

// Normalize returns the canonical spelling of an absolute http(s) URL:
//
//   - parsed as a browser parses it (WHATWG URL): tabs and newlines
//     removed, surrounding C0 controls and spaces stripped, "\" read as
//     "/", "http:host" and "http:///host" read as "http://host";
//   - scheme and host lower-cased, trailing dots removed from the host,
//     percent-escapes in the host decoded, IDN hosts in punycode (UTS #46
//     non-transitional; labels with leading, trailing or third-and-fourth
//     position hyphens are accepted, as DNS accepts them), IPv4 hosts in
//     dotted-quad (so "2130706433" and "0x7f.1" read 127.0.0.1), IPv6
//     hosts as the URL standard writes them ("[::ffff:7f00:1]");
//   - default ports (:80 for http, :443 for https) and empty ports removed;
//   - an empty userinfo ("http://@h/", "http://:@h/") removed; a non-empty
//     user name or password refused with ErrCredentials;
//   - the fragment removed;
//   - an empty path becomes "/", dot segments (also "%2e") are resolved;
//   - percent-encoding in one form for every byte: unreserved characters
//     (RFC 3986: letters, digits, "-._~") are decoded, bytes that may not
//     appear raw (controls, space, non-ASCII, `"<>[\]^{|}` and a "%" that
//     starts no escape, plus "'" in the query, as browsers send it) are
//     encoded, hex is upper-case, and reserved characters ("!$&'()*+,;=:@"
//     and "/?") keep the form they were written in, since servers may read
//     "%2F" and "/" differently. Whether a byte is encoded never depends on
//     the rest of the URL, so the result is a fixed point;
//   - tracking parameters (utm_*, fbclid, gclid, mc_eid, ...) removed, the
//     remaining parameters sorted by key (stably, so repeated keys keep
//     their order), empty pairs and a bare "?" removed.
//
// Errors wrap ErrUnparseable, ErrScheme, ErrHost or ErrCredentials.
func Normalize(raw string) (string, error) {
	if len(raw) > MaxLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrUnparseable, MaxLength)
	}
	p, err := parseAbsolute(clean(raw))
	if err != nil {
		return "", err
	}
	return p.serialize()
}

// Resolve resolves ref (an href, a sitemap's loc, a feed's link) against
// the absolute URL base as a browser does, and returns it normalised as by
// Normalize. An absolute ref ignores base. Errors are those of Normalize;
// a base that does not normalise is an error wrapping ErrUnparseable.
func Resolve(base, ref string) (string, error) {
	if len(ref) > MaxLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrUnparseable, MaxLength)
	}
	b, err := parseAbsolute(clean(base))
	if err != nil {
		return "", fmt.Errorf("%w: base: %w", ErrUnparseable, err)
	}
	p, err := parseRelative(b, clean(ref))
	if err != nil {
		return "", err
	}
	return p.serialize()
}

// Redact returns raw without its userinfo ("http://user:pw@h/x" gives
// "http://h/x"), for logs and records of a URL that may carry credentials.
// Anything else in raw is kept as it was.
func Redact(raw string) string {
	i := strings.Index(raw, "//")
	if i < 0 {
		return raw
	}
	start := i + 2
	end := len(raw)
	if j := strings.IndexAny(raw[start:], "/\\?#"); j >= 0 {
		end = start + j
	}
	at := strings.LastIndexByte(raw[start:end], '@')
	if at < 0 {
		return raw
	}
	return raw[:start] + raw[start+at+1:]
}

// serialize writes the canonical form of p.
func (p *parsed) serialize() (string, error) {
	var b strings.Builder
	b.Grow(len(p.host) + len(p.path) + len(p.query) + 16)
	b.WriteString(p.scheme)
	b.WriteString("://")
	b.WriteString(p.host)
	if p.port != "" {
		b.WriteByte(':')
		b.WriteString(p.port)
	}
	b.WriteString(p.path)
	if q := normalizeQuery(p.query); q != "" {
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

// normalizeQuery escapes a raw query canonically, drops tracking
// parameters and empty pairs and sorts the rest by key.
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
		kv = escape(kv, inQuery)
		k, _, _ := strings.Cut(kv, "=")
		if IsTrackingParam(unescapeKey(k)) {
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

// unescapeKey decodes an escaped query key ("utm%5Fsource"), reading "+"
// as a space as forms do.
func unescapeKey(k string) string {
	if !strings.ContainsAny(k, "%+") {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(k) && isHex(k[i+1]) && isHex(k[i+2]):
			b.WriteByte(unhex(k[i+1])<<4 | unhex(k[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
