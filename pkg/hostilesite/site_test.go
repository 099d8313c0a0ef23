package hostilesite

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/brotli"

	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/schema"
)

func start(t *testing.T, opts Options) (*Site, *httptest.Server) {
	t.Helper()
	site := New(opts)
	srv := httptest.NewServer(site)
	t.Cleanup(func() { site.Close(); srv.Close() })
	return site, srv
}

// decoded counts the bytes a reader yields and checks they are all spaces.
func decoded(t *testing.T, r io.Reader) int64 {
	t.Helper()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := r.Read(buf)
		if bytes.Count(buf[:k], []byte(" ")) != k {
			t.Fatalf("bomb decodes to something else than spaces after %d bytes", n)
		}
		n += int64(k)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("decode after %d bytes: %v", n, err)
		}
	}
}

func TestBombsDecodeToTheirSize(t *testing.T) {
	const size = 64 << 20
	readers := map[string]func(io.Reader) (io.Reader, error){
		"gzip":    func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"deflate": func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }, // checks the Adler-32
		"br":      func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	}
	for enc, open := range readers {
		t.Run(enc, func(t *testing.T) {
			body, err := Bomb(enc, size)
			if err != nil {
				t.Fatal(err)
			}
			if ratio := size / len(body); ratio < 500 {
				t.Errorf("%s bomb: %d bytes for %d decoded, a ratio of only %d", enc, len(body), size, ratio)
			}
			r, err := open(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if n := decoded(t, r); n != size {
				t.Errorf("%s bomb decodes to %d bytes, want %d", enc, n, size)
			}
		})
	}
	if _, err := Bomb("zstd", size); err == nil {
		t.Error("Bomb(zstd) = nil error, want unknown encoding")
	}
	if _, err := Bomb("gzip", size+1); err == nil {
		t.Error("Bomb of a size not a multiple of 1 MiB = nil error")
	}
}

func TestAdler32OfSpaces(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5552, 5553, 65521, 1 << 20, 3<<20 + 7} {
		want := adler32.Checksum(bytes.Repeat([]byte(" "), n))
		if got := adler32Spaces(uint64(n)); got != want {
			t.Errorf("adler32Spaces(%d) = %#x, want %#x", n, got, want)
		}
	}
}

// rawGet sends a GET on a fresh connection and returns what arrives
// within wait (the server may never finish).
func rawGet(t *testing.T, srv *httptest.Server, path string, wait time.Duration) []byte {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+srv.Listener.Addr().String()+"\r\nConnection: close\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(wait))
	var out bytes.Buffer
	io.Copy(&out, io.LimitReader(c, 4<<20))
	return out.Bytes()
}

func TestBombResponses(t *testing.T) {
	_, srv := start(t, Options{})
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	gz, err := Bomb("gzip", BombSize)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give     string
		status   int
		location bool
	}{
		{give: BombPath("gzip", 200, true), status: 200, location: true},
		{give: BombPath("gzip", 300, true), status: 300, location: true},
		{give: BombPath("gzip", 301, false), status: 301},
		{give: BombPath("gzip", 399, true), status: 399, location: true},
		{give: BombPath("gzip", 404, true), status: 404, location: true},
		{give: BombPath("gzip", 500, false), status: 500},
	}
	for _, tt := range tests {
		resp, err := client.Get(srv.URL + tt.give)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Encoding") != "gzip" || (resp.Header.Get("Location") != "") != tt.location {
			t.Errorf("%s: status %d, Content-Encoding %q, Location %q; want %d, gzip, location %v",
				tt.give, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Location"), tt.status, tt.location)
		}
		if !bytes.Equal(body, gz) {
			t.Errorf("%s: body of %d bytes, want the %d-byte gzip bomb", tt.give, len(body), len(gz))
		}
	}
	// A 304 carries the bomb too, written past net/http (which would
	// refuse a body with a 304).
	raw := rawGet(t, srv, BombPath("gzip", 304, true), 5*time.Second)
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 304 ")) || !bytes.Contains(head, []byte("Content-Length: "+strconv.Itoa(len(gz)))) || len(body) != len(gz) {
		t.Errorf("304 bomb: head %q and %d body bytes, want a 304 with the %d-byte bomb", head, len(body), len(gz))
	}
	if resp, err := client.Get(srv.URL + "/bomb/gzip/99"); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status 99: %v %v, want 400", resp, err)
	}
}

