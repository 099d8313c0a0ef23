package extract

import (
	"strings"
	"unicode"
)

var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " // ", " / ", ": "}

// cleanTitle removes the site name that pages add before or after the
// headline in <title> and og:title.
func cleanTitle(title, site string, h1s []string) string {
	title = collapse(title)
	if title == "" {
		return ""
	}
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	// An <h1> that matches the start or end of the title is the headline.
	titleN := norm(title)
	for _, h := range h1s {
		h = collapse(h)
		if len(h) < 10 {
			continue
		}
		hN := norm(h)
		if hN == titleN {
			return title
		}
		if strings.HasPrefix(titleN, hN) || strings.HasSuffix(titleN, hN) {
			rest := strings.TrimSpace(strings.Replace(titleN, hN, "", 1))
			if rest != "" && isSeparatorStart(rest) {
				return h
			}
		}
	}
	siteN := norm(site)
	for _, sep := range titleSeparators {
		if !strings.Contains(title, sep) {
			continue
		}
		parts := strings.Split(title, sep)
		if siteN != "" {
			var keep []string
			removed := false
			for i, p := range parts {
				pn := norm(p)
				if (i == 0 || i == len(parts)-1) && (pn == siteN || strings.Contains(pn, siteN) && len(pn) < len(siteN)+12 || strings.Contains(siteN, pn) && len(pn) >= 3) {
					removed = true
					continue
				}
				keep = append(keep, p)
			}
			if removed && len(keep) > 0 {
				return strings.TrimSpace(strings.Join(keep, sep))
			}
		}
		if sep == ": " || sep == " / " {
			continue // usually part of the headline
		}
		// No site name known: strip a short last (or first) segment.
		first, last := parts[0], parts[len(parts)-1]
		if len(parts) >= 2 && wordCount(last) <= 4 && siteLike(last) && wordCount(strings.Join(parts[:len(parts)-1], sep)) >= 3 {
			return strings.TrimSpace(strings.Join(parts[:len(parts)-1], sep))
		}
		if len(parts) >= 2 && wordCount(first) <= 3 && siteLike(first) && len(parts) == 2 && wordCount(strings.Join(parts[1:], sep)) >= 4 {
			return strings.TrimSpace(strings.Join(parts[1:], sep))
		}
	}
	return title
}

func isSeparatorStart(s string) bool {
	for _, r := range s {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}
	return false
}

func wordCount(s string) int { return len(strings.Fields(s)) }

// siteLike reports whether a title segment could be a site name: it starts
// with a capital or a digit, or looks like a domain.
func siteLike(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ".") && !strings.Contains(s, " ") {
		return true
	}
	for _, r := range s {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}
