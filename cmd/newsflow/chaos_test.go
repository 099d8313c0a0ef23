package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/pgtest"
)

var (
	chaosFull   = flag.Bool("chaos", false, "run the full chaos suite (make test-chaos): 2,000 articles and every fault")
	chaosReport = flag.String("chaos-report", "", "append one Markdown table row per scenario to this file")
)

// chaosAckWait is the stages' AckWait in the suite: a killed stage's
// in-flight messages come back after it, so it bounds recovery time.
const chaosAckWait = 5 * time.Second

// cluster is a pipeline of real processes: a nats-server, the three stages
// and the demo site, with the means to break them.
type cluster struct {
	t        *testing.T
	bin      string
	dir      string
	natsAddr string
	natsURL  string
	nats     *managed
	site     *demosite.Site
	srv      *httptest.Server
	manifest demosite.Manifest
	api      string
	env      map[string]map[string]string
	procs    map[string]*managed
	store    string
	pg       *pgtest.Server
}

// managed is one process of the cluster.
type managed struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (m *managed) running() bool {
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

type clusterOptions struct {
	Articles int
	Slow     map[string]time.Duration
	Env      map[string]string // extra env for every stage
	Postgres bool              // index into a private PostgreSQL (c.pg) instead of SQLite
}

func newCluster(t *testing.T, o clusterOptions) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: binaries(t), dir: t.TempDir(), procs: map[string]*managed{}}
	c.natsAddr = freeAddr(t)
	c.natsURL = "nats://" + c.natsAddr
	c.startNATS()

	c.site = demosite.New(demosite.Options{Articles: o.Articles, Slow: o.Slow})
	c.srv = httptest.NewServer(c.site)
	t.Cleanup(c.srv.Close)
	c.manifest = c.site.Manifest(c.srv.URL)

	c.api = freeAddr(t)
	c.store = filepath.Join(c.dir, "index.db")
	if o.Postgres {
		c.pg = pgtest.Start(t)
		c.store = c.pg.URL()
	}
	base := map[string]string{"NATS_URL": c.natsURL, "LOG_LEVEL": "info", "NATS_ACK_WAIT": chaosAckWait.String()}
	for k, v := range o.Env {
		base[k] = v
	}
	c.env = map[string]map[string]string{
		"fetcher": merge(base, map[string]string{"HTTP_ADDR": freeAddr(t), "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "500"}),
		"parser":  merge(base, map[string]string{"HTTP_ADDR": freeAddr(t)}),
		"indexer": merge(base, map[string]string{"HTTP_ADDR": c.api, "INDEXER_STORE": c.store}),
	}
	for _, name := range []string{"fetcher", "parser", "indexer"} {
		c.start(name)
	}
	t.Cleanup(c.stopAll)
	return c
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

func (c *cluster) spawn(name, binary string, env map[string]string, args ...string) *managed {
	c.t.Helper()
	f, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(c.bin, binary), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	m := &managed{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { m.err = cmd.Wait(); f.Close(); close(m.done) }()
	return m
}

func (c *cluster) startNATS() {
	host, port, _ := net.SplitHostPort(c.natsAddr)
	c.nats = c.spawn("nats-server", "nats-server", nil, "-a", host, "-p", port, "-js", "-sd", filepath.Join(c.dir, "js"))
	deadline := time.Now().Add(15 * time.Second)
	for {
		if nc, err := nats.Connect(c.natsURL); err == nil {
			nc.Close()
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatal("nats-server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *cluster) start(name string) {
	binary := name
	if name == "parser" {
		binary = "parser-chaos"
	}
	c.procs[name] = c.spawn(name, binary, c.env[name])
}

// signal sends sig to a process and, for a stopping signal, waits for it
// to exit; it returns how long the exit took.
func (c *cluster) signal(m *managed, sig syscall.Signal) time.Duration {
	c.t.Helper()
	start := time.Now()
	_ = m.cmd.Process.Signal(sig)
	select {
	case <-m.done:
	case <-time.After(45 * time.Second):
		c.t.Errorf("%s did not exit within 45s of %v", m.name, sig)
		_ = m.cmd.Process.Kill()
		<-m.done
	}
	return time.Since(start)
}

func (c *cluster) stopAll() {
	for _, m := range c.procs {
		if m.running() {
			_ = m.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, m := range c.procs {
		select {
		case <-m.done:
		case <-time.After(20 * time.Second):
			_ = m.cmd.Process.Kill()
		}
	}
	if c.nats.running() {
		c.signal(c.nats, syscall.SIGTERM)
	}
}

func (c *cluster) admin() (*nats.Conn, jetstream.JetStream) {
	c.t.Helper()
	nc, err := nats.Connect(c.natsURL, nats.MaxReconnects(-1))
	if err != nil {
		c.t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	return nc, js
}

func (c *cluster) submit(urls ...string) {
	c.t.Helper()
	out, err := exec.Command(filepath.Join(c.bin, "newsflow"), append([]string{"submit", "--nats", c.natsURL}, urls...)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("submit: %v\n%s", err, out)
	}
}

func (c *cluster) indexed() int {
	var stats struct {
		Articles int `json:"articles"`
	}
	if err := getJSON(context.Background(), "http://"+c.api+"/api/stats", &stats); err != nil {
		return -1
	}
	return stats.Articles
}

// waitIndexed waits until at least n articles are indexed.
func (c *cluster) waitIndexed(n int, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for c.indexed() < n {
		if time.Now().After(deadline) {
			c.t.Fatalf("indexed %d, waited for %d", c.indexed(), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// progressAfter returns how long after now the pipeline is indexing again:
// the recovery time of a fault cleared now. It waits for the indexer's API,
// then for the index to grow (or finds nothing left to index).
func (c *cluster) progressAfter(within time.Duration) time.Duration {
	start := time.Now()
	base := -1
	for base < 0 && time.Since(start) < within {
		base = c.indexed()
		time.Sleep(20 * time.Millisecond)
	}
	if base >= len(c.manifest.Articles) {
		return time.Since(start)
	}
	for time.Since(start) < within {
		if n := c.indexed(); n > base {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Errorf("no progress within %v after the fault was cleared", within)
	return within
}

// drain waits until every stage is idle and the index stops changing,
// then returns the ledger.
func (c *cluster) drain(within time.Duration) *Ledger {
	c.t.Helper()
	nc, js := c.admin()
	defer nc.Close()
	deadline := time.Now().Add(within)
	quiet, last := 0, -2
	for quiet < 4 {
		if time.Now().After(deadline) {
			l, _ := readLedger(context.Background(), js, "http://"+c.api)
			if l != nil {
				var b strings.Builder
				l.Write(&b)
				c.t.Logf("ledger at the deadline:\n%s", b.String())
			}
			c.t.Fatalf("the pipeline did not drain within %v", within)
		}
		time.Sleep(500 * time.Millisecond)
		n := c.indexed()
		if n == last && !pipelineBusy(context.Background(), js) {
			quiet++
		} else {
			quiet = 0
		}
		last = n
	}
	l, err := readLedger(context.Background(), js, "http://"+c.api)
	if err != nil {
		c.t.Fatal(err)
	}
	return l
}

// result is one row of the reliability table.
type result struct {
	fault    string
	n        int
	lost     int
	dups     int
	dead     int
	recovery time.Duration
	command  string
}

var reportMu sync.Mutex

func (r result) record(t *testing.T) {
	t.Logf("fault %q: N=%d lost=%d duplicates=%d dead-lettered=%d recovery=%v", r.fault, r.n, r.lost, r.dups, r.dead, r.recovery.Round(10*time.Millisecond))
	if *chaosReport == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(*chaosReport, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	rec := "-"
	if r.recovery > 0 {
		rec = r.recovery.Round(100 * time.Millisecond).String()
	}
	fmt.Fprintf(f, "| %s | %d | %d | %d | %d | %s | `%s` |\n", r.fault, r.n, r.lost, r.dups, r.dead, rec, r.command)
}

// check asserts the ledger of a drained run and records its row.
func (c *cluster) check(fault string, l *Ledger, wantIndexed, wantDead int, recovery time.Duration) {
	c.t.Helper()
	var b strings.Builder
	l.Write(&b)
	if l.Lost != 0 || l.DuplicateRows != 0 || l.Indexed != wantIndexed || sum(l.DeadLetters) != wantDead {
		c.t.Errorf("after %s: want %d indexed, %d dead-lettered, 0 lost, 0 duplicate rows; ledger:\n%s", fault, wantIndexed, wantDead, b.String())
	}
	result{fault: fault, n: int(l.Accepted), lost: l.Lost, dups: l.DuplicateRows, dead: sum(l.DeadLetters), recovery: recovery,
		command: "make test-chaos RUN='" + c.t.Name() + "'"}.record(c.t)
}

func chaosArticles() int {
	if *chaosFull {
		return 2000
	}
	return 300
}

// TestChaos runs the real binaries against a real nats-server process,
// injects one fault per scenario mid-crawl, and checks that the ledger
// balances: nothing lost, nothing indexed twice. `make test` runs the
// short version (300 articles, the kills and the poison page);
// `make test-chaos` (-chaos) runs every fault over 2,000 articles.
func TestChaos(t *testing.T) {
	type scenario struct {
		name  string
		full  bool // only in the full suite
		fault func(c *cluster) time.Duration
	}
	// The store-outage scenario runs the indexer on a PostgreSQL it can stop.
	usesPostgres := func(name string) bool { return strings.HasPrefix(name, "store") }
	kill := func(name string) func(c *cluster) time.Duration {
		return func(c *cluster) time.Duration {
			c.signal(c.procs[name], syscall.SIGKILL)
			c.start(name)
			return c.progressAfter(2 * time.Minute)
		}
	}
	restartNATS := func(sig syscall.Signal) func(c *cluster) time.Duration {
		return func(c *cluster) time.Duration {
			c.signal(c.nats, sig)
			time.Sleep(2 * time.Second)
			c.startNATS()
			return c.progressAfter(2 * time.Minute)
		}
	}
	scenarios := []scenario{
		{name: "store unreachable for 30s", full: true, fault: func(c *cluster) time.Duration {
			if err := c.pg.Stop(); err != nil {
				c.t.Fatal(err)
			}
			time.Sleep(30 * time.Second)
			if err := c.pg.Start(); err != nil {
				c.t.Fatal(err)
			}
			return c.progressAfter(2 * time.Minute)
		}},
		{name: "kill -9 fetcher", fault: kill("fetcher")},
		{name: "kill -9 parser", fault: kill("parser")},
		{name: "kill -9 indexer", fault: kill("indexer")},
		{name: "nats-server SIGTERM restart", full: true, fault: restartNATS(syscall.SIGTERM)},
		{name: "nats-server kill -9 restart", full: true, fault: restartNATS(syscall.SIGKILL)},
		{name: "SIGTERM every stage under load", full: true, fault: func(c *cluster) time.Duration {
			var wg sync.WaitGroup
			for _, name := range []string{"fetcher", "parser", "indexer"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					took := c.signal(c.procs[name], syscall.SIGTERM)
					if err := c.procs[name].err; err != nil {
						c.t.Errorf("%s exited with %v after SIGTERM", name, err)
					}
					c.t.Logf("%s stopped %v after SIGTERM", name, took.Round(time.Millisecond))
				}()
			}
			wg.Wait()
			for _, name := range []string{"fetcher", "parser", "indexer"} {
				c.start(name)
			}
			return c.progressAfter(2 * time.Minute)
		}},
	}
	for _, sc := range scenarios {
		if sc.full && !*chaosFull {
			continue // the full suite only: make test-chaos
		}
		t.Run(sc.name, func(t *testing.T) {
			opts := clusterOptions{Articles: chaosArticles()}
			if usesPostgres(sc.name) {
				opts.Postgres = true
			}
			c := newCluster(t, opts)
			c.submit(c.manifest.Home)
			want := len(c.manifest.Articles)
			c.waitIndexed(want*3/10, 3*time.Minute)
			recovery := sc.fault(c)
			l := c.drain(5 * time.Minute)
			c.check(sc.name, l, want, 0, recovery)
		})
	}
}

// TestChaosPoisonPage: a page that panics the extractor is recovered,
// terminated with its reason and dead-lettered; everything else flows.
func TestChaosPoisonPage(t *testing.T) {
	// The poison page must be reachable under one URL only (no redirect
	// leads to it), so it is dead-lettered exactly once.
	probe := demosite.New(demosite.Options{Articles: chaosArticles()}).Manifest("http://x")
	redirected := map[string]bool{}
	for _, to := range probe.Redirects {
		redirected[to] = true
	}
	poison := ""
	for _, a := range probe.Articles[len(probe.Articles)/3:] {
		if !redirected[a.URL] {
			poison = strings.TrimPrefix(a.URL, "http://x")
			break
		}
	}
	c := newCluster(t, clusterOptions{Articles: chaosArticles(), Env: map[string]string{"CHAOS_PANIC_URL": poison}})
	c.submit(c.manifest.Home)
	l := c.drain(5 * time.Minute)
	want := len(c.manifest.Articles) - 1
	c.check("poison page (extractor panic)", l, want, 1, 0)
	if l.DeadLetters["parser"] != 1 {
		t.Errorf("parser dead letters %v, want one for the poison page", l.DeadLetters)
	}
	nc, js := c.admin()
	defer nc.Close()
	entries, err := readDeadLetters(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.Contains(entries[0].Record.Reason, "panic") || !strings.Contains(entries[0].Record.URL, poison) {
		for _, e := range entries {
			t.Logf("dead letter %d: %s %s: %s", e.ID, e.Record.Stage, e.Record.URL, e.Record.Reason)
		}
		t.Errorf("%d dead letters, want one for %s with a panic reason", len(entries), poison)
	}
}

// TestChaosSlowPage: a page slower than AckWait is fetched once: the
// fetcher keeps its message alive with InProgress.
func TestChaosSlowPage(t *testing.T) {
	probe := demosite.New(demosite.Options{Articles: 60}).Manifest("http://x")
	slow := strings.TrimPrefix(probe.Articles[7].URL, "http://x")
	delay := chaosAckWait + 3*time.Second
	c := newCluster(t, clusterOptions{Articles: 60, Slow: map[string]time.Duration{slow: delay}})
	c.submit(c.manifest.Home)
	l := c.drain(3 * time.Minute)
	c.check("page slower than AckWait ("+delay.String()+")", l, len(c.manifest.Articles), 0, 0)
	hits := 0
	for _, r := range c.site.Requests() {
		if r.Path == slow {
			hits++
		}
	}
	if hits != 1 {
		t.Errorf("the slow page was requested %d times, want once", hits)
	}
}
