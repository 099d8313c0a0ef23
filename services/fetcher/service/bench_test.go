package service

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

var (
	rssURLs  = flag.Int("rss-urls", 100000, "BenchmarkPeakRSS: URLs of the synthetic crawl")
	rssHosts = flag.Int("rss-hosts", 200, "TestPeakRSS: distinct hosts (loopback listeners)")
)

// hosts starts n loopback listeners, n distinct hosts (politeness and
// robots.txt are per host:port), serving small article pages. It returns
// their base URLs and a request counter.
func hosts(tb testing.TB, n int) ([]string, *atomic.Int64) {
	tb.Helper()
	var hits atomic.Int64
	page := []byte("<html><head><title>Story</title></head><body><article><h1>Story</h1>" +
		strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>", 60) + "</article></body></html>")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	bases := make([]string, n)
	for i := range bases {
		srv := httptest.NewServer(h)
		tb.Cleanup(srv.Close)
		bases[i] = srv.URL
	}
	return bases, &hits
}

// BenchmarkFetcherThroughput measures URLs/s of one fetcher (16 workers)
// through the whole stage (seen-set, robots cache, host slots, fetch,
// zstd, publish) against 100 hosts on loopback.
//
//	go test ./service -run '^$' -bench FetcherThroughput -benchtime 5000x
func BenchmarkFetcherThroughput(b *testing.B) {
	bases, _ := hosts(b, 100)
	s := bustest.Server(b)
	nc, js := bustest.Connect(b, s)
	cfg, err := LoadConfig(nil, func(k string) string {
		return map[string]string{"FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "1000", "HTTP_ADDR": ""}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Common.HTTPAddr = ""
	ctx := b.Context()
	done := make(chan error, 1)
	go func() { done <- RunWithConn(ctx, cfg, zap.NewNop(), nc, js) }()
	outcomes := collectB(b, js)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := js.PublishAsync(schema.SubjectCrawlURLs, fmt.Appendf(nil, "%s/story/%d", bases[i%len(bases)], i)); err != nil {
			b.Fatal(err)
		}
	}
	<-js.PublishAsyncComplete()
	for outcomes.Load() < int64(b.N) {
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "urls/s")
}

func collectB(b *testing.B, js jetstream.JetStream) *atomic.Int64 {
	b.Helper()
	var n atomic.Int64
	var cons jetstream.Consumer
	var err error
	for range 200 {
		if cons, err = js.OrderedConsumer(b.Context(), schema.StreamOutcomes, jetstream.OrderedConsumerConfig{}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		b.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) { n.Add(1) })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cc.Stop)
	return &n
}

// BenchmarkPeakRSS builds the real fetcher binary, runs it as its own
// process against an in-process JetStream server, crawls -rss-urls
// synthetic URLs (100,000) over -rss-hosts hosts and reports the fetcher's
// RSS as the crawl grows (sampled from /proc) and its peak (VmHWM) as
// peak_rss_MB. Goal: flat, under 150 MB.
//
//	go test ./service -run '^$' -bench PeakRSS -benchtime 1x -v -timeout 30m
func BenchmarkPeakRSS(b *testing.B) {
	for range b.N {
		peakRSS(b)
	}
}

func peakRSS(t *testing.B) {
	doneCount.Store(0)
	bin := filepath.Join(t.TempDir(), "fetcher")
	build := exec.Command("go", "build", "-o", bin, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	bases, _ := hosts(t, *rssHosts)
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"NATS_URL="+s.ClientURL(), "FETCHER_ALLOW_PRIVATE=true", "FETCHER_HOST_RATE=100",
		"HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	outcomes := collect(t, js, schema.StreamOutcomes)
	start := time.Now()
	go func() {
		for i := 0; i < *rssURLs; i++ {
			if _, err := js.PublishAsync(schema.SubjectCrawlURLs, fmt.Appendf(nil, "%s/story/%d", bases[i%len(bases)], i)); err != nil {
				t.Error(err)
				return
			}
			if i%10000 == 9999 {
				<-js.PublishAsyncComplete()
			}
		}
	}()
	var peak int64
	nextReport := *rssURLs / 10
	for {
		outcomes.mu.Lock()
		n := len(outcomes.msgs)
		outcomes.msgs = outcomes.msgs[:0:0] // count only; keep the test's memory flat too
		outcomes.mu.Unlock()
		done := int(doneCount.Add(int64(n)))
		rss := procKB(t, cmd.Process.Pid, "VmRSS")
		peak = max(peak, rss)
		if done >= nextReport {
			t.Logf("%7d URLs  %6.1fs  RSS %6.1f MB", done, time.Since(start).Seconds(), float64(rss)/1024)
			nextReport += *rssURLs / 10
		}
		if done >= *rssURLs {
			break
		}
		if time.Since(start) > 25*time.Minute {
			t.Fatalf("only %d of %d URLs done", done, *rssURLs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	hwm := procKB(t, cmd.Process.Pid, "VmHWM")
	t.Logf("%d URLs over %d hosts in %v (%.0f URLs/s); fetcher peak RSS %.1f MB (VmHWM %.1f MB)",
		*rssURLs, len(bases), time.Since(start).Round(time.Second), float64(*rssURLs)/time.Since(start).Seconds(),
		float64(peak)/1024, float64(hwm)/1024)
	t.ReportMetric(float64(hwm)/1024, "peak_rss_MB")
	t.ReportMetric(float64(*rssURLs)/time.Since(start).Seconds(), "urls/s")
}

var doneCount atomic.Int64

// procKB reads a "Vm..." line of /proc/pid/status in kB.
func procKB(t testing.TB, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
