package robots

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// allowedLikeFetcher answers as the fetcher's stage does: parse the
// robots.txt of a 200 response for agent, normalise the URL with
// urlnorm, parse it with net/url, ask Allowed. It also asks with the URL
// as net/url parses it unnormalised, and fails the test if the two
// answers differ: normalisation must not change a robots decision (but
// for the order of query parameters, which urlnorm sorts: the fetcher
// then fetches, and asks about, the sorted URL).
func allowedLikeFetcher(t *testing.T, robotstxt, agent, rawURL string) bool {
	t.Helper()
	rules := Parse(200, []byte(robotstxt), agent, time.Now().Add(time.Hour))
	raw, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("url %q: %v", rawURL, err)
	}
	got := rules.Allowed(raw)
	norm, err := urlnorm.Normalize(rawURL)
	if err != nil || strings.Contains(raw.RawQuery, "&") {
		// The fetcher refuses the URL before robots.txt; or it sorts the
		// query's parameters, and so asks about another URL.
		return got
	}
	u, err := url.Parse(norm)
	if err != nil {
		t.Fatalf("normalised url %q: %v", norm, err)
	}
	if n := rules.Allowed(u); n != got {
		t.Errorf("%q: Allowed = %v, but %v once normalised to %q", rawURL, got, n, norm)
	}
	return got
}

// googleCase is one expectation of Google's robotstxt conformance suite
// (github.com/google/robotstxt, robots_test.cc). Cases named ID_* test
// the internet draft that became RFC 9309; GoogleOnly_* test Google's own
// extensions, which we implement too.
type googleCase struct {
	name      string
	robotstxt string
	agent     string
	url       string
	want      bool
}

func runGoogle(t *testing.T, cases []googleCase) {
	t.Helper()
	for _, tt := range cases {
		if got := allowedLikeFetcher(t, tt.robotstxt, tt.agent, tt.url); got != tt.want {
			t.Errorf("%s: agent %s, %s: allowed %v, want %v\nrobots.txt:\n%s", tt.name, tt.agent, tt.url, got, tt.want, tt.robotstxt)
		}
	}
}

const (
	groupsRobots = "allow: /foo/bar/\n" +
		"\n" +
		"user-agent: FooBot\n" +
		"disallow: /\n" +
		"allow: /x/\n" +
		"user-agent: BarBot\n" +
		"disallow: /\n" +
		"allow: /y/\n" +
		"\n" +
		"\n" +
		"allow: /w/\n" +
		"user-agent: BazBot\n" +
		"\n" +
		"user-agent: FooBot\n" +
		"allow: /z/\n" +
		"disallow: /\n"
	fishRobots     = "user-agent: FooBot\ndisallow: /\nallow: /fish\n"
	fishStarRobots = "user-agent: FooBot\ndisallow: /\nallow: /fish*\n"
	fishDirRobots  = "user-agent: FooBot\ndisallow: /\nallow: /fish/\n"
	phpRobots      = "user-agent: FooBot\ndisallow: /\nallow: /*.php\n"
	phpEndRobots   = "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n"
	fishPHPRobots  = "user-agent: FooBot\ndisallow: /\nallow: /fish*.php\n"
)

