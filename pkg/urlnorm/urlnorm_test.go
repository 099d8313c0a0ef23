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
		{give: "http://[::FFFF:127.0.0.1]:8080/", want: "http://[::ffff:127.0.0.1]:8080/"},
		{give: "http://[2001:DB8:0:0::1]/", want: "http://[2001:db8::1]/"},
		{give: "https://user:pw@news.example/", want: "https://user:pw@news.example/"},
		{give: "https://news.example/a#", want: "https://news.example/a"},
		{give: "https://my_host.example/", want: "https://my_host.example/"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.give)
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
		{give: "http://[::1", want: ErrUnparseable},
		{give: "http://a b.example/", want: ErrUnparseable},
		{give: "ftp://news.example/", want: ErrScheme},
		{give: "javascript:alert(1)", want: ErrScheme},
		{give: "/relative/path", want: ErrScheme},
		{give: "news.example/x", want: ErrScheme},
		{give: "http:///x", want: ErrHost},
		{give: "http://./x", want: ErrHost},
		{give: "http://news.example:99999/", want: ErrHost},
		{give: "http://[fe80::1%25eth0]/", want: ErrHost},
		{give: "http:news.example", want: ErrHost},
		{give: "http://" + strings.Repeat("a", MaxLength), want: ErrUnparseable},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.give)
		if !errors.Is(err, tt.want) {
			t.Errorf("Normalize(%q) = %q, %v; want error %v", tt.give, got, err, tt.want)
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
	if got := SiteOf("https://www.news.example.com/a"); got != "example.com" {
		t.Errorf("SiteOf = %q", got)
	}
	if got := SiteOf("http://[::1"); got != "" {
		t.Errorf("SiteOf(bad) = %q, want empty", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"https://news.example/a?utm_source=x#top", "http://2130706433/", "http://0x7f.1/",
		"https://bücher.example/straße?b=1&a=2", "http://[::ffff:127.0.0.1]/", "http://a/./b/../c/%7e",
		"https://x.example/?q=a+b&&r=%2b", "http://user:pw@h.example:80/p", "ftp://x/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Normalize(raw)
		if err != nil {
			return
		}
		// The result is an absolute http(s) URL that Go parses ...
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not parse: %v", raw, got, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Fragment != "" {
			t.Fatalf("Normalize(%q) = %q: bad scheme, host or fragment", raw, got)
		}
		// ... and normalising it again changes nothing.
		again, err := Normalize(got)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which fails again: %v", raw, got, err)
		}
		if again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
	})
}
