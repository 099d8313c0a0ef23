package service

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
)

var long = flag.Bool("long", false, "run the full 200-URL politeness test (about 100 s)")

// requestLog records when each request arrived.
type requestLog struct {
	mu    sync.Mutex
	times []time.Time
	paths []string
}

func (l *requestLog) add(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times = append(l.times, time.Now())
	l.paths = append(l.paths, path)
}

// maxInWindow returns the most requests seen in any window of length w.
func (l *requestLog) maxInWindow(w time.Duration) int {
	l.mu.Lock()
	ts := append([]time.Time(nil), l.times...)
	l.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < w; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// TestPolitenessAcrossReplicas runs three fetchers against one host
// limited to rate requests/s: the host never sees more than the limit in
// any one-second window, and every URL is fetched. -long runs the full
// 200 URLs at 2/s of the issue; the default is 40 URLs at 4/s.
func TestPolitenessAcrossReplicas(t *testing.T) {
	urls, rate := 40, 4.0
	if *long {
		urls, rate = 200, 2.0
	}
	if testing.Short() {
		t.Skip("takes ~10 s")
	}
	var log requestLog
	var agentsMu sync.Mutex
	agents := map[string]int{}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		agentsMu.Lock()
		agents[r.UserAgent()]++
		agentsMu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body>%s</body></html>", r.URL.Path)
	}))
	t.Cleanup(site.Close)

	s := bustest.Server(t)
	for i := 0; i < 3; i++ {
		nc, js := bustest.Connect(t, s)
		startFetcher(t, testConfig(t, func(c *Config) {
			c.HostRate = rate
			c.Workers = 8
			c.UserAgent = fmt.Sprintf("NewsflowBot/0.1 (replica %d)", i)
		}), nc, js, zap.NewNop())
	}
	_, js := bustest.Connect(t, s)
	outcomes := collect(t, js, schema.StreamOutcomes)
	start := time.Now()
	for i := 0; i < urls; i++ {
		publish(t, js, fmt.Sprintf("%s/story/%d", site.URL, i))
	}
	expected := time.Duration(float64(urls)/rate*float64(time.Second)) * 3
	got := outcomesByURL(t, outcomes.wait(t, urls, expected+30*time.Second))
	for u, os := range got {
		if len(os) != 1 || os[0].Outcome != schema.OutcomeFetched {
			t.Errorf("%s: %+v, want one fetched", u, os)
		}
	}
	agentsMu.Lock()
	if len(agents) < 3 {
		t.Errorf("requests came from %d replicas (%v), want all 3 taking part", len(agents), agents)
	}
	agentsMu.Unlock()
	limit := int(rate)
	if most := log.maxInWindow(time.Second); most > limit+1 {
		t.Errorf("host saw %d requests in one second, limit %d (+1 tolerance)", most, limit)
	}
	t.Logf("%d URLs at %.0f/s over 3 replicas in %v; most requests in any second: %d", urls, rate, time.Since(start).Round(time.Millisecond), log.maxInWindow(time.Second))
}

func TestRetryAfter(t *testing.T) {
	var log requestLog
	var mu sync.Mutex
	served := 0
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		log.add(r.URL.Path)
		mu.Lock()
		served++
		n := served
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>ok</html>")
	}))
	t.Cleanup(site.Close)
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	startFetcher(t, testConfig(t, nil), nc, js, zap.NewNop())
	outcomes := collect(t, js, schema.StreamOutcomes)
	publish(t, js, site.URL+"/limited")
	got := outcomesByURL(t, outcomes.wait(t, 1, 20*time.Second))
	if o := got[site.URL+"/limited"]; len(o) != 1 || o[0].Outcome != schema.OutcomeFetched {
		t.Fatalf("outcomes %+v, want one fetched", got)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.times) != 2 {
		t.Fatalf("%d requests, want 2", len(log.times))
	}
	if gap := log.times[1].Sub(log.times[0]); gap < 2*time.Second {
		t.Errorf("retried after %v, before the server's Retry-After of 2s", gap)
	}
}

