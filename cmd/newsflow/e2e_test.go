package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/pgtest"
)

// buildBinaries builds the three services and the operator's tool once
// per test binary run.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "newsflow-bin-")
		if buildErr != nil {
			return
		}
		for name, pkg := range map[string][]string{
			"fetcher":  {"github.com/newsflow/newsflow/services/fetcher"},
			"parser":   {"github.com/newsflow/newsflow/services/parser"},
			"indexer":  {"github.com/newsflow/newsflow/services/indexer"},
			"newsflow": {"github.com/newsflow/newsflow/cmd/newsflow"},
			// The chaos suite's parser can be told to panic on one page.
			"parser-chaos": {"-tags", "chaos", "github.com/newsflow/newsflow/services/parser"},
			// A real nats-server process, from the module the tests already use.
			"nats-server": {"github.com/nats-io/nats-server/v2"},
		} {
			args := append([]string{"build", "-o", filepath.Join(binDir, name)}, pkg...)
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", name, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// proc is a service running as its own process, its stderr (the JSON log)
// captured to a file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
}

func startProc(t *testing.T, bin, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		f.Close()
	})
	return p
}

// handedOut holds the ports freeAddr gave this test binary, so two tests
// running at once never get the same one.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freeAddr returns a loopback address free now, for a process that binds
// it a moment later. The port is below the kernel's ephemeral range
// (32768 and up on Linux): a port from ":0" is an ephemeral one, which an
// outgoing connection of another test may take before the process binds
// it (CI failed on that once).
func freeAddr(t *testing.T) string {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if handedOut.ports[port] {
			continue
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		handedOut.ports[port] = true
		return ln.Addr().String()
	}
	t.Fatal("no free port in 20000-31999")
	return ""
}

func getJSONT(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
	}
	return resp.StatusCode
}

// TestEndToEnd runs the three real binaries as separate processes against
// one nats-server, crawls two demo sites that share wire stories, and checks
// the index against the sites' own manifests — once on SQLite and once on
// PostgreSQL, which must index the same articles.
func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { endToEnd(t, filepath.Join(t.TempDir(), "e2e.db")) })
	t.Run("postgres", func(t *testing.T) { endToEnd(t, pgtest.Start(t).URL()) })
}

