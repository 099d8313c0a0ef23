package urlnorm

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "HTTPS://News.Example/a?utm_source=x#top", want: "https://news.example/a"},
		{give: "https://news.example/a/", want: "https://news.example/a/"},
		{give: "http://news.example", want: "http://news.example/"},
		{give: "http://news.example:80/x", want: "http://news.example/x"},
		{give: "https://news.example:443/x", want: "https://news.example/x"},
		{give: "http://news.example:443/x", want: "http://news.example:443/x"},
		{give: "http://news.example:/x", want: "http://news.example/x"},
		{give: "http://news.example:08080/x", want: "http://news.example:8080/x"},
		{give: "http://news.example./x", want: "http://news.example/x"},
		{give: "http://news.example../x", want: "http://news.example/x"},
		{give: "  https://news.example/x  ", want: "https://news.example/x"},
		{give: "https://news.example/a/./b/../c", want: "https://news.example/a/c"},
		{give: "https://news.example/../../a", want: "https://news.example/a"},
		{give: "https://news.example/a/b/..", want: "https://news.example/a/"},
		{give: "https://news.example/a/.", want: "https://news.example/a/"},
		{give: "https://news.example/%7euser/%2fx%aa", want: "https://news.example/~user/%2Fx%AA"},
		{give: "https://news.example/a b", want: "https://news.example/a%20b"},
		{give: "https://news.example/?b=2&a=1&c", want: "https://news.example/?a=1&b=2&c"},
		{give: "https://news.example/?a=2&a=1", want: "https://news.example/?a=2&a=1"},
		{give: "https://news.example/?", want: "https://news.example/"},
		{give: "https://news.example/?&&a=1&", want: "https://news.example/?a=1"},
		{give: "https://news.example/x?fbclid=1&gclid=2&mc_eid=3&UTM_Medium=4&id=7", want: "https://news.example/x?id=7"},
		{give: "https://news.example/x?utm%5Fsource=1", want: "https://news.example/x"},
		{give: "https://news.example/x?q=a+b&r=%2b", want: "https://news.example/x?q=a+b&r=%2B"},
		{give: "https://bücher.example/straße", want: "https://xn--bcher-kva.example/stra%C3%9Fe"},
		{give: "https://ПРИМЕР.рф/", want: "https://xn--e1afmkfd.xn--p1ai/"},
		{give: "http://2130706433/", want: "http://127.0.0.1/"},
		{give: "http://0x7f.1/", want: "http://127.0.0.1/"},
		{give: "http://0177.0.0.1/", want: "http://127.0.0.1/"},
		{give: "http://127.1/", want: "http://127.0.0.1/"},
		{give: "http://[::FFFF:127.0.0.1]:8080/", want: "http://[::ffff:7f00:1]:8080/"},
		{give: "http://[2001:DB8:0:0::1]/", want: "http://[2001:db8::1]/"},
		{give: "https://news.example/a#", want: "https://news.example/a"},
		{give: "https://my_host.example/", want: "https://my_host.example/"},

		// One key per resource: the cases.
		{give: "http://h/ü_(x)", want: "http://h/%C3%BC_(x)"},
		{give: "http://h/%C3%BC_(x)", want: "http://h/%C3%BC_(x)"},
		{give: "http://h/%c3%bc_(x)", want: "http://h/%C3%BC_(x)"},
		{give: "http://h/a b!", want: "http://h/a%20b!"},
		{give: "http://h/a%20b!", want: "http://h/a%20b!"},
		{give: "http://h/it's*(1)", want: "http://h/it's*(1)"},
		{give: "http://h/it%27s%2A%281%29", want: "http://h/it%27s%2A%281%29"},
		{give: "http://h/ü/it's*(1)", want: "http://h/%C3%BC/it's*(1)"},
		{give: "http://@h/", want: "http://h/"},
		{give: "http://:@h/", want: "http://h/"},
		{give: "http://@@h/", want: ""}, // user name "@": credentials
		{give: "http://h/100%", want: "http://h/100%25"},
		{give: "http://h/100%-off?a=5%&b=%zz", want: "http://h/100%25-off?a=5%25&b=%25zz"},
		{give: "http://h/a%25b", want: "http://h/a%25b"},
		{give: "http://h/wrapped\n/link\t?x=\r1", want: "http://h/wrapped/link?x=1"},
		{give: "\t\n http://h/x \x00\x1f", want: "http://h/x"},
		{give: "ht\ntp://news.exa\tmple/", want: "http://news.example/"},
		{give: "http://-news-.example/", want: "http://-news-.example/"},
		{give: "http://ab--cd.example/", want: "http://ab--cd.example/"},
		{give: "http://xn--bcher-kva.example/", want: "http://xn--bcher-kva.example/"},
		{give: "http://XN--BCHER-KVA.example/", want: "http://xn--bcher-kva.example/"},
		{give: `http:\\news.example\a\b`, want: "http://news.example/a/b"},
		{give: "http:news.example/a", want: "http://news.example/a"},
		{give: "http:///news.example/a", want: "http://news.example/a"},
		{give: "http://news.example/?q='x'", want: "http://news.example/?q=%27x%27"},
		{give: "http://news.example/?q=%27x%27", want: "http://news.example/?q=%27x%27"},
		{give: "http://news.example/a[]?a[]=1&b={}", want: "http://news.example/a%5B%5D?a%5B%5D=1&b=%7B%7D"},
		{give: "http://news.example/%2e%2E/a/%2e/b", want: "http://news.example/a/b"},
		{give: "http://news.example/a/.%2e/b", want: "http://news.example/b"},
		{give: "http://news.example/?%41=%7a", want: "http://news.example/?A=z"},
		{give: "http://n%65ws.example/", want: "http://news.example/"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.give)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Normalize(%q) = %q, want an error", tt.give, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Normalize(%q) error %v", tt.give, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		give string
		want error
	}{
		{give: "", want: ErrUnparseable},
		{give: " \t\n", want: ErrUnparseable},
		{give: "http://[::1", want: ErrUnparseable},
		{give: "http://a b.example/", want: ErrHost},
		{give: "ftp://news.example/", want: ErrScheme},
		{give: "javascript:alert(1)", want: ErrScheme},
		{give: "/relative/path", want: ErrScheme},
		{give: "//news.example/x", want: ErrScheme},
		{give: "news.example/x", want: ErrScheme},
		{give: "http://", want: ErrHost},
		{give: "http:///", want: ErrHost},
		{give: "http://./x", want: ErrHost},
		{give: "http://a..b/x", want: ErrHost},
		{give: "http://news.example:99999/", want: ErrHost},
		{give: "http://news.example:0/", want: ErrHost},
		{give: "http://news.example:8o/", want: ErrHost},
		{give: "http://[fe80::1%25eth0]/", want: ErrHost},
		{give: "http://news.example:80:80/", want: ErrHost},
		{give: "http://a*b.example/", want: ErrHost},
		{give: "http://" + strings.Repeat("a", 64) + ".example/", want: ErrHost},
		{give: "http://" + strings.Repeat("a", MaxLength), want: ErrUnparseable},
		{give: "http://h/" + strings.Repeat("ü", MaxLength/3), want: ErrUnparseable},
		// Credentials: a non-empty user name or password (WHATWG: "a:" has
		// the user name "a").
		{give: "https://user:pw@news.example/", want: ErrCredentials},
		{give: "http://a:@news.example/", want: ErrCredentials},
		{give: "http://:pw@news.example/", want: ErrCredentials},
		{give: "http://user@news.example/", want: ErrCredentials},
		{give: "http://us%65r@news.example/", want: ErrCredentials},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.give)
		if !errors.Is(err, tt.want) {
			t.Errorf("Normalize(%.80q) = %q, %v; want error %v", tt.give, got, err, tt.want)
		}
	}
}

