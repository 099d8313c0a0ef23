package urlnorm

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile is UTS #46 ToASCII as the URL standard calls it: mapping,
// non-transitional, Bidi and joiner checks, but neither the hyphen checks
// (DNS accepts "-a", "a-" and "ab--c") nor STD3 rules ("_" is seen in
// real host names); lengths are checked by normalizeHost.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.StrictDomainName(false),
	idna.VerifyDNSLength(false),
)

// normalizeHost returns the canonical form of a host without port.
func normalizeHost(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("%w: no host", ErrHost)
	}
	if h[0] == '[' {
		if len(h) < 2 || h[len(h)-1] != ']' {
			return "", fmt.Errorf("%w: %q", ErrUnparseable, h)
		}
		ip, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return "", fmt.Errorf("%w: %q", ErrHost, h)
		}
		return "[" + ipv6String(ip) + "]", nil
	}
	if strings.IndexByte(h, '%') >= 0 {
		h = percentDecode(h)
	}
	if !utf8.ValidString(h) {
		return "", fmt.Errorf("%w: not UTF-8", ErrHost)
	}
	for i := 0; i < len(h); i++ {
		if forbiddenInHost(h[i]) {
			return "", fmt.Errorf("%w: %q", ErrHost, h)
		}
	}
	h = strings.TrimRight(h, ".")
	if h == "" {
		return "", fmt.Errorf("%w: no host", ErrHost)
	}
	ascii, err := idnaProfile.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrHost, h, err)
	}
	// A full-width dot maps to "." only now.
	ascii = strings.TrimRight(ascii, ".")
	if again, err := idnaProfile.ToASCII(ascii); err != nil || again != ascii {
		// Not a fixed point: the key would change when normalised again.
		return "", fmt.Errorf("%w: %q", ErrHost, h)
	}
	if endsInNumber(ascii) {
		ip, ok := parseIPv4(ascii)
		if !ok {
			return "", fmt.Errorf("%w: bad IPv4 address %q", ErrHost, h)
		}
		return ip.String(), nil
	}
	if ascii == "" || strings.Contains(ascii, "..") || ascii[0] == '.' {
		return "", fmt.Errorf("%w: empty label in %q", ErrHost, h)
	}
	if len(ascii) > 253 {
		return "", fmt.Errorf("%w: longer than 253 bytes", ErrHost)
	}
	label := 0
	for i := 0; i < len(ascii); i++ {
		c := ascii[i]
		switch {
		case c == '.':
			label = 0
			continue
		case c >= 'a' && c <= 'z', isDigit(c), c == '-', c == '_':
		default:
			// Valid URL syntax ("a*b", "a!b") that no resolver looks up.
			return "", fmt.Errorf("%w: %q", ErrHost, h)
		}
		if label++; label > 63 {
			return "", fmt.Errorf("%w: label longer than 63 bytes", ErrHost)
		}
	}
	return ascii, nil
}

// forbiddenInHost reports the URL standard's forbidden domain code points
// (ASCII only; the rest is IDNA's business).
func forbiddenInHost(c byte) bool {
	if c <= 0x20 || c == 0x7f {
		return true
	}
	return strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0
}

// percentDecode decodes every valid escape of s; a stray "%" stays.
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ipv6String writes an IPv6 address as the URL standard does: lower-case
// hex pieces, the first longest run of two or more zero pieces as "::",
// never a dotted IPv4 tail.
func ipv6String(ip netip.Addr) string {
	b16 := ip.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b16[2*i])<<8 | uint16(b16[2*i+1])
	}
	start, length := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if i == start {
			b.WriteString("::")
			i += length - 1
			continue
		}
		if i > 0 && i != start+length {
			b.WriteByte(':')
		}
		b.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	return b.String()
}

// endsInNumber is the URL standard's "ends in a number" check: a host
// whose last label is decimal digits or "0x" hex is an IPv4 address, or
// invalid.
func endsInNumber(h string) bool {
	last := h
	if i := strings.LastIndexByte(h, '.'); i >= 0 {
		last = h[i+1:]
	}
	if last == "" {
		return false
	}
	if strings.Trim(last, "0123456789") == "" {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && last[1]|0x20 == 'x' {
		return strings.Trim(last[2:], "0123456789abcdefABCDEF") == ""
	}
	return false
}

// ParseIPv4 parses a host the way browsers (the URL standard) and
// inet_aton do (see parseIPv4), so an address guard sees "2130706433" as
// 127.0.0.1 before any resolver does.
func ParseIPv4(host string) (netip.Addr, bool) { return parseIPv4(host) }

// parseIPv4 parses a host the way browsers (WHATWG URL) and inet_aton do:
// one to four parts, each decimal, octal (leading 0) or hex (0x), the last
// part filling the remaining bytes. "2130706433", "0x7f.1" and "127.1" are
// all 127.0.0.1. A trailing dot is allowed.
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
	case len(p) >= 2 && p[0] == '0' && p[1]|0x20 == 'x':
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}