func endToEnd(t *testing.T, store string) {
	bin := binaries(t)
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)

	var manifests []demosite.Manifest
	var sites []*demosite.Site
	for _, site := range demosite.NewNetwork(2, demosite.Options{}) {
		srv := httptest.NewServer(site)
		t.Cleanup(srv.Close)
		sites = append(sites, site)
		manifests = append(manifests, site.Manifest(srv.URL))
	}

	api := freeAddr(t)
	common := map[string]string{"NATS_URL": ns.ClientURL(), "LOG_LEVEL": "info"}
	addrs := map[string]string{"fetcher": freeAddr(t), "parser": freeAddr(t), "indexer": api}
	procs := []*proc{
		startProc(t, bin, "fetcher", merge(common, map[string]string{"HTTP_ADDR": addrs["fetcher"], "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "100"})),
		startProc(t, bin, "parser", merge(common, map[string]string{"HTTP_ADDR": addrs["parser"], "PARSER_MAX_DEPTH": "4"})),
		startProc(t, bin, "indexer", merge(common, map[string]string{"HTTP_ADDR": api, "INDEXER_STORE": store})),
	}

	var homes []string
	for _, m := range manifests {
		homes = append(homes, m.Home)
	}
	out, err := exec.Command(filepath.Join(bin, "newsflow"), append([]string{"submit", "--nats", ns.ClientURL()}, homes...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("submit: %v\n%s", err, out)
	}
	seedTrace := strings.Fields(string(out))[0]

	want := 0
	for _, m := range manifests {
		want += len(m.Articles)
	}
	var stats struct {
		Articles      int `json:"articles"`
		DuplicateRows int `json:"duplicate_rows"`
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		stats.Articles = 0
		_ = getJSON(context.Background(), "http://"+api+"/api/stats", &stats) // the indexer may still be starting
		if stats.Articles >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexed %d of %d articles before the deadline", stats.Articles, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // let stragglers (redirects, retries) land
	getJSONT(t, "http://"+api+"/api/stats", &stats)
	if stats.Articles != want || stats.DuplicateRows != 0 {
		t.Errorf("indexed %d articles (%d duplicate rows), the manifests have %d: every article must be indexed exactly once", stats.Articles, stats.DuplicateRows, want)
	}

	// Every article: found by its URL, with the manifest's title and dates;
	// syndicated copies of a wire story share one story id.
	type indexed struct {
		Title     string     `json:"title"`
		Published *time.Time `json:"published"`
		StoryID   int64      `json:"story_id"`
	}
	stories := map[string]map[int64]bool{}
	for _, m := range manifests {
		for _, ma := range m.Articles {
			var got indexed
			if code := getJSONT(t, "http://"+api+"/api/articles?url="+url.QueryEscape(ma.URL), &got); code != http.StatusOK {
				t.Errorf("article %s: status %d", ma.URL, code)
				continue
			}
			if got.Title != ma.Title {
				t.Errorf("article %s: title %q, want %q", ma.URL, got.Title, ma.Title)
			}
			if got.Published == nil || !got.Published.Equal(ma.Published) {
				t.Errorf("article %s: published %v, want %v", ma.URL, got.Published, ma.Published)
			}
			if ma.Story != "" {
				if stories[ma.Story] == nil {
					stories[ma.Story] = map[int64]bool{}
				}
				stories[ma.Story][got.StoryID] = true
			}
		}
	}
	shared := 0
	for story, ids := range stories {
		if len(ids) != 1 {
			t.Errorf("wire story %s indexed under %d story ids, want one", story, len(ids))
		}
		shared++
	}
	if shared == 0 {
		t.Error("no wire story shared between the demo sites: the story check proved nothing")
	}
	// Non-article pages produced no article.
	for _, m := range manifests {
		for _, u := range m.NonArticles {
			if code := getJSONT(t, "http://"+api+"/api/articles?url="+url.QueryEscape(u), nil); code != http.StatusNotFound {
				t.Errorf("non-article page %s: /api/articles answered %d, want 404", u, code)
			}
		}
		if len(m.Disallowed) == 0 {
			t.Fatal("the demo site links no disallowed URL: the robots check would prove nothing")
		}
	}
	// The disallowed path was never requested.
	for _, site := range sites {
		for _, r := range site.Requests() {
			if strings.HasPrefix(r.Path, "/private/") {
				t.Errorf("robots.txt disallows /private/, yet %s was requested", r.Path)
			}
		}
	}
	// Search finds an article by words of its body. (A wire story's copies
	// share their words, and search shows one copy per story, so probe a
	// story of one site only.)
	var probe demosite.ManifestArticle
	for _, a := range manifests[0].Articles[len(manifests[0].Articles)/2:] {
		if a.Story == "" || !strings.HasPrefix(a.Story, "wire-") {
			probe = a
			break
		}
	}
	var res struct {
		Total   int `json:"total"`
		Results []struct {
			URL          string `json:"url"`
			CanonicalURL string `json:"canonical_url"`
		} `json:"results"`
	}
	getJSONT(t, "http://"+api+"/api/search?q="+url.QueryEscape(strings.Join(probe.Words, " "))+"&limit=50", &res)
	found := false
	for _, r := range res.Results {
		// One row per article, keyed by its canonical URL; url is the
		// spelling fetched first (an old URL that redirects to it, say).
		found = found || r.CanonicalURL == probe.URL
	}
	if !found {
		t.Errorf("search for %q did not return %s (got %d results: %+v)", probe.Words, probe.URL, res.Total, res.Results)
	}

	// Every binary answers its health, readiness and metrics endpoints, and
	// the dashboard shipped in deploy/ only charts metrics they export.
	var metrics strings.Builder
	for name, addr := range addrs {
		for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				t.Errorf("%s %s: %v", name, path, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d %s", name, path, resp.StatusCode, body)
			}
			if path == "/metrics" {
				metrics.Write(body)
				checkGCDefaults(t, name, string(body))
			}
		}
	}
	for _, name := range dashboardMetrics(t) {
		if !strings.Contains(metrics.String(), "\n"+name) {
			t.Errorf("the Grafana dashboard charts %s, which no stage exports", name)
		}
	}

	// Every log line is JSON of the documented shape (logs_test.go); an
	// article's trace id is in all three logs.
	for _, p := range procs {
		data, err := os.ReadFile(p.log)
		if err != nil {
			t.Fatal(err)
		}
		if lines := checkLogShape(t, data, []string{p.name}, nil); len(lines) == 0 {
			t.Errorf("%s logged nothing", p.name)
		}
		if !strings.Contains(metrics.String(), `service="`+p.name+`"`) {
			t.Errorf("no newsflow_build_info of the %s on its /metrics", p.name)
		}
	}
	if !strings.Contains(metrics.String(), "newsflow_build_info{") {
		t.Error("no newsflow_build_info on the services' /metrics")
	}
	traceInAll := func(id string) bool {
		for _, p := range procs {
			data, _ := os.ReadFile(p.log)
			if !bytes.Contains(data, []byte(`"trace_id":"`+id+`"`)) {
				return false
			}
		}
		return true
	}
	// The seeds are home pages (not articles, so they never reach the
	// indexer); follow an article's trace instead, found in the indexer log.
	joined := false
	idx, _ := os.ReadFile(procs[2].log)
	sc := bufio.NewScanner(bytes.NewReader(idx))
	for sc.Scan() && !joined {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			if id, ok := m["trace_id"].(string); ok && id != "" {
				joined = traceInAll(id)
			}
		}
	}
	if !joined {
		t.Error("no trace_id of an indexed article appears in all three logs")
	}
	fetcherLog, _ := os.ReadFile(procs[0].log)
	if !bytes.Contains(fetcherLog, []byte(seedTrace)) {
		t.Errorf("the seed's trace id %s is not in the fetcher log", seedTrace)
	}
}

// dashboardMetrics returns the metric names deploy/grafana/newsflow.json
// queries (histograms by their _bucket series).
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../deploy/grafana/newsflow.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var names []string
	for _, m := range regexp.MustCompile(`newsflow_[a-z_]+`).FindAllString(string(data), -1) {
		if !seen[m] && m != "newsflow_pipeline" {
			seen[m] = true
			names = append(names, m)
		}
	}
	if len(names) < 5 {
		t.Fatalf("the dashboard queries only %v", names)
	}
	return names
}

// TestMain removes the binaries built for the process-level tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// checkGCDefaults checks that a service binary applied its GC defaults
// (docs/PERFORMANCE.md: a 120 MiB GOMEMLIMIT for each of the three, GOGC
// 400 for the parser and 200 for the others), read from the Go runtime's
// own gauges on its /metrics. The environment wins over the defaults, so
// with GOGC or GOMEMLIMIT set for the test there is nothing to check.
func checkGCDefaults(t *testing.T, name, metrics string) {
	t.Helper()
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	gogc, limit := "200", "1.2582912e+08"
	if name == "parser" {
		gogc = "400"
	}
	for _, want := range []string{"\ngo_gc_gogc_percent " + gogc + "\n", "\ngo_gc_gomemlimit_bytes " + limit + "\n"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("%s /metrics lacks %q: its GC defaults are not applied", name, strings.TrimSpace(want))
		}
	}
}
