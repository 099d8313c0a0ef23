package discover

import (
	"strconv"
	"strings"
	"time"
)

// Years outside this range are typos or placeholders ("0000-00-00"), not
// publication dates.
const (
	minYear = 1900
	maxYear = 2200
)

// fallbackLayouts are the non-W3C forms met in sitemaps' lastmod and
// news:publication_date.
var fallbackLayouts = []string{
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC850, time.ANSIC,
}

// parseDate reads a date of a sitemap (lastmod, news:publication_date):
// the W3C-DTF profile of ISO 8601 the protocols name (YYYY, YYYY-MM,
// YYYY-MM-DD, then "T" hh:mm, :ss and a fraction, with Z or +hh:mm), and
// the variants sites write: a space for "T", "+hhmm" or "+hh", no zone
// (read as UTC), and RFC 1123 dates. It returns nil for anything else.
func parseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if t, ok := parseW3CDTF(s); ok {
		return checkYear(t)
	}
	for _, l := range fallbackLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return checkYear(t)
		}
	}
	return nil
}

func checkYear(t time.Time) *time.Time {
	if t.Year() < minYear || t.Year() > maxYear {
		return nil
	}
	return &t
}

// parseW3CDTF parses the forms of https://www.w3.org/TR/NOTE-datetime and
// their common variants.
func parseW3CDTF(s string) (time.Time, bool) {
	p := dateParser{s: s}
	year, ok := p.digits(4)
	if !ok {
		return time.Time{}, false
	}
	month, day := 1, 1
	var hour, minute, sec, nsec int
	loc := time.UTC
	if p.done() {
		return date(year, month, day, 0, 0, 0, 0, loc)
	}
	if !p.byte('-') {
		return time.Time{}, false
	}
	if month, ok = p.digits(2); !ok {
		return time.Time{}, false
	}
	if p.done() {
		return date(year, month, day, 0, 0, 0, 0, loc)
	}
	if !p.byte('-') {
		return time.Time{}, false
	}
	if day, ok = p.digits(2); !ok {
		return time.Time{}, false
	}
	if p.done() {
		return date(year, month, day, 0, 0, 0, 0, loc)
	}
	if !p.byte('T') && !p.byte('t') && !p.byte(' ') {
		return time.Time{}, false
	}
	if hour, ok = p.digits(2); !ok || !p.byte(':') {
		return time.Time{}, false
	}
	if minute, ok = p.digits(2); !ok {
		return time.Time{}, false
	}
	if p.byte(':') {
		if sec, ok = p.digits(2); !ok {
			return time.Time{}, false
		}
		if p.byte('.') || p.byte(',') {
			start := p.i
			for !p.done() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			frac := p.s[start:p.i]
			if frac == "" {
				return time.Time{}, false
			}
			frac = (frac + "000000000")[:9]
			nsec, _ = strconv.Atoi(frac)
		}
	}
	p.byte(' ')
	if !p.done() {
		var ok bool
		if loc, ok = p.zone(); !ok || !p.done() {
			return time.Time{}, false
		}
	}
	if sec == 60 {
		sec = 59 // a leap second
	}
	return date(year, month, day, hour, minute, sec, nsec, loc)
}

// date builds a time and checks that no field overflowed (no 31 April).
func date(y, mo, d, h, mi, s, ns int, loc *time.Location) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 59 || (h == 24 && (mi > 0 || s > 0 || ns > 0)) {
		return time.Time{}, false
	}
	if time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc).Day() != d {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), true
}

// dateParser walks a date string.
type dateParser struct {
	s string
	i int
}

func (p *dateParser) done() bool { return p.i >= len(p.s) }

func (p *dateParser) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dateParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// zone reads Z, +hh:mm, +hhmm, +hh (or -), and the names UTC and GMT.
func (p *dateParser) zone() (*time.Location, bool) {
	rest := p.s[p.i:]
	switch strings.ToUpper(rest) {
	case "Z", "UTC", "GMT":
		p.i = len(p.s)
		return time.UTC, true
	}
	sign := 1
	switch {
	case p.byte('+'):
	case p.byte('-'):
		sign = -1
	default:
		return nil, false
	}
	hh, ok := p.digits(2)
	if !ok {
		return nil, false
	}
	mm := 0
	if p.byte(':') {
		if mm, ok = p.digits(2); !ok {
			return nil, false
		}
	} else if !p.done() {
		if mm, ok = p.digits(2); !ok {
			return nil, false
		}
	}
	if hh > 14 || mm > 59 {
		return nil, false
	}
	off := sign * (hh*3600 + mm*60)
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}