func TestEndlessResponses(t *testing.T) {
	site, srv := start(t, Options{})
	t.Run("endless", func(t *testing.T) {
		resp, err := http.Get(srv.URL + PathEndless)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if n, err := io.CopyN(io.Discard, resp.Body, 20<<20); n != 20<<20 {
			t.Errorf("endless stream ended after %d bytes: %v", n, err)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		resp, err := http.Get(srv.URL + PathTrickle)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := make([]byte, 1<<10)
		if _, err := resp.Body.Read(buf); err != nil { // the opening markup
			t.Fatal(err)
		}
		start := time.Now()
		for range 3 {
			if n, err := resp.Body.Read(buf); n != 1 || err != nil {
				t.Fatalf("drip: %d bytes, %v; want one byte at a time", n, err)
			}
		}
		if took := time.Since(start); took < 2*DripInterval {
			t.Errorf("3 bytes in %v: not a drip", took)
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		raw := rawGet(t, srv, PathSlowHeaders, 3*DripInterval)
		if !bytes.HasPrefix(raw, []byte("HTTP/1.1 200 OK\r\n")) || bytes.Contains(raw, []byte("\r\n\r\n")) || !bytes.HasSuffix(raw, []byte("aa")) {
			t.Errorf("slow headers sent %q: want a status line, then headers that never end", raw)
		}
	})
	t.Run("informational flood", func(t *testing.T) {
		raw := rawGet(t, srv, PathInformational, time.Second)
		if n := bytes.Count(raw, []byte("HTTP/1.1 103 Early Hints\r\n")); n < 20 || bytes.Contains(raw, []byte("HTTP/1.1 200")) {
			t.Errorf("%d early hints and final response %v: want a flood and no final response", n, bytes.Contains(raw, []byte("HTTP/1.1 200")))
		}
	})
	t.Run("close ends them", func(t *testing.T) {
		resp, err := http.Get(srv.URL + PathTrickle)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		site.Close()
		done := make(chan error, 1)
		go func() { _, err := io.Copy(io.Discard, resp.Body); done <- err }()
		select {
		case <-done:
		case <-time.After(3 * DripInterval):
			t.Error("the trickle went on after Close")
		}
	})
}

func TestRedirects(t *testing.T) {
	_, srv := start(t, Options{})
	for _, tt := range []struct {
		give string
		want *regexp.Regexp
	}{
		{give: PathRedirectLoop, want: regexp.MustCompile(`^/redirect/loop/[ab]$`)},
		{give: PathRedirectChain, want: regexp.MustCompile(`^/redirect/chain/\d+$`)},
	} {
		var seen []string
		client := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
			seen = append(seen, req.URL.Path)
			if len(via) >= 25 {
				return errors.New("enough")
			}
			return nil
		}}
		if _, err := client.Get(srv.URL + tt.give); err == nil {
			t.Errorf("%s: redirects ended", tt.give)
		}
		if len(seen) != 25 {
			t.Errorf("%s: %d redirects before the client stopped, want 25", tt.give, len(seen))
		}
		for _, p := range seen {
			if !tt.want.MatchString(p) {
				t.Errorf("%s redirected to %s", tt.give, p)
			}
		}
		if tt.give == PathRedirectChain && seen[len(seen)-1] != "/redirect/chain/25" {
			t.Errorf("chain reached %s after 25 redirects, want /redirect/chain/25: every step a new URL", seen[len(seen)-1])
		}
	}
}

