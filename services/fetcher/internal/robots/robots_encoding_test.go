package robots

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

// TestEncodedRobotsTxt: a robots.txt served with a Content-Encoding is
// decoded (the fetcher's raw transport does not decode), so its rules and
// Sitemap lines hold instead of a binary file that parses as allow-all.
func TestEncodedRobotsTxt(t *testing.T) {
	const file = "User-agent: *\nDisallow: /private\n\nSitemap: https://news.example/sitemap.xml\n"
	encode := map[string]func([]byte) []byte{
		"gzip": func(b []byte) []byte {
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		"deflate": func(b []byte) []byte {
			var buf bytes.Buffer
			w := zlib.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		"br": func(b []byte) []byte {
			var buf bytes.Buffer
			w := brotli.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
	}
	for enc, fn := range encode {
		t.Run(enc, func(t *testing.T) {
			srv, _ := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("Content-Encoding", enc)
				w.Write(fn([]byte(file)))
			})
			c := rawTransportCache(t)
			r, _, err := c.Get(t.Context(), mustURL(t, srv.URL+"/private/a"))
			if err != nil {
				t.Fatal(err)
			}
			if r.Allowed(mustURL(t, srv.URL+"/private/a")) || !r.Allowed(mustURL(t, srv.URL+"/public")) {
				t.Errorf("rules of a %s-encoded robots.txt not applied (unreachable %v, %s)", enc, r.Unreachable, r.Reason)
			}
			if len(r.Sitemaps) != 1 || r.Sitemaps[0] != "https://news.example/sitemap.xml" {
				t.Errorf("sitemaps = %q", r.Sitemaps)
			}
		})
	}
}

// TestRobotsTxtBomb: a gzip bomb served as robots.txt costs no more than
// MaxSize of decoded text.
func TestRobotsTxtBomb(t *testing.T) {
	var bomb bytes.Buffer
	w, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	w.Write(make([]byte, 256<<20))
	w.Close()
	srv, _ := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	c := rawTransportCache(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, _, err := c.Get(t.Context(), mustURL(t, srv.URL+"/private/a"))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
		t.Errorf("reading a robots.txt bomb allocated %d MiB", n>>20)
	}
	if r.Allowed(mustURL(t, srv.URL+"/private/a")) {
		t.Error("the rules before the padding were lost")
	}
}

// rawTransportCache is a Cache on the fetcher's own raw transport, which
// neither asks for nor decodes compression.
func rawTransportCache(t *testing.T) *Cache {
	t.Helper()
	tr := fetch.NewTransport(&guard.Dialer{AllowPrivate: true}, fetch.TransportOptions{Timeouts: fetch.Timeouts{Connect: time.Second, FirstByte: time.Second}})
	return NewCache(Config{UserAgent: "NewsflowBot/0.1", Timeout: 5 * time.Second, RetryAfter: time.Minute}, bucket(t), tr)
}