func TestGoogleConformance(t *testing.T) {
	runGoogle(t, []googleCase{
		// GoogleOnly_SystemTest
		{"GoogleOnly_SystemTest/empty robots.txt", "", "FooBot", "http://foo.bar/", true},
		{"GoogleOnly_SystemTest/empty agent", "user-agent: FooBot\ndisallow: /\n", "", "http://foo.bar/", true},
		{"GoogleOnly_SystemTest/all empty", "", "", "http://foo.bar/", true},

		// ID_LineSyntax_Line
		{"ID_LineSyntax_Line/correct", "user-agent: FooBot\ndisallow: /\n", "FooBot", "http://foo.bar/x/y", false},
		{"ID_LineSyntax_Line/incorrect", "foo: FooBot\nbar: /\n", "FooBot", "http://foo.bar/x/y", true},
		{"ID_LineSyntax_Line/incorrect accepted", "user-agent FooBot\ndisallow /\n", "FooBot", "http://foo.bar/x/y", false},

		// ID_LineSyntax_Groups
		{"ID_LineSyntax_Groups/FooBot x", groupsRobots, "FooBot", "http://foo.bar/x/b", true},
		{"ID_LineSyntax_Groups/FooBot z", groupsRobots, "FooBot", "http://foo.bar/z/d", true},
		{"ID_LineSyntax_Groups/FooBot y", groupsRobots, "FooBot", "http://foo.bar/y/c", false},
		{"ID_LineSyntax_Groups/BarBot y", groupsRobots, "BarBot", "http://foo.bar/y/c", true},
		{"ID_LineSyntax_Groups/BarBot w", groupsRobots, "BarBot", "http://foo.bar/w/a", true},
		{"ID_LineSyntax_Groups/BarBot z", groupsRobots, "BarBot", "http://foo.bar/z/d", false},
		{"ID_LineSyntax_Groups/BazBot z", groupsRobots, "BazBot", "http://foo.bar/z/d", true},
		{"ID_LineSyntax_Groups/rule outside groups FooBot", groupsRobots, "FooBot", "http://foo.bar/foo/bar/", false},
		{"ID_LineSyntax_Groups/rule outside groups BarBot", groupsRobots, "BarBot", "http://foo.bar/foo/bar/", false},
		{"ID_LineSyntax_Groups/rule outside groups BazBot", groupsRobots, "BazBot", "http://foo.bar/foo/bar/", false},

		// ID_LineSyntax_Groups_OtherRules
		{"ID_LineSyntax_Groups_OtherRules/sitemap FooBot", "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n", "FooBot", "http://foo.bar/", false},
		{"ID_LineSyntax_Groups_OtherRules/sitemap BarBot", "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n", "BarBot", "http://foo.bar/", false},
		{"ID_LineSyntax_Groups_OtherRules/unknown FooBot", "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "FooBot", "http://foo.bar/", false},
		{"ID_LineSyntax_Groups_OtherRules/unknown BarBot", "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "BarBot", "http://foo.bar/", false},

		// ID_REPLineNamesCaseInsensitive
		{"ID_REPLineNamesCaseInsensitive/upper allowed", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "http://foo.bar/x/y", true},
		{"ID_REPLineNamesCaseInsensitive/lower allowed", "user-agent: FooBot\nallow: /x/\ndisallow: /\n", "FooBot", "http://foo.bar/x/y", true},
		{"ID_REPLineNamesCaseInsensitive/camel allowed", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "http://foo.bar/x/y", true},
		{"ID_REPLineNamesCaseInsensitive/upper disallowed", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "http://foo.bar/a/b", false},
		{"ID_REPLineNamesCaseInsensitive/lower disallowed", "user-agent: FooBot\nallow: /x/\ndisallow: /\n", "FooBot", "http://foo.bar/a/b", false},
		{"ID_REPLineNamesCaseInsensitive/camel disallowed", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "http://foo.bar/a/b", false},

		// ID_UserAgentValueCaseInsensitive
		{"ID_UserAgentValueCaseInsensitive/upper Foo allowed", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/lower Foo allowed", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/camel Foo allowed", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/upper Foo disallowed", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/a/b", false},
		{"ID_UserAgentValueCaseInsensitive/lower Foo disallowed", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/a/b", false},
		{"ID_UserAgentValueCaseInsensitive/camel Foo disallowed", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/a/b", false},
		{"ID_UserAgentValueCaseInsensitive/upper foo allowed", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/lower foo allowed", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/camel foo allowed", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/x/y", true},
		{"ID_UserAgentValueCaseInsensitive/upper foo disallowed", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/a/b", false},
		{"ID_UserAgentValueCaseInsensitive/lower foo disallowed", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/a/b", false},
		{"ID_UserAgentValueCaseInsensitive/camel foo disallowed", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", "foo", "http://foo.bar/a/b", false},

		// GoogleOnly_AcceptUserAgentUpToFirstSpace
		{"GoogleOnly_AcceptUserAgentUpToFirstSpace/Foo", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/x/y", true},
		{"GoogleOnly_AcceptUserAgentUpToFirstSpace/Foo Bar", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", "Foo Bar", "http://foo.bar/x/y", false},

		// ID_GlobalGroups_Secondary
		{"ID_GlobalGroups_Secondary/empty", "", "FooBot", "http://foo.bar/x/y", true},
		{"ID_GlobalGroups_Secondary/global FooBot", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "FooBot", "http://foo.bar/x/y", false},
		{"ID_GlobalGroups_Secondary/global BarBot", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "BarBot", "http://foo.bar/x/y", true},
		{"ID_GlobalGroups_Secondary/only specific QuxBot", "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n", "QuxBot", "http://foo.bar/x/y", true},

		// ID_AllowDisallow_Value_CaseSensitive
		{"ID_AllowDisallow_Value_CaseSensitive/lower", "user-agent: FooBot\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/y", false},
		{"ID_AllowDisallow_Value_CaseSensitive/upper", "user-agent: FooBot\ndisallow: /X/\n", "FooBot", "http://foo.bar/x/y", true},

		// ID_LongestMatch
		{"ID_LongestMatch/disallow page", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot", "http://foo.bar/x/page.html", false},
		{"ID_LongestMatch/allow page", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/page.html", true},
		{"ID_LongestMatch/allow page, dir", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/", false},
		{"ID_LongestMatch/empty equal", "user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", "http://foo.bar/x/page.html", true},
		{"ID_LongestMatch/root equal", "user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", "http://foo.bar/x/page.html", true},
		{"ID_LongestMatch/x vs x/ a", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x", false},
		{"ID_LongestMatch/x vs x/ b", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x/", true},
		{"ID_LongestMatch/same page", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot", "http://foo.bar/x/page.html", true},
		{"ID_LongestMatch/wildcard longer", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page.html", false},
		{"ID_LongestMatch/wildcard no match", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page", true},
		{"ID_LongestMatch/allow longer than wildcard", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "http://foo.bar/x/page.html", true},
		{"ID_LongestMatch/wildcard other page", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "http://foo.bar/x/y.html", false},
		{"ID_LongestMatch/specific group x", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot", "http://foo.bar/x/page", true},
		{"ID_LongestMatch/specific group y", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot", "http://foo.bar/y/page", false},

		// ID_Encoding
		{"ID_Encoding/query", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", "FooBot", "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true},
		{"ID_Encoding/3 byte character, URL encoded", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "http://foo.bar/foo/bar/%E3%83%84", true},
		// Google expects false: its matcher takes the URL as given and
		// compares bytes. RFC 9309 section 2.2.2 encodes non-ASCII octets
		// of the URI before comparison, and so do net/url and urlnorm.
		{"ID_Encoding/3 byte character, URL raw", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "http://foo.bar/foo/bar/ツ", true},
		{"ID_Encoding/encoded 3 byte character, URL encoded", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "http://foo.bar/foo/bar/%E3%83%84", true},
		{"ID_Encoding/encoded 3 byte character, URL raw", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "http://foo.bar/foo/bar/ツ", true},
		// Google expects false for the unencoded URL; RFC 9309's table
		// (section 2.2.2) matches "/foo/bar/%62%61%7A" as "/foo/bar/baz",
		// and the fetcher's URLs are normalised that way anyway.
		{"ID_Encoding/encoded unreserved, URL plain", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "http://foo.bar/foo/bar/baz", true},
		{"ID_Encoding/encoded unreserved, URL encoded", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "http://foo.bar/foo/bar/%62%61%7A", true},

		// ID_SpecialCharacters
		{"ID_SpecialCharacters/star disallow", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo/bar/quz", false},
		{"ID_SpecialCharacters/star quz", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo/quz", true},
		{"ID_SpecialCharacters/star double slash", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo//quz", true},
		{"ID_SpecialCharacters/star bax", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo/bax/quz", true},
		{"ID_SpecialCharacters/dollar exact", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar", false},
		{"ID_SpecialCharacters/dollar qux", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar/qux", true},
		{"ID_SpecialCharacters/dollar slash", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar/", true},
		{"ID_SpecialCharacters/dollar baz", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar/baz", true},
		{"ID_SpecialCharacters/comment bar", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "http://foo.bar/foo/bar", true},
		{"ID_SpecialCharacters/comment quz", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "http://foo.bar/foo/quz", false},

		// GoogleOnly_IndexHTMLisDirectory
		{"GoogleOnly_IndexHTMLisDirectory/slash", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "http://foo.com/allowed-slash/", true},
		{"GoogleOnly_IndexHTMLisDirectory/index.htm", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "http://foo.com/allowed-slash/index.htm", false},
		{"GoogleOnly_IndexHTMLisDirectory/index.html", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "http://foo.com/allowed-slash/index.html", true},
		{"GoogleOnly_IndexHTMLisDirectory/other", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "http://foo.com/anyother-url", false},

		// GoogleOnly_DocumentationChecks: "URL matching based on path values".
		{"GoogleOnly_DocumentationChecks/fish bar", fishRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/fish", fishRobots, "FooBot", "http://foo.bar/fish", true},
		{"GoogleOnly_DocumentationChecks/fish.html", fishRobots, "FooBot", "http://foo.bar/fish.html", true},
		{"GoogleOnly_DocumentationChecks/fish/salmon.html", fishRobots, "FooBot", "http://foo.bar/fish/salmon.html", true},
		{"GoogleOnly_DocumentationChecks/fishheads", fishRobots, "FooBot", "http://foo.bar/fishheads", true},
		{"GoogleOnly_DocumentationChecks/fishheads/yummy.html", fishRobots, "FooBot", "http://foo.bar/fishheads/yummy.html", true},
		{"GoogleOnly_DocumentationChecks/fish.html?id", fishRobots, "FooBot", "http://foo.bar/fish.html?id=anything", true},
		{"GoogleOnly_DocumentationChecks/Fish.asp", fishRobots, "FooBot", "http://foo.bar/Fish.asp", false},
		{"GoogleOnly_DocumentationChecks/catfish", fishRobots, "FooBot", "http://foo.bar/catfish", false},
		{"GoogleOnly_DocumentationChecks/?id=fish", fishRobots, "FooBot", "http://foo.bar/?id=fish", false},
		{"GoogleOnly_DocumentationChecks/fish* bar", fishStarRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/fish* fish", fishStarRobots, "FooBot", "http://foo.bar/fish", true},
		{"GoogleOnly_DocumentationChecks/fish* fish.html", fishStarRobots, "FooBot", "http://foo.bar/fish.html", true},
		{"GoogleOnly_DocumentationChecks/fish* fish/salmon.html", fishStarRobots, "FooBot", "http://foo.bar/fish/salmon.html", true},
		{"GoogleOnly_DocumentationChecks/fish* fishheads", fishStarRobots, "FooBot", "http://foo.bar/fishheads", true},
		{"GoogleOnly_DocumentationChecks/fish* fishheads/yummy.html", fishStarRobots, "FooBot", "http://foo.bar/fishheads/yummy.html", true},
		{"GoogleOnly_DocumentationChecks/fish* fish.html?id", fishStarRobots, "FooBot", "http://foo.bar/fish.html?id=anything", true},
		{"GoogleOnly_DocumentationChecks/fish* Fish.bar", fishStarRobots, "FooBot", "http://foo.bar/Fish.bar", false},
		{"GoogleOnly_DocumentationChecks/fish* catfish", fishStarRobots, "FooBot", "http://foo.bar/catfish", false},
		{"GoogleOnly_DocumentationChecks/fish* ?id=fish", fishStarRobots, "FooBot", "http://foo.bar/?id=fish", false},
		{"GoogleOnly_DocumentationChecks/fish/ bar", fishDirRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/fish/ fish/", fishDirRobots, "FooBot", "http://foo.bar/fish/", true},
		{"GoogleOnly_DocumentationChecks/fish/ fish/salmon", fishDirRobots, "FooBot", "http://foo.bar/fish/salmon", true},
		{"GoogleOnly_DocumentationChecks/fish/ fish/?salmon", fishDirRobots, "FooBot", "http://foo.bar/fish/?salmon", true},
		{"GoogleOnly_DocumentationChecks/fish/ fish/salmon.html", fishDirRobots, "FooBot", "http://foo.bar/fish/salmon.html", true},
		{"GoogleOnly_DocumentationChecks/fish/ fish/?id", fishDirRobots, "FooBot", "http://foo.bar/fish/?id=anything", true},
		{"GoogleOnly_DocumentationChecks/fish/ fish", fishDirRobots, "FooBot", "http://foo.bar/fish", false},
		{"GoogleOnly_DocumentationChecks/fish/ fish.html", fishDirRobots, "FooBot", "http://foo.bar/fish.html", false},
		{"GoogleOnly_DocumentationChecks/fish/ Fish/Salmon.html", fishDirRobots, "FooBot", "http://foo.bar/Fish/Salmon.html", false},
		{"GoogleOnly_DocumentationChecks/*.php bar", phpRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/*.php filename.php", phpRobots, "FooBot", "http://foo.bar/filename.php", true},
		{"GoogleOnly_DocumentationChecks/*.php folder/filename.php", phpRobots, "FooBot", "http://foo.bar/folder/filename.php", true},
		{"GoogleOnly_DocumentationChecks/*.php parameters", phpRobots, "FooBot", "http://foo.bar/folder/filename.php?parameters", true},
		{"GoogleOnly_DocumentationChecks/*.php //folder", phpRobots, "FooBot", "http://foo.bar//folder/any.php.file.html", true},
		{"GoogleOnly_DocumentationChecks/*.php filename.php/", phpRobots, "FooBot", "http://foo.bar/filename.php/", true},
		{"GoogleOnly_DocumentationChecks/*.php index?f=", phpRobots, "FooBot", "http://foo.bar/index?f=filename.php/", true},
		{"GoogleOnly_DocumentationChecks/*.php php/", phpRobots, "FooBot", "http://foo.bar/php/", false},
		{"GoogleOnly_DocumentationChecks/*.php index?php", phpRobots, "FooBot", "http://foo.bar/index?php", false},
		{"GoogleOnly_DocumentationChecks/*.php windows.PHP", phpRobots, "FooBot", "http://foo.bar/windows.PHP", false},
		{"GoogleOnly_DocumentationChecks/*.php$ bar", phpEndRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/*.php$ filename.php", phpEndRobots, "FooBot", "http://foo.bar/filename.php", true},
		{"GoogleOnly_DocumentationChecks/*.php$ folder/filename.php", phpEndRobots, "FooBot", "http://foo.bar/folder/filename.php", true},
		{"GoogleOnly_DocumentationChecks/*.php$ parameters", phpEndRobots, "FooBot", "http://foo.bar/filename.php?parameters", false},
		{"GoogleOnly_DocumentationChecks/*.php$ filename.php/", phpEndRobots, "FooBot", "http://foo.bar/filename.php/", false},
		{"GoogleOnly_DocumentationChecks/*.php$ filename.php5", phpEndRobots, "FooBot", "http://foo.bar/filename.php5", false},
		{"GoogleOnly_DocumentationChecks/*.php$ php/", phpEndRobots, "FooBot", "http://foo.bar/php/", false},
		{"GoogleOnly_DocumentationChecks/*.php$ filename?php", phpEndRobots, "FooBot", "http://foo.bar/filename?php", false},
		{"GoogleOnly_DocumentationChecks/*.php$ aaaphpaaa", phpEndRobots, "FooBot", "http://foo.bar/aaaphpaaa", false},
		{"GoogleOnly_DocumentationChecks/*.php$ //windows.PHP", phpEndRobots, "FooBot", "http://foo.bar//windows.PHP", false},
		{"GoogleOnly_DocumentationChecks/fish*.php bar", fishPHPRobots, "FooBot", "http://foo.bar/bar", false},
		{"GoogleOnly_DocumentationChecks/fish*.php fish.php", fishPHPRobots, "FooBot", "http://foo.bar/fish.php", true},
		{"GoogleOnly_DocumentationChecks/fish*.php catfish.php?parameters", fishPHPRobots, "FooBot", "http://foo.bar/fishheads/catfish.php?parameters", true},
		{"GoogleOnly_DocumentationChecks/fish*.php Fish.PHP", fishPHPRobots, "FooBot", "http://foo.bar/Fish.PHP", false},
		// "Order of precedence for group-member records".
		{"GoogleOnly_DocumentationChecks/precedence p", "user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot", "http://example.com/page", true},
		{"GoogleOnly_DocumentationChecks/precedence folder", "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", "FooBot", "http://example.com/folder/page", true},
		{"GoogleOnly_DocumentationChecks/precedence htm", "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot", "http://example.com/page.htm", false},
		{"GoogleOnly_DocumentationChecks/precedence root $", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "http://example.com/", true},
		{"GoogleOnly_DocumentationChecks/precedence page $", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "http://example.com/page.html", false},

		// ID_UTF8ByteOrderMarkIsSkipped, through the rules it lets through.
		{"ID_UTF8ByteOrderMarkIsSkipped/full", "\xEF\xBB\xBFUser-Agent: FooBot\nDisallow: /x\n", "FooBot", "http://foo.bar/x", false},
		{"ID_UTF8ByteOrderMarkIsSkipped/partial 2", "\xEF\xBBUser-Agent: FooBot\nDisallow: /x\n", "FooBot", "http://foo.bar/x", false},
		{"ID_UTF8ByteOrderMarkIsSkipped/partial 1", "\xEFUser-Agent: FooBot\nDisallow: /x\n", "FooBot", "http://foo.bar/x", false},
		{"ID_UTF8ByteOrderMarkIsSkipped/broken", "\xEF\x11\xBFUser-Agent: FooBot\nDisallow: /x\n", "FooBot", "http://foo.bar/x", true},
		{"ID_UTF8ByteOrderMarkIsSkipped/in the middle", "User-Agent: FooBot\n\xEF\xBB\xBFDisallow: /x\n", "FooBot", "http://foo.bar/x", true},

		// ID_LinesNumbersAreCountedCorrectly: LF, CR LF, CR and no final
		// line end, through the rules they let through.
		{"ID_LinesNumbersAreCountedCorrectly/LF", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n", "bar", "http://foo.bar/x", false},
		{"ID_LinesNumbersAreCountedCorrectly/CRLF", "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n", "bar", "http://foo.bar/x", false},
		{"ID_LinesNumbersAreCountedCorrectly/CR", "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r", "bar", "http://foo.bar/x", false},
		{"ID_LinesNumbersAreCountedCorrectly/no final EOL", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /", "bar", "http://foo.bar/x", false},
		{"ID_LinesNumbersAreCountedCorrectly/mixed", "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /", "foo", "http://foo.bar/some/path", true},
	})
}

// TestGoogleLineTooLong ports GoogleOnly_LineTooLong: a line is cut at
// 2083*8-1 bytes and the cut rule still applies.
func TestGoogleLineTooLong(t *testing.T) {
	const maxLen = 2083 * 8
	const eol = 1
	allow, disallow := "allow: ", "disallow: "

	long := "/x/"
	for len(long) < maxLen-len("/x/")-len(disallow)+eol {
		long += "a"
	}
	robotstxt := "user-agent: FooBot\n" + disallow + long + "/qux\n"
	runGoogle(t, []googleCase{
		{"GoogleOnly_LineTooLong/matches nothing", robotstxt, "FooBot", "http://foo.bar/fux", true},
		{"GoogleOnly_LineTooLong/cut disallow", robotstxt, "FooBot", "http://foo.bar" + long + "/fux", false},
	})

	a, b := "/x/", "/x/"
	for len(a) < maxLen-len("/x/")-len(allow)+eol {
		a += "a"
		b += "b"
	}
	robotstxt = "user-agent: FooBot\ndisallow: /\n" + allow + a + "/qux\n" + allow + b + "/qux\n"
	runGoogle(t, []googleCase{
		{"GoogleOnly_LineTooLong/disallowed", robotstxt, "FooBot", "http://foo.bar/", false},
		{"GoogleOnly_LineTooLong/exact allow", robotstxt, "FooBot", "http://foo.bar" + a + "/qux", true},
		{"GoogleOnly_LineTooLong/cut allow", robotstxt, "FooBot", "http://foo.bar" + b + "/fux", true},
	})
}

// TestGoogleSitemaps ports ID_NonStandardLineExample_Sitemap: Sitemap
// lines are kept wherever they stand.
func TestGoogleSitemaps(t *testing.T) {
	tests := []struct{ name, robotstxt string }{
		{"ID_NonStandardLineExample_Sitemap/end", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nSitemap: http://foo.bar/sitemap.xml\n"},
		{"ID_NonStandardLineExample_Sitemap/start", "Sitemap: http://foo.bar/sitemap.xml\nUser-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\n"},
	}
	for _, tt := range tests {
		r := Parse(200, []byte(tt.robotstxt), "foo", time.Now())
		if len(r.Sitemaps) != 1 || r.Sitemaps[0] != "http://foo.bar/sitemap.xml" {
			t.Errorf("%s: sitemaps %q, want [http://foo.bar/sitemap.xml]", tt.name, r.Sitemaps)
		}
	}
}

// TestGoogleEscapePattern ports TestMaybeEscapePattern: rule and URL are
// compared once escaped alike.
func TestGoogleEscapePattern(t *testing.T) {
	tests := []struct{ pattern, url string }{
		{"/*http://www.example.com", "/x/http://www.example.com"},
		{"/a/b/c", "/a/b/c"},
		{"/á", "/%C3%A1"},
		{"/%aa", "/%AA"},
		{"/%AA", "/%aa"},
	}
	for _, tt := range tests {
		robotstxt := "user-agent: *\ndisallow: " + tt.pattern + "\n"
		if allowedLikeFetcher(t, robotstxt, "FooBot", "http://foo.bar"+tt.url) {
			t.Errorf("pattern %q does not match %q", tt.pattern, tt.url)
		}
	}
	if got, _ := encode("%aa"); got != "%AA" {
		t.Errorf("encode(%%aa) = %q, want %%AA", got)
	}
	if got, _ := encode("á"); got != "%C3%A1" {
		t.Errorf("encode(á) = %q, want %%C3%%A1", got)
	}
}

// TestGoogleEmptyURL ports the empty-URL half of GoogleOnly_SystemTest: an
// empty URL is the path "/", disallowed by "disallow: /".
func TestGoogleEmptyURL(t *testing.T) {
	r := Parse(200, []byte("user-agent: FooBot\ndisallow: /\n"), "FooBot", time.Now())
	if r.Allowed(&url.URL{}) {
		t.Error("empty URL allowed")
	}
}