// TestCredentialsNeverInErrors: an error must be safe to log.
func TestCredentialsNeverInErrors(t *testing.T) {
	for _, raw := range []string{
		"https://user:s3cr3t@news.example/",
		"https://user:s3cr3t@bad host/",
		"https://user:s3cr3t@[::1/",
		"ftp://user:s3cr3t@news.example/",
	} {
		_, err := Normalize(raw)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Normalize(%q) error %v: want an error without the password", raw, err)
		}
		_, err = Resolve("https://news.example/", raw)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Resolve(%q) error %v: want an error without the password", raw, err)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "http://user:pw@h.example/x?a=b@c", want: "http://h.example/x?a=b@c"},
		{give: "http://a@b@h.example/", want: "http://h.example/"},
		{give: "http://h.example/a@b", want: "http://h.example/a@b"},
		{give: `http://u:p@h.example\x`, want: `http://h.example\x`},
		{give: "not a url", want: "not a url"},
	}
	for _, tt := range tests {
		if got := Redact(tt.give); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestNormalizeSpellings checks that the spellings a crawler meets for one
// page all collapse to one key.
func TestNormalizeSpellings(t *testing.T) {
	spellings := []string{
		"https://news.example/world/story?id=7",
		"HTTPS://NEWS.EXAMPLE/world/story?id=7",
		"https://news.example:443/world/story?id=7",
		"https://news.example./world/story?id=7#comments",
		"https://news.example/world/./story?id=7",
		"https://news.example/world/x/../story?id=7",
		"https://news.example/world/story?utm_source=tw&id=7",
		"https://news.example/world/story?id=7&fbclid=abc",
		"https://news.example/%77orld/story?id=7",
		"https://news.example/world/story?&id=7&",
		"https://@news.example/world/story?id=7",
		"https://news.example/world/\nstory?id=7",
		`https://news.example\world\story?id=7`,
		"https://news.example/world/story?%69d=%37",
	}
	want, err := Normalize(spellings[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range spellings[1:] {
		got, err := Normalize(s)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
}

func TestSite(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "news.bbc.co.uk", want: "bbc.co.uk"},
		{give: "WWW.Example.COM.", want: "example.com"},
		{give: "example.com:8080", want: "example.com"},
		{give: "a.b.c.example.org", want: "example.org"},
		{give: "localhost", want: "localhost"},
		{give: "127.0.0.1", want: "127.0.0.1"},
		{give: "127.0.0.1:8080", want: "127.0.0.1"},
		{give: "[::1]:8080", want: "::1"},
		{give: "::1", want: "::1"},
		{give: "co.uk", want: "co.uk"},
		{give: "foo.blogspot.com", want: "foo.blogspot.com"},
		{give: "bücher.example.de", want: "example.de"},
		{give: "", want: ""},
	}
	for _, tt := range tests {
		if got := Site(tt.give); got != tt.want {
			t.Errorf("Site(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestSiteOf(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "https://www.news.example.com/a", want: "example.com"},
		{give: "https://WWW.Bücher.de/a", want: "xn--bcher-kva.de"},
		{give: "https://news.example.co.uk./", want: "example.co.uk"},
		{give: "http://[::1", want: ""},
		{give: "/relative", want: ""},
	}
	for _, tt := range tests {
		if got := SiteOf(tt.give); got != tt.want {
			t.Errorf("SiteOf(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"https://news.example/a?utm_source=x#top", "http://2130706433/", "http://0x7f.1/",
		"https://bücher.example/straße?b=1&a=2", "http://[::ffff:127.0.0.1]/", "http://a/./b/../c/%7e",
		"https://x.example/?q=a+b&&r=%2b", "http://user:pw@h.example:80/p", "ftp://x/",
		"http://h/100%-off", "http:\\\\h\\a\tb", "http://h/%%32%35", "http://h/a/%2e%2E/b?'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Normalize(raw)
		if err != nil {
			return
		}
		// The result is an absolute http(s) URL that Go parses, without
		// userinfo or fragment ...
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not parse: %v", raw, got, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Fragment != "" || u.User != nil {
			t.Fatalf("Normalize(%q) = %q: bad scheme, host, userinfo or fragment", raw, got)
		}
		// ... that Go sends as written (the key is what goes on the wire) ...
		if u.EscapedPath() != u.RawPath && u.RawPath != "" {
			t.Fatalf("Normalize(%q) = %q: Go would send the path as %q", raw, got, u.EscapedPath())
		}
		// ... and normalising it again, or resolving it against anything,
		// changes nothing.
		again, err := Normalize(got)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which fails again: %v", raw, got, err)
		}
		if again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
		if r, err := Resolve("https://other.example/x/y", got); err != nil || r != got {
			t.Fatalf("Resolve(base, %q) = %q, %v; want it unchanged", got, r, err)
		}
	})
}
