package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

var (
	politenessURLs = flag.Int("politeness-urls", 60, "TestPolitenessAcrossFetcherProcesses: URLs of the one host (make test-politeness: 200)")
	politenessRate = flag.Int("politeness-rate", 3, "TestPolitenessAcrossFetcherProcesses: the host's limit in requests/s (make test-politeness: 2)")
)

// TestPolitenessAcrossFetcherProcesses starts three fetcher processes on
// one bus and gives them 60 URLs of one host limited to 3 requests/s
// (make test-politeness: 200 URLs at 2 requests/s): the
// host's request log never shows more than the limit in any one-second
// window (plus one for timing at the window's edge), and every URL is
// fetched.
func TestPolitenessAcrossFetcherProcesses(t *testing.T) {
	rate, urls := *politenessRate, *politenessURLs
	var mu sync.Mutex
	var hits []time.Time
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, time.Now())
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><p>page</p></body></html>", r.URL.Path)
	}))
	t.Cleanup(host.Close)

	bin := binaries(t)
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	for i := range 3 {
		startProc(t, bin, "fetcher", map[string]string{
			"NATS_URL": s.ClientURL(), "HTTP_ADDR": "off", "FETCHER_ALLOW_PRIVATE": "true",
			"FETCHER_HOST_RATE":  fmt.Sprint(rate),
			"FETCHER_USER_AGENT": fmt.Sprintf("NewsflowBot/test-replica-%d", i),
		})
	}
	waitUntil(t, "the fetchers' consumer", func() bool {
		_, err := js.Consumer(t.Context(), schema.StreamCrawl, schema.ConsumerFetcher)
		return err == nil
	})
	pub := bus.NewPublisher(js)
	for i := range urls {
		u := fmt.Sprintf("%s/story/%d", host.URL, i)
		req := schema.CrawlRequest{V: schema.Version, URL: u, Origin: u, SubmittedAt: time.Now()}
		if err := pub.Publish(t.Context(), bus.Out{Subject: schema.SubjectCrawlURLs, ID: u, Body: req}, ""); err != nil {
			t.Fatal(err)
		}
	}

	fetched := map[string]bool{}
	deadline := time.Now().Add(time.Duration(urls/rate)*time.Second + 60*time.Second)
	for len(fetched) < urls {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d URLs fetched before the deadline", len(fetched), urls)
		}
		time.Sleep(500 * time.Millisecond)
		_ = eachMessage(t.Context(), js, schema.StreamOutcomes, func(m jetstream.Msg) {
			var o schema.Outcome
			if json.Unmarshal(m.Data(), &o) == nil && o.Outcome == schema.OutcomeFetched {
				fetched[o.URL] = true
			}
		})
	}

	mu.Lock()
	defer mu.Unlock()
	sort.Slice(hits, func(i, j int) bool { return hits[i].Before(hits[j]) })
	worst := 0
	for i := range hits {
		n := 0
		for j := i; j < len(hits) && hits[j].Sub(hits[i]) < time.Second; j++ {
			n++
		}
		worst = max(worst, n)
	}
	t.Logf("%d requests over %v; at most %d in any one-second window", len(hits), hits[len(hits)-1].Sub(hits[0]).Round(time.Millisecond), worst)
	if worst > rate+1 {
		t.Errorf("the host saw %d requests within one second, limit %d/s", worst, rate)
	}
	if len(hits) > urls+3 {
		t.Errorf("%d requests for %d URLs and robots.txt: something was fetched twice", len(hits), urls)
	}
}
