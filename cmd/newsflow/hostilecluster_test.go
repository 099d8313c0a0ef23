package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/hostilesite"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/pgtest"
	"github.com/newsflow/newsflow/pkg/schema"
)

// Memory limits of the hostile-page suite. The bar is what a stage may
// use under any attack; the cap is where the suite's monitor kills a stage
// (and fails the attack) so that a bomb cannot take the machine down; the
// address-space limit is the kernel's backstop should the monitor lag.
const (
	rssBar          = 300 << 20
	rssCap          = 1 << 30
	addressSpaceCap = 6 << 30
)

// stageNames are the pipeline's stages, in the order of the table.
var stageNames = []string{"fetcher", "parser", "indexer"}

// watched is a stage process whose memory a monitor samples from /proc:
// it keeps the peak resident set (VmHWM) and kills the process once its
// resident set passes rssCap.
type watched struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}

	mu      sync.Mutex
	err     error // from Wait
	peak    int64 // bytes, the largest VmHWM read
	killed  bool  // by the monitor, over rssCap
	stopped bool  // by the test
}

// startWatched starts a binary under an address-space limit (through sh,
// which execs it, so the pid is the binary's) and watches it until it
// exits.
func startWatched(t *testing.T, dir, binary, name string, env map[string]string) *watched {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`ulimit -v %d 2>/dev/null; exec "$0" "$@"`, addressSpaceCap>>10)
	cmd := exec.Command("/bin/sh", "-c", script, binary)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watched{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		f.Close()
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(w.done)
	}()
	go w.monitor()
	t.Cleanup(func() { w.stop(15 * time.Second) }) // a backstop: the cluster stops its stages together
	return w
}

func (w *watched) monitor() {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-tick.C:
		}
		rss, hwm, ok := procMemory(w.cmd.Process.Pid)
		if !ok {
			continue
		}
		w.mu.Lock()
		w.peak = max(w.peak, hwm, rss)
		if rss > rssCap && !w.killed {
			w.killed = true
			_ = w.cmd.Process.Kill()
		}
		w.mu.Unlock()
	}
}

// procMemory reads VmRSS and VmHWM (in bytes) from /proc/PID/status.
func procMemory(pid int) (rss, hwm int64, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm, hwm > 0
}