// TestGuardOnRedirects runs with the guard on: the site's name resolves
// to a public address and every permitted dial goes to the loopback test
// server, so nothing can reach a private or metadata address even if the
// guard broke.
func TestGuardOnRedirects(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-loopback":
			http.Redirect(w, r, "http://127.0.0.1:8080/admin", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>public</html>")
		}
	}))
	t.Cleanup(site.Close)
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	cfg := testConfig(t, func(c *Config) {
		c.AllowPrivate = false
		c.Resolver = mapResolver{"news.test": {netip.MustParseAddr("93.184.216.34")}}
		c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, site.Listener.Addr().String())
		}
	})
	startFetcher(t, cfg, nc, js, zap.NewNop())
	outcomes := collect(t, js, schema.StreamOutcomes)
	base := "http://news.test:" + port
	for _, p := range []string{"/ok", "/to-metadata", "/to-loopback"} {
		publish(t, js, base+p)
	}
	publish(t, js, "http://169.254.169.254/latest/meta-data/")
	publish(t, js, "http://2130706433:"+port+"/")
	got := outcomesByURL(t, outcomes.wait(t, 5, 20*time.Second))
	want := map[string]string{
		base + "/ok":                               schema.OutcomeFetched,
		base + "/to-metadata":                      schema.OutcomeBlockedAddress,
		base + "/to-loopback":                      schema.OutcomeBlockedAddress,
		"http://169.254.169.254/latest/meta-data/": schema.OutcomeBlockedAddress,
		"http://2130706433:" + port + "/":          schema.OutcomeBlockedAddress,
	}
	for u, w := range want {
		if o := got[u]; len(o) != 1 || o[0].Outcome != w {
			t.Errorf("%s: %+v, want %s", u, o, w)
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

// TestListingsAreHandedOn checks that the fetcher only fetches: a
// robots.txt's Sitemap lines and a feed go to pages.fetched (the parser
// expands them) and nothing goes to crawl.urls. A registered source keeps
// its ETag, so its next fetch is a conditional request.
func TestListingsAreHandedOn(t *testing.T) {
	var mu sync.Mutex
	conditional := 0
	var site *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap-index.xml\n", site.URL)
	})
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			mu.Lock()
			conditional++
			mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title><item><title>Feed title</title><link>%s/from-feed</link></item></channel></rss>`, site.URL)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>home</body></html>`)
	})
	site = httptest.NewServer(mux)
	t.Cleanup(site.Close)

	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	reg, err := sources.Open(t.Context(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(t.Context(), site.URL+"/rss.xml", time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	startFetcher(t, testConfig(t, func(c *Config) { c.RecrawlFeeds = time.Millisecond }),
		nc, js, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	outcomes := collect(t, js, schema.StreamOutcomes)
	pages := collect(t, js, schema.StreamPages)
	publish(t, js, site.URL+"/")
	feedReq, _ := json.Marshal(schema.CrawlRequest{V: schema.Version, URL: site.URL + "/rss.xml", Hints: &schema.Hints{Kind: schema.KindFeed, Title: "Courier"}})
	publish(t, js, string(feedReq))

	byURL := map[string]schema.FetchedPage{}
	deadline := time.Now().Add(20 * time.Second)
	for len(byURL) < 3 && time.Now().Before(deadline) {
		for _, m := range pages.wait(t, 0, 0) {
			p, err := pagebody.Unmarshal(m.Data())
			if err != nil {
				t.Fatal(err)
			}
			byURL[p.URL] = p
		}
		time.Sleep(20 * time.Millisecond)
	}
	robots, ok := byURL[site.URL+"/robots.txt"]
	if !ok || robots.Hints == nil || robots.Hints.Kind != schema.KindRobots ||
		string(robots.Body) != "Sitemap: "+site.URL+"/sitemap-index.xml\n" || robots.Validate() != nil {
		t.Errorf("robots page %+v (body %q), want a valid page of kind robots with the Sitemap line", robots, robots.Body)
	}
	feed, ok := byURL[site.URL+"/rss.xml"]
	if !ok || feed.Hints == nil || feed.Hints.Kind != schema.KindFeed || feed.Hints.Title != "Courier" || !strings.HasPrefix(feed.ContentType, "application/rss+xml") {
		t.Errorf("feed page %+v, want the feed with its request's hints", feed)
	}
	if _, ok := byURL[site.URL+"/"]; !ok {
		t.Error("the seed page was not published")
	}
	for _, u := range []string{site.URL + "/", site.URL + "/rss.xml"} {
		var got []schema.Outcome
		for end := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			got = outcomesByURL(t, outcomes.wait(t, 0, 0))[u]
		}
		if len(got) != 1 || got[0].Outcome != schema.OutcomeFetched {
			t.Errorf("%s: outcomes %+v, want one fetched", u, got)
		}
	}
	crawl, _ := js.Stream(t.Context(), schema.StreamCrawl)
	if info, _ := crawl.Info(t.Context()); info.State.LastSeq != 2 {
		t.Errorf("crawl.urls holds %d messages, want our 2: the fetcher publishes no crawl requests", info.State.LastSeq)
	}

	// The registered feed kept its ETag, so the next fetch is conditional.
	// (If the first fetch still holds the feed's claim, the request ends as
	// a duplicate: ask again until a fetch of ours runs.)
	src, _, err := reg.Get(t.Context(), site.URL+"/rss.xml")
	if err != nil || src.ETag != `"v1"` {
		t.Fatalf("source %+v (%v), want its ETag kept", src, err)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		publish(t, js, string(feedReq))
		time.Sleep(300 * time.Millisecond)
		found := false
		for _, o := range outcomesByURL(t, outcomes.wait(t, 0, 0))[site.URL+"/rss.xml"] {
			found = found || o.Outcome == schema.OutcomeNotModified
		}
		mu.Lock()
		n := conditional
		mu.Unlock()
		if found && n >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("registered source not fetched conditionally (conditional requests %d)", n)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>page</html>")
	}))
	t.Cleanup(site.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	startFetcher(t, testConfig(t, func(c *Config) { c.Common.HTTPAddr = addr }), nc, js, zap.NewNop())
	outcomes := collect(t, js, schema.StreamOutcomes)
	publish(t, js, site.URL+"/a")
	outcomes.wait(t, 1, 10*time.Second)
	want := []string{
		`newsflow_fetcher_fetches_total{outcome="fetched"} 1`,
		`newsflow_fetcher_robots_total{source="fetched"} 1`,
		`newsflow_fetcher_fetch_seconds_count 1`,
		`newsflow_fetcher_bytes_total 17`,
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := ""
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b := new(strings.Builder)
			_, _ = io.Copy(b, resp.Body)
			resp.Body.Close()
			body = b.String()
		}
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q", missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRobotsSitemapsSurviveARetry: the job that reads a host's robots.txt
// may then find the host's slot too far off and be redelivered; the next
// reads robots.txt from the cache. The Sitemap lines must still be handed
// on, once.
func TestRobotsSitemapsSurviveARetry(t *testing.T) {
	var site *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n", site.URL)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body>home</body></html>`)
	})
	site = httptest.NewServer(mux)
	t.Cleanup(site.Close)

	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	// robots.txt takes the host's slot; the page's turn is a second later,
	// beyond the in-process wait, so its first attempt is redelivered.
	startFetcher(t, testConfig(t, func(c *Config) { c.HostRate, c.MaxHostWait = 1, time.Millisecond }),
		nc, js, zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)))
	pages := collect(t, js, schema.StreamPages)
	publish(t, js, site.URL+"/")

	var got []string
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		got = got[:0]
		for _, m := range pages.wait(t, 0, 0) {
			p, err := pagebody.Unmarshal(m.Data())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.URL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // time for a wrong extra copy to show up
	sort.Strings(got)
	want := []string{site.URL + "/", site.URL + "/robots.txt"}
	if n := len(pages.wait(t, 0, 0)); n != 2 || !slices.Equal(got, want) {
		t.Errorf("pages.fetched holds %d pages %v, want %v", n, got, want)
	}
}

