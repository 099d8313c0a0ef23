package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/demosite"
)

var soakFor = flag.Duration("soak", 0, "run the soak for this long (make soak: 30m); 0 runs two rounds")

// processStats are the resources of one stage, read from its /metrics.
type processStats struct {
	rss        float64
	goroutines float64
	fds        float64
}

func scrape(t *testing.T, addr string) (processStats, bool) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return processStats{}, false
	}
	defer resp.Body.Close()
	var s processStats
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			s.rss = v
		case "go_goroutines":
			s.goroutines = v
		case "process_open_fds":
			s.fds = v
		}
	}
	return s, true
}

// TestSoak crawls a fresh demo site again and again, killing a random stage
// in the middle of every other round, and checks after each round that the
// ledger balances and that no stage's memory, goroutines or open files
// keep growing. `make soak` runs it for 30 minutes; by default it runs two
// rounds.
func TestSoak(t *testing.T) {
	c := newCluster(t, clusterOptions{Articles: 120})
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	type sample struct {
		round int
		stats map[string]processStats
	}
	var samples []sample
	totalWant := 0
	for round := 1; ; round++ {
		if *soakFor == 0 && round > 2 || *soakFor > 0 && time.Since(start) > *soakFor {
			break
		}
		site := demosite.New(demosite.Options{Articles: 120, Seed: int64(round + 10)})
		// Servers stay up until the end: a reused port would give a new
		// site the URLs of an old one, which the seen-set rightly skips.
		srv := httptest.NewServer(site)
		t.Cleanup(srv.Close)
		m := site.Manifest(srv.URL)
		totalWant += len(m.Articles)
		c.submit(m.Home)
		killed := "-"
		if round%2 == 0 {
			c.waitIndexed(totalWant-len(m.Articles)+len(m.Articles)/3, 3*time.Minute)
			killed = []string{"fetcher", "parser", "indexer"}[rng.IntN(3)]
			c.signal(c.procs[killed], syscall.SIGKILL)
			c.start(killed)
		}
		l := c.drain(5 * time.Minute)
		if l.Lost != 0 || l.DuplicateRows != 0 || l.Indexed != totalWant {
			var b strings.Builder
			l.Write(&b)
			t.Fatalf("round %d (killed %s): want %d indexed, 0 lost, 0 duplicates:\n%s", round, killed, totalWant, b.String())
		}
		s := sample{round: round, stats: map[string]processStats{}}
		line := fmt.Sprintf("round %3d killed %-7s indexed %6d", round, killed, l.Indexed)
		for _, name := range []string{"fetcher", "parser", "indexer"} {
			if st, ok := scrape(t, c.env[name]["HTTP_ADDR"]); ok {
				s.stats[name] = st
				line += fmt.Sprintf("  %s rss %5.1fMB gor %4.0f fds %3.0f", name, st.rss/1e6, st.goroutines, st.fds)
			}
		}
		t.Log(line)
		samples = append(samples, s)
	}
	// A stage that ran through the soak must end near where it began: no
	// more than twice its goroutines and open files of round 1, and under
	// 300 MB of memory.
	first, last := samples[0], samples[len(samples)-1]
	for name, end := range last.stats {
		begin, ok := first.stats[name]
		if !ok {
			continue
		}
		if end.rss > 300e6 {
			t.Errorf("%s: %0.fMB resident after the soak", name, end.rss/1e6)
		}
		if end.goroutines > 2*begin.goroutines+20 || end.fds > 2*begin.fds+20 {
			t.Errorf("%s: goroutines %v -> %v, open files %v -> %v: growing", name, begin.goroutines, end.goroutines, begin.fds, end.fds)
		}
	}
}
