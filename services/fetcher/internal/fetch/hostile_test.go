package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// rawServer is a TCP server that answers every request with exactly the
// bytes respond writes, so a test can send what net/http's server never
// would: any status with any body and any Content-Encoding, a body
// delimited only by the connection's end, endless headers.
func rawServer(t *testing.T, respond func(w io.Writer, path string)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				go func() { <-done; conn.Close() }()
				br := bufio.NewReader(conn)
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				for { // the rest of the request head
					l, err := br.ReadString('\n')
					if err != nil || l == "\r\n" {
						break
					}
				}
				path := strings.Fields(line + " / ")[1]
				respond(conn, path)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// bombSize is what a bomb decompresses to: far beyond any limit, small
// enough that a broken client fails the test rather than the machine.
const bombSize = 512 << 20

// writeBomb writes bombSize zero bytes encoded with enc, compressing as
// the client reads, so a client that stops early costs the server
// nothing. It returns when the client goes away.
func writeBomb(w io.Writer, enc string) {
	var zw io.WriteCloser
	switch enc {
	case "gzip":
		zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
	case "deflate-zlib":
		zw, _ = zlib.NewWriterLevel(w, zlib.BestSpeed)
	case "deflate-raw":
		zw, _ = flate.NewWriter(w, flate.BestSpeed)
	case "br":
		zw = brotli.NewWriterLevel(w, 1)
	default: // an endless identity stream
		zw = nopWriteCloser{w}
	}
	zeros := make([]byte, 64<<10)
	for n := 0; n < bombSize; n += len(zeros) {
		if _, err := zw.Write(zeros); err != nil {
			return
		}
	}
	zw.Close()
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// contentEncoding is the header value of a bomb encoding.
func contentEncoding(enc string) string {
	switch enc {
	case "deflate-zlib", "deflate-raw":
		return "deflate"
	case "identity":
		return ""
	}
	return enc
}

// allocated returns the bytes allocated while fn ran (the whole process:
// the server's side is small, and a client that reads a bomb allocates
// hundreds of MB).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// maxAlloc bounds what one fetch of a bomb may allocate with the limits
// of newClient (1 MiB pages, 4 MiB listings): a few copies of the limit.
const maxAlloc = 48 << 20

// TestBombsOfEveryStatus serves a compression bomb (or an endless
// stream) with every class of status, in every encoding, to a page, a
// feed and a sitemap request. Whatever the status, the body read stays
// bounded: a 2xx ends as too_large, a followed redirect reaches its
// target, and every other status is a result with no body.
func TestBombsOfEveryStatus(t *testing.T) {
	statuses := []int{101, 200, 203, 206, 300, 301, 304, 305, 306, 307, 399, 404, 410, 451, 500, 503, 599}
	encodings := []string{"gzip", "deflate-zlib", "deflate-raw", "br", "identity"}
	base := rawServer(t, func(w io.Writer, path string) {
		if path == "/ok" {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\n<p>safe</p>")
			return
		}
		var status int
		var enc string
		fmt.Sscanf(path, "/%d/%s", &status, &enc)
		var head strings.Builder
		fmt.Fprintf(&head, "HTTP/1.1 %d Hostile\r\nContent-Type: text/html\r\nConnection: close\r\n", status)
		if ce := contentEncoding(enc); ce != "" {
			fmt.Fprintf(&head, "Content-Encoding: %s\r\n", ce)
		}
		if status/100 == 3 {
			head.WriteString("Location: /ok\r\n")
		}
		if status == 101 {
			head.WriteString("Upgrade: hostile\r\nConnection: Upgrade\r\n")
		}
		head.WriteString("\r\n")
		if _, err := io.WriteString(w, head.String()); err != nil {
			return
		}
		writeBomb(w, enc) // delimited by the end of the connection
	})
	c := newClient(t, loopback(), func(c *Config) {
		c.MaxBody, c.MaxListingBody = 1<<20, 4<<20
		c.Timeouts.Total = 10 * time.Second
	})
	for _, kind := range []string{"", "feed", "sitemap"} {
		for _, status := range statuses {
			if kind != "" && status != 200 && status != 300 && status != 404 {
				continue // the kind changes only the limit of a 2xx body
			}
			for _, enc := range encodings {
				name := fmt.Sprintf("%s/%d/%s", cmpOr(kind, "page"), status, enc)
				var res *Result
				var err error
				n := allocated(func() {
					res, err = c.Fetch(t.Context(), Request{URL: fmt.Sprintf("%s/%d/%s", base, status, enc), Kind: kind})
				})
				if n > maxAlloc {
					t.Errorf("%s: fetch allocated %d MiB, want at most %d MiB", name, n>>20, maxAlloc>>20)
				}
				switch {
				case status/100 == 2:
					if !errors.Is(err, ErrTooLarge) || Classify(err).Outcome != "too_large" {
						t.Errorf("%s: err = %v, want too_large", name, err)
					}
				case followed(status):
					if err != nil || res.Status != 200 || string(res.Body) != "<p>safe</p>" {
						t.Errorf("%s: got %+v, %v; want the redirect target", name, res, err)
					}
				default:
					if err != nil {
						t.Errorf("%s: err = %v, want a result with status %d", name, err, status)
						continue
					}
					if res.Status != status || len(res.Body) != 0 {
						t.Errorf("%s: status %d with %d body bytes, want %d with none", name, res.Status, len(res.Body), status)
					}
				}
			}
		}
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestEndlessEmptyMembers: a gzip stream of empty members decodes to
// nothing for ever; the bytes on the wire are bounded too.
func TestEndlessEmptyMembers(t *testing.T) {
	var member strings.Builder
	zw := gzip.NewWriter(&member)
	zw.Close()
	var sent atomic.Int64
	base := rawServer(t, func(w io.Writer, path string) {
		io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n")
		chunk := []byte(strings.Repeat(member.String(), 1000))
		for {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c := newClient(t, loopback(), func(c *Config) { c.Timeouts.Total = 20 * time.Second })
	_, err := c.Fetch(t.Context(), Request{URL: base + "/"})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	// The client read about rawLimit(1 MiB); socket buffers hold a few MB.
	if n := sent.Load(); n > 64<<20 {
		t.Errorf("server sent %d MiB before the client stopped", n>>20)
	}
}

// TestHugeHeadersArePermanent: response headers beyond the transport's
// limit (256 KiB), in one response or spread over 1xx responses, are a
// permanent too_large outcome, not a network error worth eight retries.
func TestHugeHeadersArePermanent(t *testing.T) {
	big := "X-Filler: " + strings.Repeat("a", 8<<10) + "\r\n"
	base := rawServer(t, func(w io.Writer, path string) {
		if path == "/early-hints" {
			for range 100 {
				if _, err := io.WriteString(w, "HTTP/1.1 103 Early Hints\r\n"+strings.Repeat(big, 4)+"\r\n"); err != nil {
					return
				}
			}
		}
		io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
		for range 64 { // 512 KiB
			if _, err := io.WriteString(w, big); err != nil {
				return
			}
		}
		io.WriteString(w, "Content-Length: 2\r\n\r\nok")
	})
	c := newClient(t, loopback(), nil)
	for _, path := range []string{"/", "/early-hints"} {
		_, err := c.Fetch(t.Context(), Request{URL: base + path})
		if !errors.Is(err, ErrHeadersTooLarge) {
			t.Errorf("%s: err = %v, want ErrHeadersTooLarge", path, err)
		}
		if cl := Classify(err); cl.Outcome != "too_large" || cl.Transient {
			t.Errorf("%s: classified %+v, want permanent too_large", path, cl)
		}
	}
}

// TestCredentialsNeverSent: a URL with userinfo, or a redirect to one, is
// refused before any request carries it; no Authorization header reaches
// the server, and no error names the credentials.
func TestCredentialsNeverSent(t *testing.T) {
	var hits, auths atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			auths.Add(1)
		}
		switch r.URL.Path {
		case "/to-creds":
			host := strings.TrimPrefix(srvURL(r), "http://")
			http.Redirect(w, r, "http://tok3n:s3cret@"+host+"/private", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>page</p>")
		}
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newClient(t, loopback(), nil)
	tests := []struct {
		give      string
		wantHits  int64
		wantFinal string
	}{
		{give: "http://tok3n:s3cret@" + host + "/", wantHits: 0},
		{give: "http://tok3n@" + host + "/", wantHits: 0},
		{give: "http://:s3cret@" + host + "/", wantHits: 0},
		{give: srv.URL + "/to-creds", wantHits: 1},
	}
	for _, tt := range tests {
		hits.Store(0)
		_, err := c.Fetch(t.Context(), Request{URL: tt.give})
		if !errors.Is(err, ErrCredentials) || Classify(err).Outcome != "invalid" || Classify(err).Transient {
			t.Errorf("Fetch(%s) = %v (%+v), want a permanent invalid outcome", RedactURL(tt.give), err, Classify(err))
		}
		if err != nil && (strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "tok3n")) {
			t.Errorf("error names the credentials: %v", err)
		}
		if hits.Load() != tt.wantHits {
			t.Errorf("Fetch(%s): server saw %d requests, want %d", RedactURL(tt.give), hits.Load(), tt.wantHits)
		}
	}
	if auths.Load() != 0 {
		t.Errorf("%d requests carried an Authorization header", auths.Load())
	}

	// The transport itself refuses, whoever calls it.
	req, _ := http.NewRequest(http.MethodGet, "http://u:p@"+host+"/", nil)
	pt := &pageTransport{base: NewTransport(loopback(), TransportOptions{}), maxBody: 1 << 20}
	if _, err := pt.RoundTrip(req); !errors.Is(err, ErrCredentials) {
		t.Errorf("RoundTrip with userinfo: %v, want ErrCredentials", err)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.SetBasicAuth("u", "p")
	if _, err := pt.RoundTrip(req); !errors.Is(err, ErrCredentials) {
		t.Errorf("RoundTrip with Authorization: %v, want ErrCredentials", err)
	}
	if auths.Load() != 0 {
		t.Errorf("%d requests carried an Authorization header", auths.Load())
	}
}

func srvURL(r *http.Request) string { return "http://" + r.Host }

func TestRedactURL(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "https://news.example/a?b=c", want: "https://news.example/a?b=c"},
		{give: "https://user:secret@news.example/a", want: "https://***@news.example/a"},
		{give: "https://token@news.example/", want: "https://***@news.example/"},
		{give: "https://a@b:c@news.example/x@y", want: "https://***@news.example/x@y"},
		{give: "https://us%zzer:pw@news.example/a", want: "https://***@news.example/a"}, // unparseable
		{give: "not a url", want: "not a url"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.give); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestDecodeBodyDeflateForms(t *testing.T) {
	text := strings.Repeat("deflate either way. ", 100)
	var z, raw strings.Builder
	zw := zlib.NewWriter(&z)
	io.WriteString(zw, text)
	zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.DefaultCompression)
	io.WriteString(fw, text)
	fw.Close()
	for name, body := range map[string]string{"zlib": z.String(), "raw": raw.String()} {
		r, err := DecodeBody(strings.NewReader(body), "deflate")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != text {
			t.Errorf("%s: got %d bytes, %v; want the text", name, len(got), err)
		}
	}
}

// TestGzippedSitemapBomb: a sitemap served as application/gzip is
// decompressed by the transport, inside the same limit, also when it is
// gzip-encoded on top.
func TestGzippedSitemapBomb(t *testing.T) {
	base := rawServer(t, func(w io.Writer, path string) {
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nConnection: close\r\n"
		if path == "/double.xml.gz" {
			head += "Content-Encoding: gzip\r\n"
		}
		if _, err := io.WriteString(w, head+"\r\n"); err != nil {
			return
		}
		if path == "/double.xml.gz" {
			zw := gzip.NewWriter(w)
			writeBomb(flushingWriter{zw}, "gzip")
			zw.Close()
			return
		}
		writeBomb(w, "gzip")
	})
	c := newClient(t, loopback(), func(c *Config) { c.MaxBody, c.MaxListingBody = 1<<20, 4<<20 })
	for _, path := range []string{"/sitemap.xml.gz", "/double.xml.gz"} {
		var err error
		n := allocated(func() { _, err = c.Fetch(t.Context(), Request{URL: base + path, Kind: "sitemap"}) })
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", path, err)
		}
		if n > maxAlloc {
			t.Errorf("%s: allocated %d MiB", path, n>>20)
		}
	}
}

// flushingWriter flushes a compressor after every write, so what it
// compresses reaches the client as it is written.
type flushingWriter struct{ zw *gzip.Writer }

func (f flushingWriter) Write(p []byte) (int, error) {
	n, err := f.zw.Write(p)
	if err == nil {
		err = f.zw.Flush()
	}
	return n, err
}
