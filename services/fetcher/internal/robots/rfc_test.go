package robots

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"
)

// rfcCase is one expectation drawn from RFC 9309's text or examples, or
// from a rule of this package's contract.
type rfcCase struct {
	name      string
	robotstxt string
	agent     string
	url       string
	want      bool
}

func runCases(t *testing.T, cases []rfcCase) {
	t.Helper()
	for _, tt := range cases {
		if got := allowedLikeFetcher(t, tt.robotstxt, tt.agent, tt.url); got != tt.want {
			t.Errorf("%s: agent %s, %s: allowed %v, want %v\nrobots.txt:\n%s", tt.name, tt.agent, tt.url, got, tt.want, tt.robotstxt)
		}
	}
}

// rfcSimpleExample is RFC 9309 section 5.1.
const rfcSimpleExample = `User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
`

// rfcGroupsExample is the example of RFC 9309 section 2.2.1.
const rfcGroupsExample = `user-agent: a
disallow: /c

user-agent: b
disallow: /d

user-agent: e
user-agent: f
disallow: /g

user-agent: h
`

func TestRFC9309(t *testing.T) {
	runCases(t, []rfcCase{
		// 5.1 Simple Example.
		{"5.1/foobot page.html", rfcSimpleExample, "foobot", "https://www.example.com/example/page.html", true},
		{"5.1/foobot allowed.gif", rfcSimpleExample, "foobot", "https://www.example.com/example/allowed.gif", true},
		{"5.1/foobot other", rfcSimpleExample, "foobot", "https://www.example.com/example/other.html", false},
		{"5.1/foobot root", rfcSimpleExample, "foobot", "https://www.example.com/", false},
		{"5.1/barbot page.html", rfcSimpleExample, "barbot", "https://www.example.com/example/page.html", false},
		{"5.1/bazbot page.html", rfcSimpleExample, "bazbot", "https://www.example.com/example/page.html", false},
		{"5.1/barbot other", rfcSimpleExample, "barbot", "https://www.example.com/example/other.html", true},
		{"5.1/barbot gif (not its group's rule)", rfcSimpleExample, "barbot", "https://www.example.com/a.gif", true},
		{"5.1/quxbot has an empty group", rfcSimpleExample, "quxbot", "https://www.example.com/example/x.gif", true},
		{"5.1/other bot gif", rfcSimpleExample, "otherbot", "https://www.example.com/images/a.gif", false},
		{"5.1/other bot gif with query", rfcSimpleExample, "otherbot", "https://www.example.com/images/a.gif?x=1", true},
		{"5.1/other bot example", rfcSimpleExample, "otherbot", "https://www.example.com/example/", false},
		{"5.1/other bot publications", rfcSimpleExample, "otherbot", "https://www.example.com/publications/", true},
		{"5.1/other bot root", rfcSimpleExample, "otherbot", "https://www.example.com/", true},

		// 5.2 Longest Match.
		{"5.2/disallowed.gif", "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", "foobot", "https://www.example.com/example/page/disallowed.gif", false},
		{"5.2/page", "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", "foobot", "https://www.example.com/example/page/other.gif", true},

		// 2.2.1 The User-Agent Line: groups, and merged groups.
		{"2.2.1/a c", rfcGroupsExample, "a", "https://example.com/c", false},
		{"2.2.1/a d", rfcGroupsExample, "a", "https://example.com/d", true},
		{"2.2.1/b d", rfcGroupsExample, "b", "https://example.com/d", false},
		{"2.2.1/b c", rfcGroupsExample, "b", "https://example.com/c", true},
		{"2.2.1/e g", rfcGroupsExample, "e", "https://example.com/g", false},
		{"2.2.1/f g", rfcGroupsExample, "f", "https://example.com/g", false},
		{"2.2.1/h g", rfcGroupsExample, "h", "https://example.com/g", true},
		{"2.2.1/merged foo", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "ExampleBot", "https://example.com/foo", false},
		{"2.2.1/merged bar", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "ExampleBot", "https://example.com/bar", false},
		{"2.2.1/merged baz", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "ExampleBot", "https://example.com/baz", false},
		{"2.2.1/merged other", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "ExampleBot", "https://example.com/qux", true},
		{"2.2.1/product token with version", "user-agent: ExampleBot/1.1\ndisallow: /\n", "ExampleBot", "https://example.com/x", false},
		{"2.2.1/case-insensitive token", "user-agent: examplebot\ndisallow: /\n", "ExampleBot", "https://example.com/x", false},
		{"2.2.1/prefix of the token is another agent", "user-agent: Example\ndisallow: /\n", "ExampleBot", "https://example.com/x", true},
		{"2.2.1/longer token is another agent", "user-agent: ExampleBotNews\ndisallow: /\n", "ExampleBot", "https://example.com/x", true},
		{"2.2.1/star fallback", "user-agent: other\ndisallow: /\n\nuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.2.1/star not used when named", "user-agent: ExampleBot\ndisallow: /y\n\nuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/x", true},
		{"2.2.1/star groups merged", "user-agent: *\ndisallow: /x\n\nuser-agent: other\ndisallow: /\n\nuser-agent: *\ndisallow: /y\n", "ExampleBot", "https://example.com/y", false},
		{"2.2.1/no matching group", "user-agent: other\ndisallow: /\n", "ExampleBot", "https://example.com/x", true},

		// 2.2.2 The Allow and Disallow Lines.
		{"2.2.2/longest match disallow", "user-agent: *\nallow: /a\ndisallow: /a/b\n", "ExampleBot", "https://example.com/a/b/c", false},
		{"2.2.2/longest match allow", "user-agent: *\ndisallow: /a\nallow: /a/b\n", "ExampleBot", "https://example.com/a/b/c", true},
		{"2.2.2/equivalent: allow", "user-agent: *\ndisallow: /a\nallow: /a\n", "ExampleBot", "https://example.com/a", true},
		{"2.2.2/equivalent, other order: allow", "user-agent: *\nallow: /a\ndisallow: /a\n", "ExampleBot", "https://example.com/a", true},
		{"2.2.2/equal length wildcard tie: allow", "user-agent: *\nallow: /*.a\ndisallow: /x.*\n", "ExampleBot", "https://example.com/x.a", true},
		{"2.2.2/octets not characters", "user-agent: *\ndisallow: /****\nallow: /é\n", "ExampleBot", "https://example.com/é", true},
		{"2.2.2/no match allows", "user-agent: *\ndisallow: /a\n", "ExampleBot", "https://example.com/b", true},
		{"2.2.2/case-sensitive", "user-agent: *\ndisallow: /A\n", "ExampleBot", "https://example.com/a", true},
		{"2.2.2/robots.txt always allowed", "user-agent: *\ndisallow: /\n", "ExampleBot", "https://example.com/robots.txt", true},
		{"2.2.2/only robots.txt itself", "user-agent: *\ndisallow: /\n", "ExampleBot", "https://example.com/robots.txt.bak", false},
		{"2.2.2/robots.txt with a query is another URI", "user-agent: *\ndisallow: /\n", "ExampleBot", "https://example.com/robots.txt?x=1", false},
		{"2.2.2/empty disallow allows", "user-agent: *\ndisallow:\n", "ExampleBot", "https://example.com/x", true},
		{"2.2.2/query is part of the path", "user-agent: *\ndisallow: /search?q=\n", "ExampleBot", "https://example.com/search?q=x", false},
		{"2.2.2/query differs", "user-agent: *\ndisallow: /search?q=\n", "ExampleBot", "https://example.com/search?p=x", true},
		// 2.2.2: percent-encoding on both sides (the section's table).
		{"2.2.2/table: non-ASCII rule, encoded URL", "user-agent: *\ndisallow: /foo/bar/ツ\n", "ExampleBot", "https://example.com/foo/bar/%E3%83%84", false},
		{"2.2.2/table: encoded rule, raw URL", "user-agent: *\ndisallow: /foo/bar/%E3%83%84\n", "ExampleBot", "https://example.com/foo/bar/ツ", false},
		{"2.2.2/table: encoded unreserved", "user-agent: *\ndisallow: /foo/bar/%62%61%7A\n", "ExampleBot", "https://example.com/foo/bar/baz", false},
		{"2.2.2/table: query kept", "user-agent: *\ndisallow: /foo/bar?baz=quz\n", "ExampleBot", "https://example.com/foo/bar?baz=quz", false},
		{"2.2.2/hex case: lower rule, upper URL", "user-agent: *\ndisallow: /caf%c3%a9\n", "ExampleBot", "https://example.com/caf%C3%A9", false},
		{"2.2.2/hex case: upper rule, lower URL", "user-agent: *\ndisallow: /caf%C3%A9\n", "ExampleBot", "https://example.com/caf%c3%a9", false},
		{"2.2.2/encoded slash is not a slash", "user-agent: *\ndisallow: /a/b\n", "ExampleBot", "https://example.com/a%2Fb", true},
		{"2.2.2/reserved encoded alike", "user-agent: *\ndisallow: /a;b=c\n", "ExampleBot", "https://example.com/a%3Bb%3Dc", false},

		// 2.2.3 Special Characters.
		{"2.2.3/comment in line", "user-agent: *\ndisallow: /\nallow: / # comment in line\n", "ExampleBot", "https://example.com/x", true},
		{"2.2.3/comment without space", "user-agent: *\ndisallow: /private#secret\n", "ExampleBot", "https://example.com/private/x", false},
		{"2.2.3/comment on its own line", "user-agent: *\n# disallow: /\ndisallow: /x\n", "ExampleBot", "https://example.com/y", true},
		{"2.2.3/$ exact", "user-agent: *\ndisallow: /\nallow: /this/path/exactly$\n", "ExampleBot", "https://example.com/this/path/exactly", true},
		{"2.2.3/$ longer", "user-agent: *\ndisallow: /\nallow: /this/path/exactly$\n", "ExampleBot", "https://example.com/this/path/exactly/more", false},
		{"2.2.3/* any", "user-agent: *\ndisallow: /\nallow: /this/*/exactly\n", "ExampleBot", "https://example.com/this/a/b/exactly", true},
		{"2.2.3/* none", "user-agent: *\ndisallow: /\nallow: /this/*/exactly\n", "ExampleBot", "https://example.com/this//exactly", true},
		{"2.2.3/* anchored at the start", "user-agent: *\ndisallow: /section*\n", "ExampleBot", "https://example.com/news/section/", true},
		{"2.2.3/$ anchored at the start", "user-agent: *\nallow: /$\ndisallow: /\n", "ExampleBot", "https://example.com/section/", false},
		{"2.2.3/$ root itself", "user-agent: *\nallow: /$\ndisallow: /\n", "ExampleBot", "https://example.com/", true},
		{"2.2.3/%2A is a literal *", "user-agent: *\ndisallow: /path/file-with-a-%2A.html\n", "ExampleBot", "https://www.example.com/path/file-with-a-*.html", false},
		{"2.2.3/%2A is not a wildcard", "user-agent: *\ndisallow: /path/file-with-a-%2A.html\n", "ExampleBot", "https://www.example.com/path/file-with-a-x.html", true},
		{"2.2.3/%24 is a literal $", "user-agent: *\ndisallow: /path/foo-%24\n", "ExampleBot", "https://www.example.com/path/foo-$", false},
		{"2.2.3/%24 is not an anchor", "user-agent: *\ndisallow: /path/foo-%24\n", "ExampleBot", "https://www.example.com/path/foo-", true},
		{"2.2.3/$ inside is literal", "user-agent: *\ndisallow: /a$b\n", "ExampleBot", "https://example.com/a$b/c", false},
		{"2.2.3/several *", "user-agent: *\ndisallow: /*a*b*c$\n", "ExampleBot", "https://example.com/xaybzc", false},
		{"2.2.3/several * no", "user-agent: *\ndisallow: /*a*b*c$\n", "ExampleBot", "https://example.com/xaybzcd", true},
		{"2.2.3/* then $ suffix overlap", "user-agent: *\ndisallow: /*ab$\n", "ExampleBot", "https://example.com/ab", false},
		{"2.2.3/* then $ too short", "user-agent: *\ndisallow: /a*ab$\n", "ExampleBot", "https://example.com/ab", true},

		// 2.2.4 Other records, 2.3.1.5 parse errors: a line that does not
		// parse is skipped, the rest of the file is used.
		{"2.3.1.5/garbage line kept going", "user-agent: *\nthis is not a rule\n\x00\xff\xfe:::\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/rule before any user-agent", "disallow: /a\nuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/rule before any user-agent ignored", "disallow: /a\nuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/a", true},
		{"2.3.1.5/crawl-delay before any user-agent", "crawl-delay: 5\nuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/crawl-delay 10s", "user-agent: *\ncrawl-delay: 10s\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/empty crawl-delay", "user-agent: *\ncrawl-delay:\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/crawl-delay text", "user-agent: *\ncrawl-delay: fast please\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/partial BOM", "\xef\xbbuser-agent: *\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/sitemap in a group", "user-agent: *\nsitemap: https://example.com/s.xml\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/no colon, two words", "user-agent *\ndisallow /x\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/no colon, three words skipped", "user-agent: *\ndisallow /x y\ndisallow: /z\n", "ExampleBot", "https://example.com/x", true},
		{"2.3.1.5/tabs and odd spacing", "  User-agent :\t*  \n\tDisallow\t:\t/x\t\n", "ExampleBot", "https://example.com/x", false},
		{"2.3.1.5/empty user-agent opens a group for no one", "user-agent: *\ndisallow: /x\nuser-agent:\ndisallow: /y\n", "ExampleBot", "https://example.com/y", true},

		// The misspellings Google's parser accepts.
		{"typo/disalow", "user-agent: *\ndisalow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/dissallow", "user-agent: *\ndissallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/dissalow", "user-agent: *\ndissalow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/disallaw", "user-agent: *\ndisallaw: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/diasllow", "user-agent: *\ndiasllow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/disallowed", "user-agent: *\ndisallowed: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/user agent", "user agent: ExampleBot\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/useragent", "useragent: ExampleBot\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/user-agents", "user-agents: ExampleBot\ndisallow: /x\n", "ExampleBot", "https://example.com/x", false},
		{"typo/unknown key is not a rule", "user-agent: *\ndis-allow: /x\ndeny: /x\n", "ExampleBot", "https://example.com/x", true},

		// This package's agent: product-token matching.
		{"agent/NewsflowBot/1.0 applies", "User-agent: NewsflowBot/1.0\nDisallow: /\n", "NewsflowBot", "https://example.com/x", false},
		{"agent/News does not apply", "User-agent: News\nDisallow: /\n", "NewsflowBot", "https://example.com/x", true},
		{"agent/star with text", "User-agent: * (all bots)\nDisallow: /\n", "NewsflowBot", "https://example.com/x", false},
	})
}

