package urlnorm

import (
	"errors"
	"testing"
)

// vector is one URL test case from a published suite. href is what the
// suite expects ("" for a failure); want is our canonical form, which is
// href with the documented differences of Normalize applied (no fragment,
// no userinfo, no empty query, decoded unreserved escapes, upper-case hex,
// encoded `[]{}|^` and stray "%", sorted query), or "" when the suite's
// href is refused on purpose (credentials, port 0, non-http schemes).
type vector struct {
	input, base string
	href        string
	want        string
	err         error // when want is "": the error we return
}

// whatwgVectors are cases of the WHATWG URL standard's urltestdata.json
// (web-platform-tests url/resources/urltestdata.json) for the special
// schemes http and https.
var whatwgVectors = []vector{
	{input: "http://example\t.\norg", base: "http://example.org/foo/bar", href: "http://example.org/", want: "http://example.org/"},
	{input: "http://user:pass@foo:21/bar;par?b#c", base: "http://example.org/foo/bar", href: "http://user:pass@foo:21/bar;par?b#c", err: ErrCredentials},
	{input: "https://test:@test", href: "https://test@test/", err: ErrCredentials},
	{input: "https://:@test", href: "https://test/", want: "https://test/"},
	{input: "http://f:/c", base: "http://example.org/foo/bar", href: "http://f/c", want: "http://f/c"},
	{input: "http://f:00000000000000/c", base: "http://example.org/foo/bar", href: "http://f:0/c", err: ErrHost},
	{input: "http://f:00000000000000000000080/c", base: "http://example.org/foo/bar", href: "http://f/c", want: "http://f/c"},
	{input: "http://f:b/c", base: "http://example.org/foo/bar", err: ErrHost},
	{input: "http://f: /c", base: "http://example.org/foo/bar", err: ErrHost},
	{input: "http://f:\n/c", base: "http://example.org/foo/bar", href: "http://f/c", want: "http://f/c"},
	{input: "http://f:fifty-two/c", base: "http://example.org/foo/bar", err: ErrHost},
	{input: "http://f:999999/c", base: "http://example.org/foo/bar", err: ErrHost},
	{input: "http://f: 21 / b ? d # e ", base: "http://example.org/foo/bar", err: ErrHost},
	{input: "", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar", want: "http://example.org/foo/bar"},
	{input: "  \t", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar", want: "http://example.org/foo/bar"},
	{input: ":foo.com/", base: "http://example.org/foo/bar", href: "http://example.org/foo/:foo.com/", want: "http://example.org/foo/:foo.com/"},
	{input: ":", base: "http://example.org/foo/bar", href: "http://example.org/foo/:", want: "http://example.org/foo/:"},
	{input: ":a", base: "http://example.org/foo/bar", href: "http://example.org/foo/:a", want: "http://example.org/foo/:a"},
	{input: ":/", base: "http://example.org/foo/bar", href: "http://example.org/foo/:/", want: "http://example.org/foo/:/"},
	{input: "#", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar#", want: "http://example.org/foo/bar"},
	{input: "#/", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar#/", want: "http://example.org/foo/bar"},
	{input: "?", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar?", want: "http://example.org/foo/bar"},
	{input: "/", base: "http://example.org/foo/bar", href: "http://example.org/", want: "http://example.org/"},
	{input: "/:23", base: "http://example.org/foo/bar", href: "http://example.org/:23", want: "http://example.org/:23"},
	{input: "/a/ /c", base: "http://example.org/foo/bar", href: "http://example.org/a/%20/c", want: "http://example.org/a/%20/c"},
	{input: "/a%2fc", base: "http://example.org/foo/bar", href: "http://example.org/a%2fc", want: "http://example.org/a%2Fc"},
	{input: "/a/%2f/c", base: "http://example.org/foo/bar", href: "http://example.org/a/%2f/c", want: "http://example.org/a/%2F/c"},
	{input: "#\u03B2", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar#%CE%B2", want: "http://example.org/foo/bar"},
	{input: "data:text/html,test#test", base: "http://example.org/foo/bar", err: ErrScheme},
	{input: "tel:1234567890", base: "http://example.org/foo/bar", err: ErrScheme},
	{input: `\\server\file`, base: "http://example.org/foo/bar", href: "http://server/file", want: "http://server/file"},
	{input: `\x\hello`, base: "http://example.org/foo/bar", href: "http://example.org/x/hello", want: "http://example.org/x/hello"},
	{input: "http://example.com/foo/../../..", href: "http://example.com/", want: "http://example.com/"},
	{input: "http://example.com/foo/../../../ton", href: "http://example.com/ton", want: "http://example.com/ton"},
	{input: "http://example.com/foo/%2e", href: "http://example.com/foo/", want: "http://example.com/foo/"},
	{input: "http://example.com/foo/%2e%2", href: "http://example.com/foo/%2e%2", want: "http://example.com/foo/.%252"},
	{input: "http://example.com/foo/%2e./%2e%2e/.%2e/%2e.bar", href: "http://example.com/%2e.bar", want: "http://example.com/..bar"},
	{input: "http://example.com////../..", href: "http://example.com//", want: "http://example.com//"},
	{input: "http://example.com/foo/bar//../..", href: "http://example.com/foo/", want: "http://example.com/foo/"},
	{input: "http://example.com/foo/bar//..", href: "http://example.com/foo/bar/", want: "http://example.com/foo/bar/"},
	{input: "http://example.com/foo", href: "http://example.com/foo", want: "http://example.com/foo"},
	{input: "http://example.com/%20foo", href: "http://example.com/%20foo", want: "http://example.com/%20foo"},
	{input: "http://example.com/foo%", href: "http://example.com/foo%", want: "http://example.com/foo%25"},
	{input: "http://example.com/foo%2", href: "http://example.com/foo%2", want: "http://example.com/foo%252"},
	{input: "http://example.com/foo%2zbar", href: "http://example.com/foo%2zbar", want: "http://example.com/foo%252zbar"},
	{input: "http://example.com/foo%2\u00C2\u00A9zbar", href: "http://example.com/foo%2%C3%82%C2%A9zbar", want: "http://example.com/foo%252%C3%82%C2%A9zbar"},
	{input: "http://example.com/foo%41%7a", href: "http://example.com/foo%41%7a", want: "http://example.com/fooAz"},
	{input: "http://example.com/foo\t\u0091%91", href: "http://example.com/foo%C2%91%91", want: "http://example.com/foo%C2%91%91"},
	{input: "http://example.com/foo%00%51", href: "http://example.com/foo%00%51", want: "http://example.com/foo%00Q"},
	{input: "http://example.com/(%28:%3A%29)", href: "http://example.com/(%28:%3A%29)", want: "http://example.com/(%28:%3A%29)"},
	{input: "http://example.com/%3A%3a%3C%3c", href: "http://example.com/%3A%3a%3C%3c", want: "http://example.com/%3A%3A%3C%3C"},
	{input: "http://example.com/foo\tbar", href: "http://example.com/foobar", want: "http://example.com/foobar"},
	{input: `http://example.com\\foo\\bar`, href: "http://example.com//foo//bar", want: "http://example.com//foo//bar"},
	{input: "http://example.com/@asdf%40", href: "http://example.com/@asdf%40", want: "http://example.com/@asdf%40"},
	{input: "http://example.com/你好你好", href: "http://example.com/%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD", want: "http://example.com/%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD"},
	{input: "http://example.com/\u2025/foo", href: "http://example.com/%E2%80%A5/foo", want: "http://example.com/%E2%80%A5/foo"},
	{input: "http://example.com/\uFEFF/foo", href: "http://example.com/%EF%BB%BF/foo", want: "http://example.com/%EF%BB%BF/foo"},
	{input: "http://example.com/\u202E/foo/\u202D/bar", href: "http://example.com/%E2%80%AE/foo/%E2%80%AD/bar", want: "http://example.com/%E2%80%AE/foo/%E2%80%AD/bar"},
	{input: "http://www.google.com/foo?bar=baz#", href: "http://www.google.com/foo?bar=baz#", want: "http://www.google.com/foo?bar=baz"},
	{input: "http://www.google.com/foo?bar=baz# \u00BB", href: "http://www.google.com/foo?bar=baz#%20%C2%BB", want: "http://www.google.com/foo?bar=baz"},
	{input: "http://[www.google.com]/", err: ErrHost},
	{input: "http://www.google.com", href: "http://www.google.com/", want: "http://www.google.com/"},
	{input: "http://192.0x00A80001", href: "http://192.168.0.1/", want: "http://192.168.0.1/"},
	{input: "http://www/foo%2Ehtml", href: "http://www/foo%2Ehtml", want: "http://www/foo.html"},
	{input: "http://www/foo/%2E/html", href: "http://www/foo/html", want: "http://www/foo/html"},
	{input: "http://user:pass@/", err: ErrCredentials},
	{input: "http://%25DOMAIN:foobar@foodomain.com/", href: "http://%25DOMAIN:foobar@foodomain.com/", err: ErrCredentials},
	{input: `http:\\www.google.com\foo`, href: "http://www.google.com/foo", want: "http://www.google.com/foo"},
	{input: "http://foo:80/", href: "http://foo/", want: "http://foo/"},
	{input: "http://foo:81/", href: "http://foo:81/", want: "http://foo:81/"},
	{input: "https://foo:443/", href: "https://foo/", want: "https://foo/"},
	{input: "https://foo:80/", href: "https://foo:80/", want: "https://foo:80/"},
	{input: "http://\uFF27\uFF4F.com", href: "http://go.com/", want: "http://go.com/"},
	{input: "http://\uFF05\uFF14\uFF11.com", err: ErrHost},
	{input: "http://%ef%bc%85%ef%bc%94%ef%bc%91.com", err: ErrHost},
	{input: "http://%41.com", href: "http://a.com/", want: "http://a.com/"},
	{input: "http://%ef%bc%a1.com", href: "http://a.com/", want: "http://a.com/"},
	{input: "http://%zz%66%a.com", err: ErrHost},
	{input: "http://%25", err: ErrHost},
	{input: "http://hello%00", err: ErrHost},
	{input: "http://192.168.0.257", err: ErrHost},
	{input: "http://%3g%78%63%30%2e%30%32%35%30%2E.06", err: ErrHost},
	{input: "http://%30%78%63%30%2e%30%32%35%30.01", href: "http://192.168.0.1/", want: "http://192.168.0.1/"},
	{input: "http://%30%78%63%30%2e%30%32%35%30.01%2e", href: "http://192.168.0.1/", want: "http://192.168.0.1/"},
	{input: "http://192.168.0.1 hello", err: ErrHost},
	{input: "https://x x:12", err: ErrHost},
	{input: "http://[google.com]", err: ErrHost},
	{input: "http://[::1.2.3.4x]", err: ErrHost},
	{input: "http://[::1.2.3.]", err: ErrHost},
	{input: "http://[::1.2.]", err: ErrHost},
	{input: "http://[::1.]", err: ErrHost},
	{input: "http://[1:0::]", href: "http://[1::]/", want: "http://[1::]/"},
	{input: "http://[0:0:0:0:0:0:13.1.68.3]", href: "http://[::d01:4403]/", want: "http://[::d01:4403]/"},
	{input: "http://[::127.0.0.1]", href: "http://[::7f00:1]/", want: "http://[::7f00:1]/"},
	{input: "http://[0:1:2:3:4:5:6:7:8]", err: ErrHost},
	{input: "https://[0::0::0]", err: ErrHost},
	{input: "https://[0:.0]", err: ErrHost},
	{input: "http://[2001::1]:80", href: "http://[2001::1]/", want: "http://[2001::1]/"},
	{input: "http://[::ffff:192.168.1.1]", href: "http://[::ffff:c0a8:101]/", want: "http://[::ffff:c0a8:101]/"},
	{input: "http://[1:0:0:2::3:0]", href: "http://[1::2:0:0:3:0]/", want: "http://[1::2:0:0:3:0]/"},
	{input: "http://foo.09", err: ErrHost},
	{input: "http://foo.0x4", err: ErrHost},
	{input: "http://foo.09.", err: ErrHost},
	{input: "http://0999999999999999999/", err: ErrHost},
	{input: "http://foo.0x", err: ErrHost},
	{input: "http://foo.0XFfFfFfFfFfFfFfFfFfAcE123", err: ErrHost},
	{input: "http://\U0001F4A9.123/", err: ErrHost},
	{input: "http://0x7f.0.0.0x7g", href: "http://0x7f.0.0.0x7g/", want: "http://0x7f.0.0.0x7g/"},
	{input: "http://0X7F.0.0.0X7G", href: "http://0x7f.0.0.0x7g/", want: "http://0x7f.0.0.0x7g/"},
	{input: "http://1.2.3.4.5", err: ErrHost},
	{input: "http://1.2.3.4.5.", err: ErrHost},
	{input: "http://0..0x300/", err: ErrHost},
	{input: "http://0..0x300./", err: ErrHost},
	{input: "http://256.256.256.256.256", err: ErrHost},
	{input: "http://4294967295", href: "http://255.255.255.255/", want: "http://255.255.255.255/"},
	{input: "http://4294967296", err: ErrHost},
	{input: "http://0xffffffff", href: "http://255.255.255.255/", want: "http://255.255.255.255/"},
	{input: "http://0xffffffff1", err: ErrHost},
	{input: "http://256", href: "http://0.0.1.0/", want: "http://0.0.1.0/"},
	{input: "http://10000000000", err: ErrHost},
	{input: "https://0x.0x.0", href: "https://0.0.0.0/", want: "https://0.0.0.0/"},
	{input: "https://0x100000000/test", err: ErrHost},
	{input: "https://256.0.0.1/test", err: ErrHost},
	{input: "http://a.b.c.xn--pokxncvks", err: ErrHost},
	{input: "http://10.0.0.xn--pokxncvks", err: ErrHost},
	{input: "https://xn--/", err: ErrHost},
	{input: "https://a%C2%ADb/", href: "https://ab/", want: "https://ab/"},
	{input: "https://\u00AD/", err: ErrHost},
	{input: "https://x/\u0000y", href: "https://x/%00y", want: "https://x/%00y"},
	{input: "https://x/?\u0000y", href: "https://x/?%00y", want: "https://x/?%00y"},
	{input: "http://host/?'", href: "http://host/?%27", want: "http://host/?%27"},
	{input: "http://host/'", href: "http://host/'", want: "http://host/'"},
	{input: "http://host/?\"", href: "http://host/?%22", want: "http://host/?%22"},
	{input: "http://example.com/foo?`{}", href: "http://example.com/foo?`{}", want: "http://example.com/foo?%60%7B%7D"},
	{input: "http://fa\u00DF.ExAmPlE/", href: "http://xn--fa-hia.example/", want: "http://xn--fa-hia.example/"},
	{input: "http://\U0001F4A9.la/", href: "http://xn--ls8h.la/", want: "http://xn--ls8h.la/"},
	{input: "http://@www.example.com", href: "http://www.example.com/", want: "http://www.example.com/"},
	{input: "http:/@www.example.com", href: "http://www.example.com/", want: "http://www.example.com/"},
	{input: "http://@:www.example.com", err: ErrHost},
	{input: "http://a:b@c:29/d", err: ErrCredentials},
	{input: "http::@c:29", base: "http://example.org/foo/bar", href: "http://example.org/foo/:@c:29", want: "http://example.org/foo/:@c:29"},
	{input: "http://&a:foo(b]c@d:2/", err: ErrCredentials},
	{input: "http://::@c@d:2", err: ErrCredentials},
	{input: "http://foo.com:b@d/", err: ErrCredentials},
	{input: "http://www.@pple.com", href: "http://www.@pple.com/", err: ErrCredentials},
	{input: "http:@:www.example.com", err: ErrHost},
	{input: "http:/a:b@www.example.com", err: ErrCredentials},
	{input: "http://example.com/foo/bar/../ton/../../a", href: "http://example.com/a", want: "http://example.com/a"},
	{input: "http://example.com/foo/bar/..", href: "http://example.com/foo/", want: "http://example.com/foo/"},
	{input: "http:example.com/", href: "http://example.com/", want: "http://example.com/"},
	{input: "http:/example.com/", base: "http://example.org/foo/bar", href: "http://example.org/example.com/", want: "http://example.org/example.com/"},
	{input: "http:example.com/", base: "http://example.org/foo/bar", href: "http://example.org/foo/example.com/", want: "http://example.org/foo/example.com/"},
	{input: "https:example.com/", base: "http://example.org/foo/bar", href: "https://example.com/", want: "https://example.com/"},
	{input: "//example.com/x", base: "https://example.org/foo/bar", href: "https://example.com/x", want: "https://example.com/x"},
	{input: "/\\server/file", base: "http://example.org/foo/bar", href: "http://server/file", want: "http://server/file"},
	{input: "..", base: "http://example.org/foo/bar", href: "http://example.org/", want: "http://example.org/"},
	{input: "test", base: "http://example.org/test", href: "http://example.org/test", want: "http://example.org/test"},
	{input: "?x", base: "http://example.org/foo/bar", href: "http://example.org/foo/bar?x", want: "http://example.org/foo/bar?x"},
	{input: "http://example.org/test?\"", href: "http://example.org/test?%22", want: "http://example.org/test?%22"},
	{input: "http://example.org/test?#", href: "http://example.org/test?#", want: "http://example.org/test"},
	{input: "http://example.org/test?<", href: "http://example.org/test?%3C", want: "http://example.org/test?%3C"},
	{input: "http://example.org/test?%", href: "http://example.org/test?%", want: "http://example.org/test?%25"},
	{input: "http://www.example.com/test?", href: "http://www.example.com/test?", want: "http://www.example.com/test"},
	{input: "http://example.com/\u00F0\u009F\u0090\u0080", href: "http://example.com/%C3%B0%C2%9F%C2%90%C2%80", want: "http://example.com/%C3%B0%C2%9F%C2%90%C2%80"},
}

// rfc3986Vectors are the reference resolution examples of RFC 3986
// section 5.4, against the base "http://a/b/c/d;p?q". Go's net/url and
// Python's urllib test suites both carry them. Results differ from the RFC
// only where Normalize differs on purpose (no fragment) and where the URL
// standard differs ("http:g" is relative for a special scheme).
var rfc3986Vectors = []vector{
	{input: "g:h", err: ErrScheme},
	{input: "g", want: "http://a/b/c/g"},
	{input: "./g", want: "http://a/b/c/g"},
	{input: "g/", want: "http://a/b/c/g/"},
	{input: "/g", want: "http://a/g"},
	{input: "//g", want: "http://g/"},
	{input: "?y", want: "http://a/b/c/d;p?y"},
	{input: "g?y", want: "http://a/b/c/g?y"},
	{input: "#s", want: "http://a/b/c/d;p?q"},
	{input: "g#s", want: "http://a/b/c/g"},
	{input: "g?y#s", want: "http://a/b/c/g?y"},
	{input: ";x", want: "http://a/b/c/;x"},
	{input: "g;x", want: "http://a/b/c/g;x"},
	{input: "g;x?y#s", want: "http://a/b/c/g;x?y"},
	{input: "", want: "http://a/b/c/d;p?q"},
	{input: ".", want: "http://a/b/c/"},
	{input: "./", want: "http://a/b/c/"},
	{input: "..", want: "http://a/b/"},
	{input: "../", want: "http://a/b/"},
	{input: "../g", want: "http://a/b/g"},
	{input: "../..", want: "http://a/"},
	{input: "../../", want: "http://a/"},
	{input: "../../g", want: "http://a/g"},
	// Abnormal examples (section 5.4.2).
	{input: "../../../g", want: "http://a/g"},
	{input: "../../../../g", want: "http://a/g"},
	{input: "/./g", want: "http://a/g"},
	{input: "/../g", want: "http://a/g"},
	{input: "g.", want: "http://a/b/c/g."},
	{input: ".g", want: "http://a/b/c/.g"},
	{input: "g..", want: "http://a/b/c/g.."},
	{input: "..g", want: "http://a/b/c/..g"},
	{input: "./../g", want: "http://a/b/g"},
	{input: "./g/.", want: "http://a/b/c/g/"},
	{input: "g/./h", want: "http://a/b/c/g/h"},
	{input: "g/../h", want: "http://a/b/c/h"},
	{input: "g;x=1/./y", want: "http://a/b/c/g;x=1/y"},
	{input: "g;x=1/../y", want: "http://a/b/c/y"},
	{input: "g?y/./x", want: "http://a/b/c/g?y/./x"},
	{input: "g?y/../x", want: "http://a/b/c/g?y/../x"},
	{input: "g#s/./x", want: "http://a/b/c/g"},
	{input: "g#s/../x", want: "http://a/b/c/g"},
	{input: "http:g", want: "http://a/b/c/g"},
}

// libraryVectors are cases of Go's net/url tests (url_test.go: parse and
// ResolveReference tables) and Python's urllib.parse tests
// (test_urlparse.py: urljoin and split tables) that bear on http(s).
var libraryVectors = []vector{
	// Go net/url: ResolveReference.
	{base: "http://foo.com?query", input: "bar", want: "http://foo.com/bar"},
	{base: "http://foo.com/", input: "bar", want: "http://foo.com/bar"},
	{base: "http://foo.com/bar/baz", input: "../quux", want: "http://foo.com/quux"},
	{base: "http://foo.com/bar", input: "..", want: "http://foo.com/"},
	{base: "http://foo.com/bar/baz", input: "./quux", want: "http://foo.com/bar/quux"},
	{base: "http://foo.com/dir/", input: "./file", want: "http://foo.com/dir/file"},
	{base: "https://foo.com/bar?a=b", input: "//bar.com/quux", want: "https://bar.com/quux"},
	{base: "http://foo.com/bar", input: "https://baz.com/", want: "https://baz.com/"},
	{base: "http://foo.com/bar?a=b#f", input: "", want: "http://foo.com/bar?a=b"},
	{base: "http://foo.com/bar?q=1", input: "?q=2", want: "http://foo.com/bar?q=2"},
	{base: "http://foo.com/bar/baz", input: "quux/./dotdot/../tail", want: "http://foo.com/bar/quux/tail"},
	{base: "http://foo.com/bar/baz", input: "/quux/./dotdot/.././tail", want: "http://foo.com/quux/tail"},
	{base: "http://foo.com/a/b/c", input: "../../../../../../../d", want: "http://foo.com/d"},
	{base: "http://foo.com/", input: "mailto:user@foo.com", err: ErrScheme},
	// Go net/url: Parse.
	{input: "http://www.google.com/?q=go+language", want: "http://www.google.com/?q=go+language"},
	{input: "http://www.google.com/?q=go%20language", want: "http://www.google.com/?q=go%20language"},
	{input: "http://www.google.com/a%20b?q=c+d", want: "http://www.google.com/a%20b?q=c+d"},
	{input: "http://www.google.com/file%20one%26two", want: "http://www.google.com/file%20one%26two"},
	{input: "http://www.google.com/a%2fb", want: "http://www.google.com/a%2Fb"},
	{input: "http://j@ne:password@google.com", err: ErrCredentials},
	{input: "http://jane:p@ssword@google.com", err: ErrCredentials},
	{input: "http://%41:8080/", want: "http://a:8080/"},
	{input: "http://[fe80::1%25en0]/", err: ErrHost},
	{input: "http://[fe80::1]:8080/", want: "http://[fe80::1]:8080/"},
	{input: "http://192.168.0.1:8080/", want: "http://192.168.0.1:8080/"},
	{input: "http://example.com/oid/[order_id]", want: "http://example.com/oid/%5Border_id%5D"},
	{input: "http://rest.rsc.io/foo%2fbar/baz%2Fquux?alt=media", want: "http://rest.rsc.io/foo%2Fbar/baz%2Fquux?alt=media"},
	{input: "http://host/!$&'()*+,;=:@[]", want: "http://host/!$&'()*+,;=:@%5B%5D"},
	{input: "http:%2f%2fwww.google.com/?q=go+language", err: ErrHost},
	// Python urllib.parse: urljoin.
	{base: "http://a/b/c/d", input: "../../../../g", want: "http://a/g"},
	{base: "http://a/b/", input: "../c", want: "http://a/c"},
	{base: "http://a/b/", input: "../../c", want: "http://a/c"},
	{base: "http://a/b/c/", input: "..", want: "http://a/b/"},
	{base: "http://a/b/c/", input: "../", want: "http://a/b/"},
	{base: "http://www.python.org", input: "#frag", want: "http://www.python.org/"},
	{base: "http://a/b/c/d;p?q", input: "g/..", want: "http://a/b/c/"},
	{base: "http://a/b/c/d;p?q", input: "//g/", want: "http://g/"},
	{base: "http://a/b/c/d;p?q", input: "http://g", want: "http://g/"},
	{base: "http://a/b/c/d;p?q", input: "https://g", want: "https://g/"},
	{base: "http://a/./g", input: "", want: "http://a/g"},
	{base: "http://a/b", input: "../../g", want: "http://a/g"},
	// Python urllib.parse: urlsplit.
	{input: "http://www.python.org:080/", want: "http://www.python.org/"},
	{input: "http://www.python.org:/", want: "http://www.python.org/"},
	{input: "http://www.python.org:65536/", err: ErrHost},
	{input: "HTTP://WWW.PYTHON.ORG/doc/#frag", want: "http://www.python.org/doc/"},
	{input: "http://[::1]:5432/foo/", want: "http://[::1]:5432/foo/"},
	{input: "http://[dead:beef::1]:5432/foo/", want: "http://[dead:beef::1]:5432/foo/"},
	{input: "http://[::12.34.56.78]:5432/foo/", want: "http://[::c22:384e]:5432/foo/"},
	{input: "http://[::ffff:12.34.56.78]:5432/foo/", want: "http://[::ffff:c22:384e]:5432/foo/"},
	{input: "http://[v6a.ip]/", err: ErrHost},
	{input: "http://\u2100.com", err: ErrHost},
}

func TestVectors(t *testing.T) {
	run := func(t *testing.T, name string, vs []vector, defaultBase string) {
		t.Run(name, func(t *testing.T) {
			for _, v := range vs {
				base := v.base
				if base == "" {
					base = defaultBase
				}
				var got string
				var err error
				if base == "" {
					got, err = Normalize(v.input)
				} else {
					got, err = Resolve(base, v.input)
				}
				switch {
				case v.want == "" && v.err == nil:
					t.Errorf("bad vector %q: neither want nor err", v.input)
				case v.want == "":
					if !errors.Is(err, v.err) {
						t.Errorf("%q against %q = %q, %v; want error %v", v.input, base, got, err, v.err)
					}
				case err != nil || got != v.want:
					t.Errorf("%q against %q = %q, %v; want %q (suite: %q)", v.input, base, got, err, v.want, v.href)
				}
				// Our form is a fixed point.
				if err == nil {
					if again, err := Normalize(got); err != nil || again != got {
						t.Errorf("%q: Normalize(%q) = %q, %v; want it unchanged", v.input, got, again, err)
					}
				}
			}
		})
	}
	run(t, "whatwg", whatwgVectors, "")
	run(t, "rfc3986", rfc3986Vectors, "http://a/b/c/d;p?q")
	run(t, "libraries", libraryVectors, "")
}