// TestRegisteredPagesAreRefetched: a page registered as a source (kind
// page) may be fetched again after FETCHER_RECRAWL_FEEDS, like a feed,
// while the same page submitted as a seed waits FETCHER_RECRAWL_SEEDS.
func TestRegisteredPagesAreRefetched(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/story">story</a></body></html>`)
	}))
	t.Cleanup(site.Close)
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	startFetcher(t, testConfig(t, func(c *Config) { c.RecrawlFeeds, c.RecrawlSeeds = time.Millisecond, time.Hour }),
		nc, js, zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)))
	outcomes := collect(t, js, schema.StreamOutcomes)

	for _, tt := range []struct {
		path, kind string
		want       []string
	}{
		{"/front", schema.KindPolledPage, []string{schema.OutcomeFetched, schema.OutcomeFetched}},
		{"/seed", "", []string{schema.OutcomeFetched, schema.OutcomeDuplicate}},
	} {
		req := schema.CrawlRequest{V: schema.Version, URL: site.URL + tt.path}
		if tt.kind != "" {
			req.Hints = &schema.Hints{Kind: tt.kind}
		}
		data, _ := json.Marshal(req)
		var got []string
		for i := range 2 {
			publish(t, js, string(data))
			for end := time.Now().Add(10 * time.Second); len(got) <= i && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
				got = got[:0]
				for _, o := range outcomesByURL(t, outcomes.wait(t, 0, 0))[req.URL] {
					got = append(got, o.Outcome)
				}
			}
			time.Sleep(20 * time.Millisecond) // past RecrawlFeeds
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s (kind %q) submitted twice: outcomes %v, want %v", tt.path, tt.kind, got, tt.want)
		}
	}
}
