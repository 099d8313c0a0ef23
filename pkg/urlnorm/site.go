package urlnorm

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"
)

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

// SiteOf returns Site of the host of a URL, or "" when raw is not an
// absolute http(s) URL Normalize would accept.
func SiteOf(raw string) string {
	p, err := parseAbsolute(clean(raw))
	if err != nil {
		return ""
	}
	return Site(p.host)
}
