// Package robots decides whether the fetcher may fetch a URL, following
// RFC 9309, with one robots.txt fetch per host per expiry across all
// fetcher replicas: parsed files are cached in process and in a JetStream
// KV bucket, and a short-lived lock in the same bucket makes one replica
// fetch while the others wait for its answer.
//
// Status rules (RFC 9309 section 2.3.1): 2xx is parsed (at most 500 KiB
// are read); 4xx (except 429) means allow all; 5xx, 429, timeouts and
// network errors mean disallow all for now, retried after a short expiry;
// at most 5 redirects are followed, more means "unavailable" (allow all).
//
// The file is read by our own parser and matcher (parse.go, match.go),
// written to the RFC and to the behaviour of Google's open-source
// robotstxt library where the RFC leaves room: a malformed line is skipped
// and the rest of the file kept, never the whole file dropped (which would
// fail open); rules are matched by the longest pattern, ties going to
// Allow; "*" and a final "$" are the only special characters; both the
// rule and the URL are percent-encoded alike before they are compared.
//
// robots.txt is fetched with net/http, not colly: colly's robots support
// keeps a per-process map without expiry and folds every status into
// allow or deny, which is what this package replaces.
package robots

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// MaxSize is how much of a robots.txt is read (RFC 9309: at least 500 KiB).
const MaxSize = 500 << 10

// MaxRedirects followed when fetching robots.txt.
const MaxRedirects = 5

// ErrUnreachable names why a host is disallowed while its robots.txt
// could not be fetched (5xx, 429, timeout, network error), until the
// rules expire and it is fetched again.
var ErrUnreachable = errors.New("robots.txt unreachable")

// Rules are one host's parsed robots.txt, as they apply to one agent.
type Rules struct {
	// Status is the HTTP status of the robots.txt fetch, 0 for a network
	// error.
	Status int
	// Unreachable: 5xx, 429 or a network error; everything is disallowed.
	Unreachable bool
	// Reason describes a failed fetch.
	Reason string
	// Expires is when the rules must be fetched again.
	Expires time.Time
	// Sitemaps are the absolute http(s) URLs of the file's Sitemap lines,
	// normalised and without duplicates, wherever they stood in the file.
	Sitemaps []string

	group *group // the rules that apply to the agent; nil: allow all
}

// Parse builds rules from a robots.txt body fetched with status for the
// agent's product token ("NewsflowBot"), matched case-insensitively
// against the product token of each User-agent line. A body compressed
// with gzip (served with a Content-Encoding the client did not undo) is
// decompressed first; only the first MaxSize bytes are read.
func Parse(status int, body []byte, agent string, expires time.Time) *Rules {
	r := &Rules{Status: status, Expires: expires}
	switch {
	case status >= 200 && status < 300:
		f := parseFile(gunzip(body), agent)
		r.group, r.Sitemaps = f.effective(), f.sitemaps
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		r.Unreachable = true
	default: // 3xx beyond the redirect limit, 4xx: allow all
	}
	return r
}

// gunzip returns body decompressed when it starts with the gzip magic,
// else body, and at most MaxSize bytes of either.
func gunzip(body []byte) []byte {
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			// A corrupt tail keeps what was read before it.
			out, _ := io.ReadAll(io.LimitReader(zr, MaxSize))
			return out
		}
	}
	return body[:min(len(body), MaxSize)]
}

// Allowed reports whether the path (with query) of u may be fetched.
func (r *Rules) Allowed(u *url.URL) bool {
	if r.Unreachable {
		return false
	}
	if r.group == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	} else if p[0] != '/' {
		p = "/" + p
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	if p == "/robots.txt" {
		return true // RFC 9309 section 2.2.2: implicitly allowed
	}
	return r.group.allowed(p)
}

// CrawlDelay returns the Crawl-delay for the agent, 0 if none.
func (r *Rules) CrawlDelay() time.Duration {
	if r.group == nil {
		return 0
	}
	return r.group.crawlDelay
}
