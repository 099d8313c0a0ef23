package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

func newClient(t *testing.T, d *guard.Dialer, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		UserAgent: "NewsflowBot/test",
		Timeouts:  Timeouts{Connect: time.Second, FirstByte: 300 * time.Millisecond, Total: 2 * time.Second},
		MaxBody:   1 << 20,
	}
	if mod != nil {
		mod(&cfg)
	}
	cfg.Transport = NewTransport(d, TransportOptions{Timeouts: cfg.Timeouts})
	return New(cfg)
}

func loopback() *guard.Dialer { return &guard.Dialer{AllowPrivate: true} }

func TestFetchPages(t *testing.T) {
	cp1251 := []byte("<html><head><title>\xcf\xf0\xe8\xe2\xe5\xf2</title></head><body>\xec\xe8\xf0</body></html>")
	sjis := []byte("<html><body>\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd</body></html>")
	html := []byte("<html><body><p>hello world</p></body></html>")
	var gz, br bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(html)
	zw.Close()
	bw := brotli.NewWriter(&br)
	bw.Write(html)
	bw.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/cp1251", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1251")
		w.Write(cp1251)
	})
	mux.HandleFunc("/sjis", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=Shift_JIS")
		w.Write(sjis)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	})
	mux.HandleFunc("/br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "br")
		w.Write(br.Bytes())
	})
	mux.HandleFunc("/sniff", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write(html)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/r/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/r/%d", &n)
		if n == 0 {
			w.Header().Set("Content-Type", "text/html")
			w.Write(html)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := newClient(t, loopback(), nil)

	tests := []struct {
		give        string
		wantStatus  int
		wantBody    []byte
		wantCharset string
		wantFinal   string
	}{
		{give: "/cp1251", wantStatus: 200, wantBody: cp1251, wantCharset: "windows-1251"},
		{give: "/sjis", wantStatus: 200, wantBody: sjis, wantCharset: "shift_jis"},
		{give: "/gzip", wantStatus: 200, wantBody: gz.Bytes()}, // passed through: TestGzipPassthrough
		{give: "/br", wantStatus: 200, wantBody: html, wantCharset: "utf-8"},
		{give: "/sniff", wantStatus: 200, wantBody: html, wantCharset: "utf-8"},
		{give: "/missing", wantStatus: 404, wantCharset: "utf-8"},
		{give: "/r/3", wantStatus: 200, wantBody: html, wantFinal: "/r/0"},
	}
	for _, tt := range tests {
		res, err := c.Fetch(t.Context(), Request{URL: srv.URL + tt.give})
		if err != nil {
			t.Errorf("Fetch(%s): %v", tt.give, err)
			continue
		}
		if res.Status != tt.wantStatus {
			t.Errorf("Fetch(%s) status = %d, want %d", tt.give, res.Status, tt.wantStatus)
		}
		if tt.wantBody != nil && !bytes.Equal(res.Body, tt.wantBody) {
			t.Errorf("Fetch(%s) body = %q, want the raw bytes %q", tt.give, res.Body, tt.wantBody)
		}
		if wantEnc := map[bool]string{true: schema.EncodingGzip}[tt.give == "/gzip"]; res.BodyEncoding != wantEnc {
			t.Errorf("Fetch(%s) body encoding = %q, want %q", tt.give, res.BodyEncoding, wantEnc)
		}
		if res.BodySize != len(html) && tt.wantBody != nil && tt.give != "/cp1251" && tt.give != "/sjis" {
			t.Errorf("Fetch(%s) body size = %d, want %d", tt.give, res.BodySize, len(html))
		}
		if res.Charset != tt.wantCharset {
			t.Errorf("Fetch(%s) charset = %q, want %q", tt.give, res.Charset, tt.wantCharset)
		}
		if tt.wantFinal != "" && res.FinalURL != srv.URL+tt.wantFinal {
			t.Errorf("Fetch(%s) final = %q, want %q", tt.give, res.FinalURL, srv.URL+tt.wantFinal)
		}
		if tt.give == "/r/3" && res.Redirects != 3 {
			t.Errorf("redirects = %d, want 3", res.Redirects)
		}
	}
}

// countingWriter writes n bytes in chunks, counting what the client took.
func writeN(w http.ResponseWriter, n int, sent *atomic.Int64) {
	chunk := bytes.Repeat([]byte("<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>\n"), 1000)
	for written := 0; written < n; {
		k := min(len(chunk), n-written)
		m, err := w.Write(chunk[:k])
		sent.Add(int64(m))
		if err != nil {
			return
		}
		written += m
	}
}

func TestFetchMisbehavingServers(t *testing.T) {
	const fifty = 50 << 20
	var sent atomic.Int64
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(bytes.Repeat([]byte{' '}, fifty))
	zw.Close()

	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux := http.NewServeMux()
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/slow-drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 1000; i++ {
			if _, err := w.Write([]byte("<p>drip</p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/big-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(fifty))
		writeN(w, fifty, &sent)
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		writeN(w, fifty, &sent)
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG"))
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write([]byte{0, 1, 2, 3, 0xff, 0xfe, 0, 0})
	})
	mux.HandleFunc("/weird-encoding", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "compress")
		w.Write([]byte("xx"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := newClient(t, loopback(), nil)

	tests := []struct {
		give    string
		want    string
		wantErr error
	}{
		{give: "/slow-headers", want: "timeout"},
		{give: "/slow-drip", want: "timeout"},
		{give: "/big-length", want: "too_large", wantErr: ErrTooLarge},
		{give: "/big-chunked", want: "too_large", wantErr: ErrTooLarge},
		{give: "/bomb", want: "too_large", wantErr: ErrTooLarge},
		{give: "/loop", want: "http_error", wantErr: ErrTooManyRedirects},
		{give: "/image", want: "bad_content_type"},
		{give: "/binary", want: "bad_content_type"},
		{give: "/weird-encoding", want: "bad_content_type"},
	}
	for _, tt := range tests {
		sent.Store(0)
		start := time.Now()
		res, err := c.Fetch(t.Context(), Request{URL: srv.URL + tt.give})
		took := time.Since(start)
		if err == nil {
			t.Errorf("Fetch(%s) = status %d, %d bytes; want %s", tt.give, res.Status, len(res.Body), tt.want)
			continue
		}
		if got := Classify(err).Outcome; got != tt.want {
			t.Errorf("Fetch(%s) = %v, classified %s, want %s", tt.give, err, got, tt.want)
		}
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("Fetch(%s) = %v, want %v", tt.give, err, tt.wantErr)
		}
		if took > 4*time.Second {
			t.Errorf("Fetch(%s) took %v, beyond the total timeout", tt.give, took)
		}
		if tt.give == "/big-chunked" || tt.give == "/big-length" {
			// The client stopped reading: the server could not push the
			// whole 50 MB (socket buffers hold a few MB at most).
			if n := sent.Load(); n >= fifty {
				t.Errorf("Fetch(%s): server sent all %d bytes", tt.give, n)
			}
		}
	}
}

type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := m[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestRedirectToBlockedAddress runs with the guard on. The test server is
// on loopback, so "news.test" resolves to a public address and every
// permitted dial is sent to the test server; a broken guard therefore
// reaches the test server, never a private or metadata address.
func TestRedirectToBlockedAddress(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/to-loopback":
			http.Redirect(w, r, "http://127.0.0.1/admin", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-decimal":
			http.Redirect(w, r, "http://2130706433/", http.StatusFound)
		case "/to-evil-name":
			http.Redirect(w, r, "http://evil.test/", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>public</p>")
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var dialled []string
	d := &guard.Dialer{
		Resolver: mapResolver{
			"news.test": {netip.MustParseAddr("93.184.216.34")},
			"evil.test": {netip.MustParseAddr("10.1.2.3")},
		},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled = append(dialled, addr)
			var nd net.Dialer
			return nd.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}
	c := newClient(t, d, nil)
	base := "http://news.test:" + port

	res, err := c.Fetch(t.Context(), Request{URL: base + "/ok"})
	if err != nil || res.Status != 200 {
		t.Fatalf("public page: %v", err)
	}
	for _, path := range []string{"/to-loopback", "/to-metadata", "/to-decimal", "/to-evil-name"} {
		dialled = nil
		hits.Store(0)
		_, err := c.Fetch(t.Context(), Request{URL: base + path})
		if got := Classify(err).Outcome; got != "blocked_address" {
			t.Errorf("Fetch(%s) = %v (%s), want blocked_address", path, err, got)
		}
		if hits.Load() != 1 {
			t.Errorf("Fetch(%s): server saw %d requests, want only the first hop", path, hits.Load())
		}
		for _, a := range dialled {
			if !strings.HasPrefix(a, "93.184.216.34:") {
				t.Errorf("Fetch(%s) dialled %s", path, a)
			}
		}
	}
	for _, u := range []string{"http://127.0.0.1:" + port + "/", "http://169.254.169.254/", "http://0x7f.1:" + port + "/"} {
		_, err := c.Fetch(t.Context(), Request{URL: u})
		if got := Classify(err).Outcome; got != "blocked_address" {
			t.Errorf("Fetch(%s) = %v (%s), want blocked_address", u, err, got)
		}
	}
}

func TestProxyEnvIgnored(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://10.9.9.9:3128")
	t.Setenv("http_proxy", "http://10.9.9.9:3128")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.RequestURI, "/") {
			t.Errorf("request came through a proxy: %q", r.RequestURI)
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "direct")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var dialled []string
	d := &guard.Dialer{
		Resolver: mapResolver{"news.test": {netip.MustParseAddr("93.184.216.34")}},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled = append(dialled, addr)
			var nd net.Dialer
			return nd.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}
	c := newClient(t, d, nil)
	res, err := c.Fetch(t.Context(), Request{URL: "http://news.test:" + port + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "direct" {
		t.Errorf("body = %q", res.Body)
	}
	for _, a := range dialled {
		if strings.HasPrefix(a, "10.9.9.9") {
			t.Errorf("dialled the proxy %s", a)
		}
	}
}

func TestCheckRedirectHook(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "/private/x", http.StatusFound)
			return
		}
		t.Errorf("followed a vetoed redirect to %s", r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, loopback(), nil)
	veto := errors.New("disallowed by robots.txt")
	_, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/start", CheckRedirect: func(ctx context.Context, u *url.URL) error {
		if strings.HasPrefix(u.Path, "/private") {
			return veto
		}
		return nil
	}})
	if !errors.Is(err, veto) {
		t.Errorf("err = %v, want the veto", err)
	}
}

// TestListingsHaveTheirOwnLimit: a sitemap may be far larger than a page
// (the protocol allows 50 MB), so a URL expected to be a feed or sitemap
// is bounded by MaxListingBody instead of MaxBody.
func TestListingsHaveTheirOwnLimit(t *testing.T) {
	entry := []byte("<url><loc>https://news.example/a-long-enough-path/for-a-story</loc></url>\n")
	sitemap := func(n int) []byte {
		return append(append([]byte("<urlset>"), bytes.Repeat(entry, n/len(entry))...), "</urlset>"...)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write(sitemap(3 << 20))
	})
	mux.HandleFunc("/huge-sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write(sitemap(5 << 20))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := newClient(t, loopback(), func(c *Config) { c.MaxBody, c.MaxListingBody = 1<<20, 4<<20 })

	tests := []struct {
		path, kind string
		wantErr    bool
	}{
		{path: "/sitemap.xml", kind: "sitemap"},
		{path: "/sitemap.xml", kind: "", wantErr: true}, // as a page: over MaxBody
		{path: "/huge-sitemap.xml", kind: "sitemap", wantErr: true},
	}
	for _, tt := range tests {
		res, err := c.Fetch(t.Context(), Request{URL: srv.URL + tt.path, Kind: tt.kind})
		if tt.wantErr {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s as %q: err %v, want ErrTooLarge", tt.path, tt.kind, err)
			}
			continue
		}
		if err != nil || len(res.Body) < 3<<20-len(entry) {
			t.Errorf("%s as %q: err %v, want the whole body", tt.path, tt.kind, err)
		}
	}
}

// gzipOf returns body gzipped as an origin sends it.
func gzipOf(body []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}

// TestGzipPassthrough: an HTML page the origin gzipped is handed on as
// its gzip, undecoded, its encoding and decoded size named; the fetcher
// still refuses one whose trailer announces more than its limit
// (too_large) and one that is not gzip at all. Other encodings, feeds,
// sitemaps and a client told to decode gzip keep the decoded path.
func TestGzipPassthrough(t *testing.T) {
	html := bytes.Repeat([]byte("<html><body><p>A harbour town votes to rebuild its sea wall.</p></body></html>\n"), 200)
	gz := gzipOf(html)
	big := gzipOf(make([]byte, 2<<20)) // over newClient's 1 MiB
	lying := bytes.Clone(big)
	binary.LittleEndian.PutUint32(lying[len(lying)-4:], 1000)
	// Cut short where the last 4 bytes read as a size deflate can reach
	// within the limit: nothing here tells it from a whole body.
	cutPlausibly := bytes.Clone(gz[:len(gz)/2])
	binary.LittleEndian.PutUint32(cutPlausibly[len(cutPlausibly)-4:], 4000)
	badHeader := bytes.Clone(gz)
	badHeader[2] = 7 // a compression method that is not deflate
	serve := func(ct, ce string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct == "" {
				w.Header()["Content-Type"] = nil
			} else {
				w.Header().Set("Content-Type", ct)
			}
			if ce != "" {
				w.Header().Set("Content-Encoding", ce)
			}
			w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/gzip", serve("text/html; charset=utf-8", "gzip", gz))
	mux.Handle("/x-gzip", serve("application/xhtml+xml", "x-gzip", gz))
	mux.Handle("/gzip-sniffed", serve("", "gzip", gz))
	mux.Handle("/gzip-image", serve("", "gzip", gzipOf([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))))
	mux.Handle("/identity", serve("text/html", "", html))
	mux.Handle("/too-large", serve("text/html", "gzip", big))
	mux.Handle("/lying-trailer", serve("text/html", "gzip", lying))
	mux.Handle("/not-gzip", serve("text/html", "gzip", html))
	mux.Handle("/cut-short", serve("text/html", "gzip", gz[:len(gz)/2]))
	mux.Handle("/cut-plausibly", serve("text/html", "gzip", cutPlausibly))
	mux.Handle("/bad-header", serve("text/html", "gzip", badHeader))
	mux.Handle("/members", serve("text/html", "gzip", append(gzipOf(html[:100]), gzipOf(html[100:])...)))
	mux.Handle("/members-bomb", serve("text/html", "gzip", bytes.Repeat(gzipOf(make([]byte, 256<<10)), 16)))
	mux.Handle("/feed", serve("application/rss+xml", "gzip", gzipOf([]byte("<rss></rss>"))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	passing := newClient(t, loopback(), nil)
	decoding := newClient(t, loopback(), func(c *Config) { c.DecodeGzip = true })

	tests := []struct {
		name     string
		client   *Client
		path     string
		kind     string
		wantBody []byte
		wantEnc  string
		wantSize int
		wantMT   string
		want     string // the outcome of an error
	}{
		{name: "gzip page", client: passing, path: "/gzip", wantBody: gz, wantEnc: schema.EncodingGzip, wantSize: len(html), wantMT: "text/html"},
		{name: "x-gzip xhtml page", client: passing, path: "/x-gzip", wantBody: gz, wantEnc: schema.EncodingGzip, wantSize: len(html), wantMT: "application/xhtml+xml"},
		{name: "no content type: sniffed from the head", client: passing, path: "/gzip-sniffed", wantBody: gz, wantEnc: schema.EncodingGzip, wantSize: len(html), wantMT: "text/html"},
		{name: "no content type, an image inside", client: passing, path: "/gzip-image", want: "bad_content_type"},
		{name: "identity page", client: passing, path: "/identity", wantBody: html, wantSize: len(html), wantMT: "text/html"},
		{name: "trailer over the limit", client: passing, path: "/too-large", want: "too_large"},
		{name: "lying trailer: passed on, the reader bounds it", client: passing, path: "/lying-trailer", wantBody: lying, wantEnc: schema.EncodingGzip, wantSize: 1000, wantMT: "text/html"},
		{name: "not gzip", client: passing, path: "/not-gzip", want: "network_error"},
		{name: "cut short", client: passing, path: "/cut-short", want: "network_error"},
		{name: "cut short, a plausible trailer: passed on, the parser refuses it", client: passing, path: "/cut-plausibly", wantBody: cutPlausibly, wantEnc: schema.EncodingGzip, wantSize: 4000, wantMT: "text/html"},
		{name: "a bad gzip header", client: passing, path: "/bad-header", want: "network_error"},
		{name: "two members: decoded here", client: passing, path: "/members", wantBody: html, wantSize: len(html), wantMT: "text/html"},
		{name: "a bomb of small members: too large here", client: passing, path: "/members-bomb", want: "too_large"},
		{name: "a feed is decoded", client: passing, path: "/feed", kind: "feed", wantBody: []byte("<rss></rss>"), wantSize: 11, wantMT: "application/rss+xml"},
		{name: "decoding client", client: decoding, path: "/gzip", wantBody: html, wantSize: len(html), wantMT: "text/html"},
		{name: "decoding client, too large", client: decoding, path: "/too-large", want: "too_large"},
	}
	for _, tt := range tests {
		res, err := tt.client.Fetch(t.Context(), Request{URL: srv.URL + tt.path, Kind: tt.kind})
		if tt.want != "" {
			if err == nil {
				t.Errorf("%s: %d bytes (%q), want %s", tt.name, len(res.Body), res.BodyEncoding, tt.want)
			} else if got := Classify(err).Outcome; got != tt.want {
				t.Errorf("%s: %v, classified %s, want %s", tt.name, err, got, tt.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(res.Body, tt.wantBody) || res.BodyEncoding != tt.wantEnc || res.BodySize != tt.wantSize || res.MediaType != tt.wantMT {
			t.Errorf("%s: %d bytes in %q, size %d, type %q; want %d bytes in %q, size %d, type %q", tt.name,
				len(res.Body), res.BodyEncoding, res.BodySize, res.MediaType, len(tt.wantBody), tt.wantEnc, tt.wantSize, tt.wantMT)
		}
		for _, h := range []string{HeaderPassedGzip, HeaderGzipSize, HeaderOriginalContentType} {
			if res.Header.Get(h) != "" {
				t.Errorf("%s: internal header %s left in the result", tt.name, h)
			}
		}
	}
}