func TestHugeHeaders(t *testing.T) {
	_, srv := start(t, Options{})
	raw := rawGet(t, srv, PathHugeHeaders, 5*time.Second)
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok || len(head) < 256<<10 {
		t.Errorf("headers of %d bytes, want over 256 KiB", len(head))
	}
}

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return resp, body
}

// The article pages read as stories to the extractor: the suite relies
// on it (an attack page that is no article would test less).
func TestPagesReadAsStories(t *testing.T) {
	_, srv := start(t, Options{})
	for _, path := range []string{ArticlePath("an-ordinary-story-about-the-council-budget"), LongURLPath(3000), PathLongSiteName, PathControlChars, PathHugeArticle, PathGiantAttribute} {
		resp, body := get(t, srv, path)
		a, err := extract.Extract(extract.Input{URL: srv.URL + path, ContentType: resp.Header.Get("Content-Type"), Body: body})
		if err != nil {
			t.Fatalf("%.80s: %v", path, err)
		}
		if a.PageType != schema.PageArticle || a.WordCount < 100 {
			t.Errorf("%.80s: page type %q with %d words, want an article", path, a.PageType, a.WordCount)
		}
	}
}

func TestPageShapes(t *testing.T) {
	_, srv := start(t, Options{})
	count := func(body []byte, s string) int { return bytes.Count(body, []byte(s)) }
	tests := []struct {
		give  string
		check func(body []byte) string // "" when the page is as wanted
	}{
		{PathDeepDOM, func(b []byte) string {
			if n := count(b, "<div>"); n != DeepDOMLevels {
				return strconv.Itoa(n) + " nested divs"
			}
			return ""
		}},
		{PathGiantAttribute, func(b []byte) string {
			if !bytes.Contains(b, []byte(`data-payload="`+strings.Repeat("A", GiantAttributeBytes)+`"`)) {
				return "no attribute of GiantAttributeBytes"
			}
			return ""
		}},
		{PathBinary, func(b []byte) string {
			if len(b) != BinaryBytes || utf8.Valid(b) {
				return "not BinaryBytes of binary"
			}
			return ""
		}},
		{PathHugeArticle, func(b []byte) string {
			if len(b) < HugeArticleBytes {
				return strconv.Itoa(len(b)) + " bytes"
			}
			return ""
		}},
		{PathLongSiteName, func(b []byte) string {
			m := regexp.MustCompile(`og:site_name" content="([^"]*)"`).FindSubmatch(b)
			if m == nil || len(m[1]) != LongSiteNameBytes {
				return "no site name of LongSiteNameBytes"
			}
			return ""
		}},
		{PathControlChars, func(b []byte) string {
			if !bytes.Contains(b, []byte("\x02"+ControlWord+"\x03")) {
				return "no STX/ETX around the control word"
			}
			return ""
		}},
		{PathLinks, func(b []byte) string {
			if n := count(b, `<a href="/links/to/`); n != LinkCount {
				return strconv.Itoa(n) + " links"
			}
			return ""
		}},
		{"/sitemap/index-7.xml", func(b []byte) string {
			if !bytes.Contains(b, []byte("/sitemap/index-7.xml</loc>")) || !bytes.Contains(b, []byte("/sitemap/index-8.xml</loc>")) {
				return "does not list itself and the next index"
			}
			return ""
		}},
		{PathLaughsSitemap, func(b []byte) string {
			if !bytes.Contains(b, []byte(`<!ENTITY lol9 "&lol8;&lol8;`)) || !bytes.Contains(b, []byte("&lol9;</loc>")) {
				return "no billion laughs"
			}
			return ""
		}},
		{PathLaughsFeed, func(b []byte) string {
			if !bytes.Contains(b, []byte("<title>&lol9;</title>")) || !bytes.Contains(b, []byte("<!DOCTYPE rss [")) {
				return "no billion laughs"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		_, body := get(t, srv, tt.give)
		if problem := tt.check(body); problem != "" {
			t.Errorf("%s: %s", tt.give, problem)
		}
	}
	if got := len(LongURLPath(3000)); got != 3000 {
		t.Errorf("LongURLPath(3000) is %d bytes long", got)
	}
}

// The long values stay long once compressed, as a database compresses
// them before it checks a key's size.
func TestLongValuesResistCompression(t *testing.T) {
	for name, v := range map[string]string{"LongURLPath(3000)": LongURLPath(3000), "site name": longSiteName()} {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		io.WriteString(w, v)
		w.Close()
		if b.Len() < len(v)/2 {
			t.Errorf("%s: %d bytes compress to %d", name, len(v), b.Len())
		}
		if strings.HasSuffix(v, "-") || strings.HasSuffix(v, " ") {
			t.Errorf("%s ends with a separator", name)
		}
	}
}

func TestDeepSitemap(t *testing.T) {
	_, srv := start(t, Options{})
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Get(srv.URL + PathDeepSitemap)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	encoded, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" || len(encoded) > 100<<10 {
		t.Fatalf("Content-Encoding %q, %d bytes: want a small gzip body", resp.Header.Get("Content-Encoding"), len(encoded))
	}
	gz, err := gzip.NewReader(bytes.NewReader(encoded))
	if err != nil {
		t.Fatal(err)
	}
	xml, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	// Under the 50 MB a sitemap may have, so a fetcher accepts it whole.
	if len(xml) >= 50<<20 || !bytes.HasPrefix(xml, []byte("<?xml")) || !bytes.Contains(xml[:200], []byte("<urlset")) {
		t.Errorf("decoded sitemap: %d bytes starting %q", len(xml), xml[:min(len(xml), 100)])
	}
	if n := bytes.Count(xml, []byte("<a>")); n != DeepXMLLevels {
		t.Errorf("%d nested <a>, want %d", n, DeepXMLLevels)
	}
}

func TestRobotsAndRequests(t *testing.T) {
	site, srv := start(t, Options{Sitemaps: []string{PathDeepSitemap, PathSitemapIndex}})
	_, body := get(t, srv, PathRobots)
	host := srv.Listener.Addr().String()
	want := "User-agent: *\nAllow: /\nSitemap: http://" + host + PathDeepSitemap + "\nSitemap: http://" + host + PathSitemapIndex + "\n"
	if string(body) != want {
		t.Errorf("robots.txt:\n%s\nwant:\n%s", body, want)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+ArticlePath("a-story"), nil)
	req.SetBasicAuth("user", "secret")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	reqs := site.Requests()
	if len(reqs) != 2 || reqs[1].Path != ArticlePath("a-story") || !strings.HasPrefix(reqs[1].Authorization, "Basic ") {
		t.Errorf("requests %+v: want robots.txt, then the story with its Authorization", reqs)
	}
	if site.Hits("/news/") != 1 || site.Hits("/") != 2 || site.Hits("/sitemap/") != 0 {
		t.Errorf("hits: /news/ %d, / %d, /sitemap/ %d; want 1, 2, 0", site.Hits("/news/"), site.Hits("/"), site.Hits("/sitemap/"))
	}
}

// The raw responses are well-formed HTTP up to where they turn hostile.
func TestRawResponseParses(t *testing.T) {
	_, srv := start(t, Options{})
	raw := rawGet(t, srv, BombPath("deflate", 304, false), 5*time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Content-Encoding") != "deflate" || resp.Header.Get("Location") != "" {
		t.Errorf("304 bomb: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestLyingGzip: the page's trailer says LyingGzipClaim bytes; the body
// inflates to LyingGzipSize and more.
func TestLyingGzip(t *testing.T) {
	body, err := lyingGzip()
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint32(body[len(body)-4:]); got != LyingGzipClaim {
		t.Errorf("trailer ISIZE %d, want %d", got, LyingGzipClaim)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if n < LyingGzipSize || err == nil {
		t.Errorf("inflated %d bytes, err %v; want at least %d and a size mismatch", n, err, LyingGzipSize)
	}
	if len(body) > 1<<20 {
		t.Errorf("%d bytes on the wire: want well under a fetcher's raw limit", len(body))
	}
}
