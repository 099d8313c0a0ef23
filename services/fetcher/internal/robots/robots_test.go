package robots

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

func bucket(t *testing.T) jetstream.KeyValue {
	t.Helper()
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	b, err := kv.Ensure(t.Context(), js, kv.BucketRobots, "test", 24*time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newCache(t *testing.T, b jetstream.KeyValue, mod func(*Config)) *Cache {
	t.Helper()
	cfg := Config{UserAgent: "NewsflowBot/0.1 (+https://github.com/newsflow/newsflow)", Timeout: 500 * time.Millisecond, RetryAfter: time.Minute}
	if mod != nil {
		mod(&cfg)
	}
	d := &guard.Dialer{AllowPrivate: true}
	return NewCache(cfg, b, &http.Transport{DialContext: d.DialContext})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseRules(t *testing.T) {
	body := []byte(`# news site
User-agent: *
Disallow: /private/
Allow: /private/open
Crawl-delay: 3

User-agent: NewsflowBot
Disallow: /nobots/
Disallow: /*.pdf$
Allow: /nobots/ok
Crawl-delay: 2

Sitemap: https://news.example/sitemap.xml
Sitemap: https://news.example/news.xml
`)
	r := Parse(200, body, "NewsflowBot", time.Now().Add(time.Hour))
	tests := []struct {
		give string
		want bool
	}{
		{give: "https://news.example/", want: true},
		{give: "https://news.example/private/x", want: true}, // our group does not disallow it
		{give: "https://news.example/nobots/x", want: false},
		{give: "https://news.example/nobots/ok", want: true},
		{give: "https://news.example/doc.pdf", want: false},
		{give: "https://news.example/doc.pdf?x=1", want: true},
		{give: "https://news.example/robots.txt", want: true},
	}
	for _, tt := range tests {
		if got := r.Allowed(mustURL(t, tt.give)); got != tt.want {
			t.Errorf("Allowed(%s) = %v, want %v", tt.give, got, tt.want)
		}
	}
	if r.CrawlDelay() != 2*time.Second {
		t.Errorf("crawl delay %v, want 2s", r.CrawlDelay())
	}
	if len(r.Sitemaps) != 2 {
		t.Errorf("sitemaps %v", r.Sitemaps)
	}
	other := Parse(200, body, "OtherBot", time.Now())
	if other.Allowed(mustURL(t, "https://news.example/private/x")) || !other.Allowed(mustURL(t, "https://news.example/private/open")) {
		t.Error("the * group was not applied to another agent")
	}
}

func TestStatusRules(t *testing.T) {
	u := mustURL(t, "https://news.example/a")
	tests := []struct {
		status      int
		allowed     bool
		unreachable bool
	}{
		{status: 404, allowed: true},
		{status: 403, allowed: true},
		{status: 410, allowed: true},
		{status: 429, allowed: false, unreachable: true},
		{status: 500, allowed: false, unreachable: true},
		{status: 503, allowed: false, unreachable: true},
		{status: 0, allowed: false, unreachable: true},
	}
	for _, tt := range tests {
		r := Parse(tt.status, nil, "NewsflowBot", time.Now())
		if r.Allowed(u) != tt.allowed || r.Unreachable != tt.unreachable {
			t.Errorf("status %d: allowed %v unreachable %v, want %v %v", tt.status, r.Allowed(u), r.Unreachable, tt.allowed, tt.unreachable)
		}
	}
}

// robotsServer answers /robots.txt with handler and counts requests.
func robotsServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/robots.txt") || strings.HasPrefix(r.URL.Path, "/hop") {
			hits.Add(1)
			handler(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestCacheStatuses(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		allowed     bool
		unreachable bool
	}{
		{name: "200", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /a\n")
		}, allowed: false},
		{name: "404", handler: http.NotFound, allowed: true},
		{name: "500", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, unreachable: true},
		{name: "429", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "slow down", 429) }, unreachable: true},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}, unreachable: true},
		{name: "5 redirects", handler: func(w http.ResponseWriter, r *http.Request) {
			var n int
			fmt.Sscanf(r.URL.Path, "/hop%d", &n)
			if n < 5 {
				http.Redirect(w, r, fmt.Sprintf("/hop%d", n+1), http.StatusFound)
				return
			}
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		}, allowed: false},
		{name: "6 redirects", handler: func(w http.ResponseWriter, r *http.Request) {
			var n int
			fmt.Sscanf(r.URL.Path, "/hop%d", &n)
			if n < 6 {
				http.Redirect(w, r, fmt.Sprintf("/hop%d", n+1), http.StatusFound)
				return
			}
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		}, allowed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := robotsServer(t, tt.handler)
			c := newCache(t, bucket(t), nil)
			r, src, err := c.Get(t.Context(), mustURL(t, srv.URL+"/a"))
			if err != nil {
				t.Fatal(err)
			}
			if src != "fetched" {
				t.Errorf("source %s, want fetched", src)
			}
			if got := r.Allowed(mustURL(t, srv.URL+"/a")); got != tt.allowed {
				t.Errorf("allowed %v, want %v", got, tt.allowed)
			}
			if r.Unreachable != tt.unreachable {
				t.Errorf("unreachable %v, want %v (%s)", r.Unreachable, tt.unreachable, r.Reason)
			}
			if tt.unreachable && time.Until(r.Expires) > 2*time.Minute {
				t.Errorf("unreachable robots.txt cached until %v, want a short retry", r.Expires)
			}
			if !tt.unreachable && time.Until(r.Expires) < 23*time.Hour {
				t.Errorf("robots.txt cached until %v, want about 24h", r.Expires)
			}
		})
	}
}