func (w *watched) running() bool {
	select {
	case <-w.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits for the exit, killing the process after
// grace.
func (w *watched) stop(grace time.Duration) {
	if !w.running() {
		return
	}
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(grace):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// stageState is what the table says of one stage after an attack.
type stageState struct {
	up   bool
	peak int64  // bytes resident at most
	note string // why it is down
}

func (s stageState) String() string {
	if s.up {
		return fmt.Sprintf("up, %d MB", s.peak>>20)
	}
	return fmt.Sprintf("**down**, %d MB: %s", s.peak>>20, s.note)
}

// state reports the stage's health; the peak is read again first if the
// process still runs.
func (w *watched) state() stageState {
	if w.running() {
		if rss, hwm, ok := procMemory(w.cmd.Process.Pid); ok {
			w.mu.Lock()
			w.peak = max(w.peak, hwm, rss)
			w.mu.Unlock()
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s := stageState{up: w.running() || w.stopped && !w.killed && w.err == nil, peak: w.peak}
	switch {
	case w.killed:
		s.up, s.note = false, fmt.Sprintf("killed by the suite past the %d MB cap", rssCap>>20)
	case !s.up:
		s.note = fmt.Sprintf("exited (%v); last log line: %s", w.err, lastWord(w.log, ""))
	}
	return s
}

// lastWord summarises the last line of a JSON log mentioning contains, or
// failing that its last warning or error: level, message and error.
func lastWord(path, contains string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	pick := ""
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		if contains != "" && strings.Contains(lines[i], contains) {
			pick = lines[i]
		}
	}
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		if strings.Contains(lines[i], `"level":"warn"`) || strings.Contains(lines[i], `"level":"error"`) {
			pick = lines[i]
		}
	}
	var m struct {
		Level, Msg, Error, Reason, Outcome string
		Attempt                            int
	}
	if pick == "" || json.Unmarshal([]byte(pick), &m) != nil {
		return "(nothing logged)"
	}
	s := fmt.Sprintf("%s %q", m.Level, m.Msg)
	if m.Attempt > 0 {
		s += fmt.Sprintf(" (attempt %d)", m.Attempt)
	}
	for _, detail := range []string{m.Outcome, m.Reason, m.Error} {
		if detail != "" {
			s += ": " + truncateString(detail, 200)
		}
	}
	return s
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// hostileCluster is the pipeline one attack runs against: an in-process
// nats-server, the three stage binaries as watched processes, the hostile
// site and a well-behaved site on loopback (separate hosts, so politeness
// and robots.txt of one do not touch the other), and a recorder of every
// outcome and parser record.
type hostileCluster struct {
	t       *testing.T
	dir     string
	bin     string
	ns      *server.Server
	nc      *nats.Conn
	js      jetstream.JetStream
	pub     *bus.Publisher
	site    *hostilesite.Site
	srv     *httptest.Server
	normal  *httptest.Server
	api     string
	env     map[string]map[string]string
	stages  map[string]*watched
	swapped *watched // the guarded fetcher, once swapped for an open one

	mu       sync.Mutex
	outcomes []schema.Outcome
	records  []schema.Article
}

// hostileStageEnv is the environment of every stage in the suite. The
// fetch timeouts are shorter than the defaults (30s total, 15s to the
// first byte) so the slow attacks end within minutes; they are still
// timeouts, and the stages use their default retry schedule.
var hostileStageEnv = map[string]string{
	"LOG_LEVEL":                  "info",
	"FETCHER_ALLOW_PRIVATE":      "true",
	"FETCHER_HOST_RATE":          "100",
	"FETCHER_TIMEOUT":            "5s",
	"FETCHER_FIRST_BYTE_TIMEOUT": "3s",
}

// newHostileCluster starts the cluster for attack a, its index on store
// ("sqlite" or "postgres"), and waits until every stage is ready.
func newHostileCluster(t *testing.T, a attack, store string) *hostileCluster {
	t.Helper()
	c := &hostileCluster{t: t, dir: t.TempDir(), bin: binaries(t), stages: map[string]*watched{}}
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: filepath.Join(c.dir, "js")})
	if err != nil {
		t.Fatal(err)
	}
	c.ns = ns
	t.Cleanup(ns.Shutdown)

	c.site = hostilesite.New(hostilesite.Options{Sitemaps: a.sitemaps})
	c.srv = httptest.NewServer(c.site)
	normal := hostilesite.New(hostilesite.Options{})
	c.normal = httptest.NewServer(normal)
	t.Cleanup(func() { c.site.Close(); normal.Close(); c.srv.Close(); c.normal.Close() })

	c.api = freeAddr(t)
	base := merge(hostileStageEnv, map[string]string{"NATS_URL": ns.ClientURL()})
	fetcher := map[string]string{"HTTP_ADDR": freeAddr(t)}
	if a.guarded {
		fetcher["FETCHER_ALLOW_PRIVATE"] = "false"
	}
	c.env = map[string]map[string]string{
		"fetcher": merge(base, fetcher),
		"parser":  merge(base, map[string]string{"HTTP_ADDR": freeAddr(t)}),
		"indexer": merge(base, map[string]string{"HTTP_ADDR": c.api, "INDEXER_STORE": storeFor(t, store, c.dir)}),
	}
	for _, name := range stageNames {
		c.stages[name] = startWatched(t, c.dir, filepath.Join(c.bin, name), name, c.env[name])
	}
	t.Cleanup(c.stopStages)

	c.nc, err = nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.nc.Close)
	c.js, _ = jetstream.New(c.nc)
	c.pub = bus.NewPublisher(c.js)
	c.waitReady()
	c.record()
	return c
}

// storeFor returns the indexer's store: a SQLite file, or a schema of its
// own on the test PostgreSQL server.
func storeFor(t *testing.T, store, dir string) string {
	t.Helper()
	if store == "sqlite" {
		return filepath.Join(dir, "index.db")
	}
	return pgtest.Schema(t)
}

// waitReady waits for every stage's consumer and the indexer's API.
func (c *hostileCluster) waitReady() {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ready := c.apiStatus("/api/stats") == http.StatusOK
		for name, sc := range bus.DefaultTopology().Consumers() {
			if _, err := c.js.Consumer(c.t.Context(), sc.Stream, name); err != nil {
				ready = false
			}
		}
		if ready {
			return
		}
		for _, name := range stageNames {
			if !c.stages[name].running() {
				c.t.Fatalf("%s exited at start: %s", name, lastWord(c.stages[name].log, ""))
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatal("the stages were not ready within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// record follows crawl.outcome and articles.parsed from the start.
func (c *hostileCluster) record() {
	c.t.Helper()
	follow := func(stream string, fn func(jetstream.Msg)) {
		cons, err := c.js.OrderedConsumer(c.t.Context(), stream, jetstream.OrderedConsumerConfig{})
		if err != nil {
			c.t.Fatal(err)
		}
		cc, err := cons.Consume(fn)
		if err != nil {
			c.t.Fatal(err)
		}
		c.t.Cleanup(cc.Stop)
	}
	follow(schema.StreamOutcomes, func(m jetstream.Msg) {
		var o schema.Outcome
		if json.Unmarshal(m.Data(), &o) == nil {
			c.mu.Lock()
			c.outcomes = append(c.outcomes, o)
			c.mu.Unlock()
		}
	})
	follow(schema.StreamArticles, func(m jetstream.Msg) {
		var a schema.Article
		if m.Headers().Get(schema.HeaderReparse) == "" && json.Unmarshal(m.Data(), &a) == nil {
			c.mu.Lock()
			c.records = append(c.records, a)
			c.mu.Unlock()
		}
	})
}

func (c *hostileCluster) apiStatus(pathAndQuery string) int {
	resp, err := http.Get("http://" + c.api + pathAndQuery)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// submission is one message submitted on crawl.urls.
type submission struct {
	trace string
	body  any // a schema.CrawlRequest, or []byte sent as it is
}

// seed is a crawl request for a URL of the hostile site at depth 0.
func (c *hostileCluster) seed(path string) submission {
	return c.request(schema.CrawlRequest{URL: c.srv.URL + path})
}

// request completes req (version, origin, time, trace) as `newsflow
// submit` would, without validating it: the suite sends what a hostile
// client could.
func (c *hostileCluster) request(req schema.CrawlRequest) submission {
	req.V = schema.Version
	req.Origin = cmp.Or(req.Origin, req.URL)
	req.SubmittedAt = time.Now().UTC()
	req.TraceID = bus.NewTraceID()
	return submission{trace: req.TraceID, body: req}
}

// raw is a payload sent on crawl.urls as it is (a plain URL, as `nats pub
// crawl.urls URL` sends), with a trace header.
func (c *hostileCluster) raw(payload string) submission {
	return submission{trace: bus.NewTraceID(), body: []byte(payload)}
}

func (c *hostileCluster) submit(s submission) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	defer cancel()
	if err := c.pub.Publish(ctx, bus.Out{Subject: schema.SubjectCrawlURLs, ID: "hostile:" + s.trace, Body: s.body}, s.trace); err != nil {
		c.t.Fatalf("submit: %v", err)
	}
}

// downStage names a stage that is no longer running, or "".
func (c *hostileCluster) downStage() string {
	for _, name := range stageNames {
		if !c.stages[name].running() {
			return name
		}
	}
	return ""
}

// journey is what the pipeline recorded for one submitted message, found
// by its trace id: the fetcher's outcomes (or max-deliveries advisories),
// the parser's records (or dead letters) of the fetched page, and the
// article's fate in the index.
type journey struct {
	outcomes  []schema.Outcome
	stuck     int // the request reached MaxDeliver unhandled
	records   []schema.Article
	parserDL  []schema.DeadLetter
	indexed   int // article records found in the index
	indexerDL []schema.DeadLetter
}

func (c *hostileCluster) journey(trace string) journey {
	var j journey
	c.mu.Lock()
	for _, o := range c.outcomes {
		if o.TraceID == trace {
			j.outcomes = append(j.outcomes, o)
		}
	}
	for _, r := range c.records {
		if r.TraceID == trace {
			j.records = append(j.records, r)
		}
	}
	c.mu.Unlock()
	entries, _ := readDeadLetters(c.t.Context(), c.js)
	for _, e := range entries {
		if e.Record.TraceID != trace || strings.HasSuffix(e.Record.URL, "/robots.txt") {
			continue
		}
		switch {
		case e.Record.Stage == schema.ConsumerFetcher && e.FromAdv:
			j.stuck++
		case e.Record.Stage == schema.ConsumerParser:
			j.parserDL = append(j.parserDL, e.Record)
		case e.Record.Stage == schema.ConsumerIndexer:
			j.indexerDL = append(j.indexerDL, e.Record)
		}
	}
	for _, r := range j.records {
		if r.PageType == schema.PageArticle && c.apiStatus("/api/articles?url="+url.QueryEscape(r.URL)) == http.StatusOK {
			j.indexed++
		}
	}
	return j
}

func (j journey) fetched() bool {
	for _, o := range j.outcomes {
		if o.Outcome == schema.OutcomeFetched {
			return true
		}
	}
	return false
}

func (j journey) articles() int {
	n := 0
	for _, r := range j.records {
		if r.PageType == schema.PageArticle {
			n++
		}
	}
	return n
}

// settled reports whether every stage the message reached has recorded
// what became of it.
func (j journey) settled() bool {
	switch {
	case len(j.outcomes)+j.stuck == 0:
		return false
	case j.fetched() && len(j.records)+len(j.parserDL) == 0:
		return false
	case j.articles() > 0 && j.indexed+len(j.indexerDL) == 0:
		return false
	}
	return true
}

// problems lists the breaches of "exactly one recorded state" at each
// stage.
func (j journey) problems() []string {
	var out []string
	switch n := len(j.outcomes) + j.stuck; {
	case n == 0:
		out = append(out, "no outcome recorded by the fetcher")
	case n > 1:
		out = append(out, fmt.Sprintf("%d fetcher outcomes (%s), want exactly one", n, j.describe()))
	}
	if j.fetched() {
		switch n := len(j.records) + len(j.parserDL); {
		case n == 0:
			out = append(out, "fetched, but no parser record or dead letter")
		case n > 1:
			out = append(out, fmt.Sprintf("%d parser records and dead letters, want exactly one", n))
		}
	}
	if j.articles() > 0 && j.indexed+len(j.indexerDL) == 0 {
		out = append(out, "an article neither indexed nor dead-lettered by the indexer")
	}
	return out
}

// describe summarises the journey for the table.
func (j journey) describe() string {
	var parts []string
	for _, o := range j.outcomes {
		s := o.Outcome
		if o.Status != 0 && o.Outcome != schema.OutcomeFetched {
			s += " " + strconv.Itoa(o.Status)
		}
		parts = append(parts, s)
	}
	if j.stuck > 0 {
		parts = append(parts, "stuck at MaxDeliver")
	}
	if len(parts) == 0 {
		return "none"
	}
	s := strings.Join(parts, " + ")
	if !j.fetched() {
		return s
	}
	var next []string
	for _, r := range j.records {
		next = append(next, r.PageType)
	}
	for range j.parserDL {
		next = append(next, "parser dead letter")
	}
	if len(next) == 0 {
		next = append(next, "no parser record")
	}
	s += " → " + strings.Join(next, " + ")
	if j.articles() > 0 {
		switch {
		case j.indexed > 0:
			s += " → indexed"
		case len(j.indexerDL) > 0:
			s += " → indexer dead letter"
		default:
			s += " → not indexed"
		}
	}
	return s
}

// stuckAt names the first stage that has not recorded what became of the
// journey, with its last word on it.
func (c *hostileCluster) stuckAt(j journey, trace string) string {
	stage := "fetcher"
	switch {
	case len(j.outcomes)+j.stuck == 0:
	case j.fetched() && len(j.records)+len(j.parserDL) == 0:
		stage = "parser"
	default:
		stage = "indexer"
	}
	return stage + " says " + lastWord(c.stages[stage].log, trace)
}

// await polls the journey of trace until it settles, within ends, or a
// stage goes down.
func (c *hostileCluster) await(trace string, within time.Duration) journey {
	deadline := time.Now().Add(within)
	for {
		j := c.journey(trace)
		if j.settled() || c.downStage() != "" || time.Now().After(deadline) {
			return j
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// drain waits until no stage has work pending or in flight, twice in a
// row, within the given time.
func (c *hostileCluster) drain(within time.Duration) bool {
	deadline := time.Now().Add(within)
	quiet := 0
	for quiet < 2 {
		if time.Now().After(deadline) || c.downStage() != "" {
			return false
		}
		time.Sleep(500 * time.Millisecond)
		if pipelineBusy(c.t.Context(), c.js) {
			quiet = 0
		} else {
			quiet++
		}
	}
	return true
}

// stopStages stops every stage at once.
func (c *hostileCluster) stopStages() {
	var wg sync.WaitGroup
	for _, w := range c.stages {
		wg.Add(1)
		go func() { defer wg.Done(); w.stop(15 * time.Second) }()
	}
	wg.Wait()
}

// swapFetcher stops the guarded fetcher and starts one with the guard
// off, so the well-behaved site on loopback can be fetched. The guarded
// one is kept for the table.
func (c *hostileCluster) swapFetcher() {
	c.t.Helper()
	guarded := c.stages["fetcher"]
	guarded.stop(15 * time.Second)
	c.swapped = guarded
	c.stages["fetcher"] = startWatched(c.t, c.dir, filepath.Join(c.bin, "fetcher"), "fetcher-open", merge(c.env["fetcher"], map[string]string{"FETCHER_ALLOW_PRIVATE": "true"}))
}

// logs returns the stage logs, for searching.
func (c *hostileCluster) logs() map[string][]byte {
	out := map[string][]byte{}
	for name, w := range c.stages {
		out[name], _ = os.ReadFile(w.log)
	}
	if c.swapped != nil {
		out["fetcher (guarded)"], _ = os.ReadFile(c.swapped.log)
	}
	return out
}

// The suite's own accounting: a journey settles once every stage it
// reached has recorded it, and more than one record at a stage is a
// problem.
func TestJourneyAccounting(t *testing.T) {
	fetched := schema.Outcome{Outcome: schema.OutcomeFetched, Status: 200}
	article := schema.Article{PageType: schema.PageArticle}
	tests := []struct {
		name        string
		give        journey
		wantSettled bool
		wantProblem string // a substring of the problems, "" for none
		wantDescr   string
	}{
		{name: "nothing yet", give: journey{}, wantProblem: "no outcome", wantDescr: "none"},
		{name: "refused", give: journey{outcomes: []schema.Outcome{{Outcome: schema.OutcomeTooLarge}}}, wantSettled: true, wantDescr: "too_large"},
		{name: "two outcomes", give: journey{outcomes: []schema.Outcome{{Outcome: schema.OutcomeHTTPError, Status: 300}, {Outcome: schema.OutcomeDeadLetter}}},
			wantSettled: true, wantProblem: "2 fetcher outcomes", wantDescr: "http_error 300 + dead_letter"},
		{name: "stuck", give: journey{stuck: 1}, wantSettled: true, wantDescr: "stuck at MaxDeliver"},
		{name: "fetched, parser silent", give: journey{outcomes: []schema.Outcome{fetched}}, wantProblem: "no parser record", wantDescr: "fetched → no parser record"},
		{name: "section", give: journey{outcomes: []schema.Outcome{fetched}, records: []schema.Article{{PageType: schema.PageSection}}}, wantSettled: true, wantDescr: "fetched → section"},
		{name: "record and dead letter", give: journey{outcomes: []schema.Outcome{fetched}, records: []schema.Article{{PageType: schema.PageSection}}, parserDL: []schema.DeadLetter{{}}},
			wantSettled: true, wantProblem: "2 parser records", wantDescr: "fetched → section + parser dead letter"},
		{name: "article held", give: journey{outcomes: []schema.Outcome{fetched}, records: []schema.Article{article}}, wantProblem: "neither indexed", wantDescr: "fetched → article → not indexed"},
		{name: "article indexed", give: journey{outcomes: []schema.Outcome{fetched}, records: []schema.Article{article}, indexed: 1}, wantSettled: true, wantDescr: "fetched → article → indexed"},
		{name: "article dead-lettered", give: journey{outcomes: []schema.Outcome{fetched}, records: []schema.Article{article}, indexerDL: []schema.DeadLetter{{}}}, wantSettled: true, wantDescr: "fetched → article → indexer dead letter"},
	}
	for _, tt := range tests {
		problems := strings.Join(tt.give.problems(), "; ")
		if got := tt.give.settled(); got != tt.wantSettled {
			t.Errorf("%s: settled %v, want %v", tt.name, got, tt.wantSettled)
		}
		if tt.wantProblem == "" && problems != "" || !strings.Contains(problems, tt.wantProblem) {
			t.Errorf("%s: problems %q, want %q", tt.name, problems, tt.wantProblem)
		}
		if got := tt.give.describe(); got != tt.wantDescr {
			t.Errorf("%s: described %q, want %q", tt.name, got, tt.wantDescr)
		}
	}
}