func TestCrawlDelay(t *testing.T) {
	tests := []struct {
		name, robotstxt string
		want            time.Duration
	}{
		{"seconds", "user-agent: *\ncrawl-delay: 3\n", 3 * time.Second},
		{"fraction", "user-agent: *\ncrawl-delay: 2.5\n", 2500 * time.Millisecond},
		{"unit s", "user-agent: *\ncrawl-delay: 10s\n", 10 * time.Second},
		{"unit seconds", "user-agent: *\ncrawl-delay: 10 seconds\n", 10 * time.Second},
		{"empty", "user-agent: *\ncrawl-delay:\n", 0},
		{"text", "user-agent: *\ncrawl-delay: soon\n", 0},
		{"negative", "user-agent: *\ncrawl-delay: -5\n", 0},
		{"huge", "user-agent: *\ncrawl-delay: 1e300\n", 0},
		{"huge digits", "user-agent: *\ncrawl-delay: 99999999999999999999\n", maxCrawlDelay},
		{"before any user-agent", "crawl-delay: 7\nuser-agent: *\ndisallow: /x\n", 0},
		{"own group wins", "user-agent: *\ncrawl-delay: 9\n\nuser-agent: NewsflowBot\ncrawl-delay: 2\n", 2 * time.Second},
		{"largest of merged groups", "user-agent: NewsflowBot\ncrawl-delay: 2\ndisallow: /a\n\nuser-agent: NewsflowBot\ncrawl-delay: 4\n", 4 * time.Second},
		{"spelled crawldelay", "user-agent: *\ncrawldelay: 6\n", 6 * time.Second},
		{"in a shared group", "user-agent: other\nuser-agent: NewsflowBot\ncrawl-delay: 8\n", 8 * time.Second},
		{"closes the user-agent lines", "user-agent: other\ncrawl-delay: 8\nuser-agent: NewsflowBot\ndisallow: /x\n", 0},
		{"another agent's", "user-agent: other\ncrawl-delay: 8\ndisallow: /x\n", 0},
	}
	for _, tt := range tests {
		r := Parse(200, []byte(tt.robotstxt), "NewsflowBot", time.Now())
		if got := r.CrawlDelay(); got != tt.want {
			t.Errorf("%s: crawl delay %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSitemapLines(t *testing.T) {
	body := "Sitemap: https://example.com/first.xml\n" +
		"User-agent: *\n" +
		"Disallow: /x\n" +
		"site-map: https://example.com/typo.xml\n" +
		"SITEMAP:https://example.com/news.xml # news\n" +
		"Sitemap: /relative.xml\n" +
		"Sitemap: ftp://example.com/s.xml\n" +
		"Sitemap: https://user:pw@example.com/secret.xml\n" +
		"Sitemap: https://EXAMPLE.com/first.xml\n" +
		"Sitemap:\n" +
		"# Sitemap: https://example.com/commented.xml\n" +
		"Sitemap: https://other.example/last.xml"
	r := Parse(200, []byte(body), "NewsflowBot", time.Now())
	want := []string{
		"https://example.com/first.xml",
		"https://example.com/typo.xml",
		"https://example.com/news.xml",
		"https://other.example/last.xml",
	}
	if strings.Join(r.Sitemaps, " ") != strings.Join(want, " ") {
		t.Errorf("sitemaps %q, want %q", r.Sitemaps, want)
	}
	if Parse(404, []byte(body), "NewsflowBot", time.Now()).Sitemaps != nil {
		t.Error("sitemaps read from a 404 body")
	}
}

// TestGzipBody: a robots.txt served gzip-encoded, whose encoding the
// client did not undo, is still read.
func TestGzipBody(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("User-agent: *\nDisallow: /private/\nSitemap: https://example.com/s.xml\n"))
	zw.Close()
	r := Parse(200, buf.Bytes(), "NewsflowBot", time.Now())
	if r.Allowed(mustURL(t, "https://example.com/private/a")) {
		t.Error("gzip-encoded robots.txt read as allow-all")
	}
	if len(r.Sitemaps) != 1 {
		t.Errorf("sitemaps %q", r.Sitemaps)
	}
	// A gzip bomb is read up to MaxSize only.
	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write([]byte("User-agent: *\nDisallow: /a\n"))
	zw.Write(bytes.Repeat([]byte("#"), 50<<20))
	zw.Write([]byte("\nDisallow: /b\n"))
	zw.Close()
	r = Parse(200, buf.Bytes(), "NewsflowBot", time.Now())
	if r.Allowed(mustURL(t, "https://example.com/a")) || !r.Allowed(mustURL(t, "https://example.com/b")) {
		t.Error("gzip bomb: want the rules within the first 500 KiB only")
	}
}

// TestNeverFailsOpen: whatever the junk in a file, the rules it holds
// still apply.
func TestNeverFailsOpen(t *testing.T) {
	junk := []string{
		"\x00\x01\x02", "<html><body>oops</body></html>", "Disallow /a b c", ":::", "User-agent", "Crawl-delay: 10s",
		"Crawl-delay:", "Allow", "\xef\xbb\xbf", "Sitemap: not a url", "Host: example.com", "Noindex: /x",
		strings.Repeat("x", 20000), "Request-rate: 1/10s", "Visit-time: 0600-0845", "Clean-param: ref /articles/",
	}
	for _, j := range junk {
		body := j + "\nUser-agent: *\n" + j + "\nDisallow: /private\n" + j + "\n"
		r := Parse(200, []byte(body), "NewsflowBot", time.Now())
		if r.Allowed(mustURL(t, "https://example.com/private")) {
			t.Errorf("junk line %.30q made the file allow-all", j)
		}
	}
}
