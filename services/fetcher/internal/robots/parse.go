package robots

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// maxLineLen is the longest line read; the rest of a longer line is
// dropped, as Google's parser does (2083 * 8 bytes including the end of
// line, the longest URL browsers took, eight times over).
const maxLineLen = 2083*8 - 1

// maxCrawlDelay bounds a Crawl-delay so that it fits a time.Duration; the
// fetcher applies its own, lower cap.
const maxCrawlDelay = 24 * time.Hour

// file is what a robots.txt says to one agent.
type file struct {
	specific     group // rules of every group naming the agent, merged
	global       group // rules of every "*" group, merged
	seenSpecific bool  // a User-agent line named the agent
	sitemaps     []string
}

// effective returns the group that applies: the agent's own groups if
// any names it (RFC 9309 section 2.2.1: even one without rules), else the
// "*" groups, else none.
func (f *file) effective() *group {
	if f.seenSpecific {
		return &f.specific
	}
	if len(f.global.rules) > 0 || f.global.crawlDelay > 0 {
		return &f.global
	}
	return nil
}

// key is the kind of a robots.txt line.
type key int

const (
	keyUnknown key = iota
	keyUserAgent
	keyAllow
	keyDisallow
	keySitemap
	keyCrawlDelay
)

// parseKey classifies a line's field name, case-insensitively, accepting
// the misspellings Google's parser accepts (and, like it, any name that
// starts with one of them: "user-agents", "disallowed").
func parseKey(name string) key {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("user-agent", "useragent", "user agent"):
		return keyUserAgent
	case has("sitemap", "site-map"):
		return keySitemap
	case has("allow"):
		return keyAllow
	case has("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"):
		return keyDisallow
	case has("crawl-delay", "crawldelay", "crawl delay", "crawl_delay"):
		return keyCrawlDelay
	}
	return keyUnknown
}

// parseFile reads body for agent. Group semantics follow RFC 9309 and
// Google's parser: consecutive User-agent lines (blank, unknown and
// Sitemap lines between them do not count) open one group, which an
// Allow, Disallow or Crawl-delay line closes for further User-agent
// lines; those lines before the first User-agent line are ignored.
func parseFile(body []byte, agent string) *file {
	f := &file{}
	// Any prefix of a UTF-8 byte order mark is skipped.
	for _, bom := range []string{"\xef\xbb\xbf", "\xef\xbb", "\xef"} {
		if bytes.HasPrefix(body, []byte(bom)) {
			body = body[len(bom):]
			break
		}
	}
	var (
		inAgents       bool // reading a group's User-agent lines
		forUs, forAll  bool // the current group names the agent, or "*"
		seenSitemapURL = map[string]bool{}
	)
	for len(body) > 0 {
		var line []byte
		line, body = nextLine(body)
		name, value, ok := splitLine(line)
		if !ok {
			continue
		}
		switch parseKey(name) {
		case keyUserAgent:
			if !inAgents {
				inAgents, forUs, forAll = true, false, false
			}
			// An empty value opens a group that applies to no one.
			switch {
			case value == "":
			case value[0] == '*' && (len(value) == 1 || isSpace(value[1])):
				forAll = true
			case strings.EqualFold(productToken(value), agent) && agent != "":
				forUs, f.seenSpecific = true, true
			}
		case keyAllow, keyDisallow:
			if !forUs && !forAll {
				continue // before any group, or another agent's
			}
			inAgents = false
			allow := parseKey(name) == keyAllow
			for _, rule := range newRules(value, allow) {
				if forUs {
					f.specific.rules = append(f.specific.rules, rule)
				}
				if forAll {
					f.global.rules = append(f.global.rules, rule)
				}
			}
		case keyCrawlDelay:
			if !forUs && !forAll {
				continue
			}
			// A group member, like a rule: the group's User-agent lines
			// are over (Bing's and Yandex's reading of Crawl-delay).
			inAgents = false
			d, ok := parseDelay(value)
			if forUs && ok {
				f.specific.crawlDelay = max(f.specific.crawlDelay, d)
			}
			if forAll && ok {
				f.global.crawlDelay = max(f.global.crawlDelay, d)
			}
		case keySitemap:
			if value == "" {
				continue
			}
			if u, err := urlnorm.Normalize(value); err == nil && !seenSitemapURL[u] {
				seenSitemapURL[u] = true
				f.sitemaps = append(f.sitemaps, u)
			}
		}
	}
	return f
}

// nextLine returns the first line of b (ending at LF, CR LF or CR, cut at
// maxLineLen) and the rest.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		line, rest = b, nil
	} else {
		line, rest = b[:i], b[i+1:]
		if b[i] == '\r' && len(rest) > 0 && rest[0] == '\n' {
			rest = rest[1:]
		}
	}
	return line[:min(len(line), maxLineLen)], rest
}

// splitLine returns the field name and value of a line, without comment
// and surrounding white space. The separator is a colon or, as Google's
// parser accepts, white space when the line holds exactly two words
// ("user-agent FooBot"). ok is false for a blank line, a comment or a
// line that is not "name: value"; the value may be empty.
func splitLine(line []byte) (name, value string, ok bool) {
	if i := bytes.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	s := strings.TrimFunc(string(line), isSpaceRune)
	if s == "" {
		return "", "", false
	}
	name, value, found := strings.Cut(s, ":")
	if !found {
		i := strings.IndexFunc(s, isSpaceRune)
		if i < 0 {
			return "", "", false
		}
		name, value = s[:i], strings.TrimLeftFunc(s[i:], isSpaceRune)
		if strings.IndexFunc(value, isSpaceRune) >= 0 {
			return "", "", false
		}
	}
	name = strings.TrimFunc(name, isSpaceRune)
	value = strings.TrimFunc(value, isSpaceRune)
	return name, value, name != ""
}

// productToken returns the product token at the start of a User-agent
// value: letters, "_" and "-" (RFC 9309 section 2.2.1), so
// "NewsflowBot/1.0" gives "NewsflowBot" and "Foo Bar" gives "Foo".
func productToken(v string) string {
	i := 0
	for i < len(v) && (isLetter(v[i]) || v[i] == '_' || v[i] == '-') {
		i++
	}
	return v[:i]
}

// parseDelay reads a Crawl-delay in seconds: "10", "2.5", and the common
// "10s" or "10 seconds". Anything else (negative, empty, "fast") is
// ignored.
func parseDelay(v string) (time.Duration, bool) {
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	switch unit := strings.ToLower(strings.TrimSpace(v[i:])); unit {
	case "", "s", "sec", "secs", "second", "seconds":
	default:
		return 0, false
	}
	secs, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || math.IsNaN(secs) || secs < 0 {
		return 0, false
	}
	if secs >= maxCrawlDelay.Seconds() {
		return maxCrawlDelay, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\v' || c == '\f' }

func isSpaceRune(r rune) bool { return r < 0x80 && isSpace(byte(r)) }