func TestCacheRetriesAfterFailure(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	srv, hits := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", 503)
			return
		}
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	c := newCache(t, bucket(t), func(c *Config) { c.RetryAfter = 50 * time.Millisecond })
	u := mustURL(t, srv.URL+"/a")
	r, _, err := c.Get(t.Context(), u)
	if err != nil || !r.Unreachable {
		t.Fatalf("first: %+v %v", r, err)
	}
	fail.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, _, err = c.Get(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed(u) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("robots.txt never refetched after the failure expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if hits.Load() != 2 {
		t.Errorf("%d robots.txt fetches, want 2", hits.Load())
	}
}

func TestCacheSizeLimit(t *testing.T) {
	srv, _ := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /early\n")
		fmt.Fprint(w, "# "+strings.Repeat("x", MaxSize)+"\n")
		fmt.Fprint(w, "User-agent: NewsflowBot\nDisallow: /late\n")
	})
	c := newCache(t, bucket(t), nil)
	r, _, err := c.Get(t.Context(), mustURL(t, srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Allowed(mustURL(t, srv.URL+"/early")) {
		t.Error("rule before the limit ignored")
	}
	if !r.Allowed(mustURL(t, srv.URL+"/late")) {
		t.Error("rule beyond 500 KiB applied")
	}
}

// TestSharedAcrossReplicas runs three caches (three replicas) on one
// bucket, each asked by many goroutines at once: one robots.txt fetch.
func TestSharedAcrossReplicas(t *testing.T) {
	srv, hits := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	})
	b := bucket(t)
	caches := []*Cache{newCache(t, b, nil), newCache(t, b, nil), newCache(t, b, nil)}
	var wg sync.WaitGroup
	var denied atomic.Int64
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := caches[i%3].Get(t.Context(), mustURL(t, srv.URL+"/private/x"))
			if err != nil {
				t.Error(err)
				return
			}
			if !r.Allowed(mustURL(t, srv.URL+"/private/x")) {
				denied.Add(1)
			}
		}()
	}
	wg.Wait()
	if hits.Load() != 1 {
		t.Errorf("%d robots.txt fetches across 3 replicas, want 1", hits.Load())
	}
	if denied.Load() != 30 {
		t.Errorf("%d of 30 lookups denied, want all", denied.Load())
	}
	_, src, _ := caches[0].Get(t.Context(), mustURL(t, srv.URL+"/"))
	if src != "local" {
		t.Errorf("second lookup from %s, want local", src)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"User-agent: *\nDisallow: /private/\nAllow: /private/ok\nCrawl-delay: 5\nSitemap: https://x/s.xml\n",
		"User-agent: NewsflowBot\nDisallow: /*.pdf$\n",
		"\xef\xbb\xbfuser-agent:*\ndisallow:\n",
		"Disallow: /\n",
		"user-agent NewsflowBot\ndisalow /a*b*c$\ncrawl-delay: 10s\r\nallow: /%E3%83%84\rdisallow: /%2A",
	} {
		f.Add(s, "/private/x?q=1")
	}
	f.Fuzz(func(t *testing.T, body, path string) {
		u, err := url.Parse("https://news.example" + path)
		if err != nil {
			return
		}
		r := Parse(200, []byte(body), "NewsflowBot", time.Now())
		got := r.Allowed(u)
		if again := Parse(200, []byte(body), "NewsflowBot", time.Now()).Allowed(u); again != got {
			t.Fatalf("Allowed(%s) is %v then %v", path, got, again)
		}
		if d := r.CrawlDelay(); d < 0 || d > maxCrawlDelay {
			t.Fatalf("crawl delay %v", d)
		}
		if !r.Allowed(mustURL(t, "https://news.example/robots.txt")) {
			t.Fatal("/robots.txt disallowed")
		}
		// Only a Disallow line (any spelling starts with "di") disallows.
		if !got && !strings.Contains(strings.ToLower(body), "di") {
			t.Fatalf("%s disallowed by a file without a Disallow line", path)
		}
		for _, s := range r.Sitemaps {
			if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
				t.Fatalf("sitemap %q is not an absolute http(s) URL", s)
			}
		}
		if !Parse(404, []byte(body), "NewsflowBot", time.Now()).Allowed(u) {
			t.Fatalf("a 404 robots.txt disallowed %s", path)
		}
		if Parse(503, []byte(body), "NewsflowBot", time.Now()).Allowed(u) {
			t.Fatalf("a 503 robots.txt allowed %s", path)
		}
	})
}

// TestCacheForget: forgotten rules are read again from the origin, by this
// process and by any other sharing the bucket.
func TestCacheForget(t *testing.T) {
	srv, hits := robotsServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n")
	})
	b := bucket(t)
	c, other := newCache(t, b, nil), newCache(t, b, nil)
	u := mustURL(t, srv.URL+"/a")
	want := []Result{"fetched", "local", "fetched", "kv"}
	var got []Result
	for i, c := range []*Cache{c, c, c, other} {
		if i == 2 {
			if err := c.Forget(t.Context(), u); err != nil {
				t.Fatal(err)
			}
		}
		_, src, err := c.Get(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, src)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || hits.Load() != 2 {
		t.Errorf("sources %v and %d fetches, want %v and 2", got, hits.Load(), want)
	}
	if err := c.Forget(t.Context(), mustURL(t, "http://never.example/")); err != nil {
		t.Errorf("Forget of an origin never read: %v", err)
	}
}
