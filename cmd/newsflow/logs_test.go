package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/newsflow/newsflow/pkg/schema"
)

// demoCrawlLogs runs `newsflow up --demo` in process at debug level, with
// one undecodable message published on crawl.urls besides the demo's
// seeds, until the crawl drains. It returns the log file and, scraped
// while the stages ran, each stage's /metrics.
func demoCrawlLogs(t *testing.T) (logFile string, metrics map[string]string) {
	t.Helper()
	dir := t.TempDir()
	logFile = filepath.Join(dir, "newsflow.log")
	addrs := map[string]string{}
	args := []string{"--demo", "--demo-articles", "30", "--data", dir, "--log", logFile, "--log-level", "debug",
		"--nats-addr", "127.0.0.1:0", "--addr", "127.0.0.1:0", "--fetcher-addr", "127.0.0.1:0", "--parser-addr", "127.0.0.1:0"}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := runUp(ctx, args, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	var natsURL string
	metrics = map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		switch f := strings.Fields(line); {
		case len(f) >= 2 && f[0] == "nats":
			natsURL = f[1]
		case len(f) >= 2 && f[0] == "search":
			addrs["indexer"] = strings.TrimSuffix(strings.TrimPrefix(f[1], "http://"), "/")
		case len(f) >= 7 && f[0] == "metrics":
			// metrics   indexer URL  fetcher URL  parser URL: the addresses bound
			for i := 1; i+1 < len(f); i += 2 {
				addrs[f[i]] = strings.TrimSuffix(strings.TrimPrefix(f[i+1], "http://"), "/metrics")
			}
		case strings.HasPrefix(line, "submitted"):
			// The topology is up: add a message no stage can decode.
			nc, err := nats.Connect(natsURL)
			if err != nil {
				t.Fatal(err)
			}
			if err := nc.Publish(schema.SubjectCrawlURLs, []byte(`{"url": 42}`)); err != nil {
				t.Fatal(err)
			}
			nc.Close()
		case strings.HasPrefix(line, "summary:"):
			for stage, addr := range addrs {
				metrics[stage] = httpGet(t, "http://"+addr+"/metrics")
			}
			cancel()
		}
	}
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatalf("up: %v", err)
	}
	if len(metrics) == 0 {
		t.Fatal("the crawl never drained")
	}
	return logFile, metrics
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLogsOfADemoCrawl checks every line of a demo crawl against the log
// shape of docs/OPERATIONS.md ("Logs"), runs the documented jq filters
// over them, and checks that `up` serves every stage's metrics with the
// build information.
func TestLogsOfADemoCrawl(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Fatal("jq not found: this test runs the jq filters of README.md and docs/OPERATIONS.md; install jq (scripts/testenv does on Debian)")
	}
	logFile, metrics := demoCrawlLogs(t)
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	stages := []string{"fetcher", "parser", "indexer"}
	lines := checkLogShape(t, data, stages, stages)

	t.Run("metrics", func(t *testing.T) {
		for _, stage := range []string{"fetcher", "parser", "indexer"} {
			body := metrics[stage]
			if !strings.Contains(body, `newsflow_build_info{`) || !strings.Contains(body, `service="`+stage+`"`) {
				t.Errorf("%s /metrics lacks newsflow_build_info for %s", stage, stage)
			}
			if !strings.Contains(body, `newsflow_messages_total{result="acked",stage="`+stage+`"}`) {
				t.Errorf("%s /metrics lacks its runner's messages_total", stage)
			}
		}
	})

	t.Run("documented filters", func(t *testing.T) {
		ops, err := os.ReadFile("../../docs/OPERATIONS.md")
		if err != nil {
			t.Fatal(err)
		}
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		var traced string // a URL that went through all three stages
		for _, l := range lines {
			if l["msg"] == "indexed" && l["page_type"] == "article" {
				traced = l["trace_id"].(string)
				break
			}
		}
		for _, f := range documentedFilters {
			t.Run(f.name, func(t *testing.T) {
				if !bytes.Contains(ops, []byte(f.shown())) {
					t.Errorf("docs/OPERATIONS.md does not show the filter %s", f.shown())
				}
				if f.inReadme && !bytes.Contains(readme, []byte(f.shown())) {
					t.Errorf("README.md does not show the filter %s", f.shown())
				}
				prog := strings.ReplaceAll(f.prog, "TRACE", traced)
				out, err := exec.Command(jq, append(f.flags, prog, logFile)...).Output()
				if err != nil {
					t.Fatalf("jq %s: %v", prog, err)
				}
				f.check(t, string(out))
			})
		}
	})
}

// logFilter is a jq filter the docs show, and what it must find in the
// logs of a demo crawl.
type logFilter struct {
	name     string
	flags    []string
	prog     string
	suffix   string // after the program in the docs: a file, a pipe
	inReadme bool
	check    func(t *testing.T, out string)
}

// shown is the filter as the docs show it.
func (f logFilter) shown() string {
	return "jq " + strings.Join(f.flags, " ") + " '" + f.prog + "'" + f.suffix
}

// quiet is the outcomes of a URL or page that went as it should.
const quiet = `"fetched", "not_modified", "duplicate", "parsed", "indexed"`

var documentedFilters = []logFilter{
	{
		name: "one URL", flags: []string{"-c"},
		prog: `select(.trace_id == "TRACE")`, inReadme: true,
		check: func(t *testing.T, out string) {
			got := jsonLines(t, out)
			stages := map[string]bool{}
			for _, l := range got {
				stages[str(l["stage"])+":"+str(l["msg"])] = true
			}
			for _, want := range []string{"fetcher:fetched", "parser:parsed", "indexer:indexed"} {
				if !stages[want] {
					t.Errorf("the journey lacks %s: %v", want, stages)
				}
			}
		},
	},
	{
		name:  "what went wrong",
		flags: []string{"-c"}, inReadme: true,
		prog: `select(.level == "warn" or .level == "error" or .level == "fatal" or (.outcome and (.outcome | IN(` + quiet + `) | not)))`,
		check: func(t *testing.T, out string) {
			got := jsonLines(t, out)
			seen := map[string]int{}
			for _, l := range got {
				o := str(l["outcome"])
				seen[o]++
				switch o {
				case "fetched", "not_modified", "duplicate", "parsed", "indexed":
					t.Errorf("a line that went well: %v", l)
				}
			}
			// The demo sites have robots.txt exclusions and dead links;
			// the test adds an undecodable message.
			for _, want := range []string{"robots_denied", "http_error", "invalid"} {
				if seen[want] == 0 {
					t.Errorf("no %s line among what went wrong: %v", want, seen)
				}
			}
		},
	},
	{
		name:   "what went wrong, counted",
		flags:  []string{"-r"},
		prog:   `select(.outcome and (.outcome | IN(` + quiet + `) | not)) | .outcome`,
		suffix: ` newsflow.log | sort | uniq -c`,
		check: func(t *testing.T, out string) {
			if !strings.Contains(out, "robots_denied\n") || strings.Contains(out, "duplicate") {
				t.Errorf("outcomes:\n%s", out)
			}
		},
	},
	{
		name:  "slow messages",
		flags: []string{"-c"},
		prog:  `select(.took_ms > 1000) | {stage, outcome, url, took_ms}`,
		check: func(t *testing.T, out string) {
			for _, l := range jsonLines(t, out) {
				if ms, _ := l["took_ms"].(float64); ms <= 1000 {
					t.Errorf("a fast line: %v", l)
				}
			}
		},
	},
	{
		name:  "copies of a story",
		flags: []string{"-c"},
		prog:  `select(.msg == "indexed" and .duplicate != "") | {url, duplicate, story}`,
		check: func(t *testing.T, out string) {
			got := jsonLines(t, out)
			// The two demo sites share wire stories.
			if len(got) == 0 {
				t.Error("no copies of a story in a demo crawl")
			}
			for _, l := range got {
				if d := l["duplicate"]; (d != "exact" && d != "near") || l["story"] == float64(0) {
					t.Errorf("copy line: %v", l)
				}
			}
		},
	},
	{
		name:  "decisions",
		flags: []string{"-c"},
		prog:  `select(.level == "debug") | {stage, msg, url, host, allowed, decision, wait_ms, reason}`,
		check: func(t *testing.T, out string) {
			seen := map[string]bool{}
			for _, l := range jsonLines(t, out) {
				seen[str(l["msg"])] = true
				seen[str(l["stage"])+":"+str(l["msg"])] = true
				if str(l["url"]) == "" {
					t.Errorf("a decision without its URL: %v", l)
				}
			}
			for _, want := range []string{"robots verdict", "politeness wait", "fetcher:dedup hit", "parser:dedup hit"} {
				if !seen[want] {
					t.Errorf("LOG_LEVEL=debug logs no %q: %v", want, seen)
				}
			}
		},
	},
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, s := range strings.Split(strings.TrimSpace(out), "\n") {
		if s == "" {
			continue
		}
		var l map[string]any
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("jq printed a line that is not JSON: %s", s)
		}
		lines = append(lines, l)
	}
	return lines
}

func str(v any) string { s, _ := v.(string); return s }

// lineKeys are the keys each kind of line carries beyond the per-message
// ones (docs/OPERATIONS.md, "Logs").
var lineKeys = map[string][]string{
	"fetcher:fetched": {"status", "bytes", "content_type", "final_url", "referrer", "depth"},
	"parser:parsed":   {"page_type", "links_found", "links_queued", "depth"},
	"indexer:indexed": {"page_type", "canonical_url", "result", "duplicate", "story", "batch_size"},
	"rejected":        {"reason"},
	"robots verdict":  {"host", "allowed"},
	"politeness wait": {"host", "decision", "interval_ms", "wait_ms"},
	"dedup hit":       {"reason"},
}

// checkLogShape parses every line of a log and checks its keys, and that
// the stages named logged their started and stopped lines; it returns
// the lines.
func checkLogShape(t *testing.T, data []byte, startedStages, stoppedStages []string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	started, stopped := map[string]bool{}, map[string]bool{}
	for i, raw := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var l map[string]any
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("line %d is not JSON: %s", i+1, raw)
		}
		lines = append(lines, l)
		for _, k := range []string{"level", "ts", "msg"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line %d lacks %s: %s", i+1, k, raw)
			}
		}
		svc, stage := str(l["service"]), str(l["stage"])
		if svc == "" && stage == "" {
			t.Errorf("line %d names neither service nor stage: %s", i+1, raw)
		}
		if svc != "" && svc == stage {
			t.Errorf("line %d: service and stage repeat each other: %s", i+1, raw)
		}
		msg := str(l["msg"])
		switch msg {
		case "started":
			started[stage] = true
		case "stopped":
			stopped[stage] = true
		}
		if _, ok := l["outcome"]; ok {
			// A line about one message.
			for _, k := range []string{"stage", "outcome", "url", "trace_id", "attempt", "took_ms"} {
				if _, ok := l[k]; !ok {
					t.Errorf("line %d (%s) lacks %s: %s", i+1, msg, k, raw)
				}
			}
			if _, ok := l["took_ms"].(float64); !ok {
				t.Errorf("line %d: took_ms is not a number: %s", i+1, raw)
			}
			if str(l["trace_id"]) == "" {
				t.Errorf("line %d: no trace id: %s", i+1, raw)
			}
		}
		if l["level"] == "debug" {
			for _, k := range []string{"stage", "url", "trace_id"} {
				if _, ok := l[k]; !ok {
					t.Errorf("debug line %d lacks %s: %s", i+1, k, raw)
				}
			}
		}
		kind := msg
		if stage != "" && (msg == "fetched" || msg == "parsed" || msg == "indexed") {
			kind = stage + ":" + msg
		}
		for _, k := range lineKeys[kind] {
			if _, ok := l[k]; !ok {
				t.Errorf("line %d (%s) lacks %s: %s", i+1, kind, k, raw)
			}
		}
	}
	for _, stage := range startedStages {
		if !started[stage] {
			t.Errorf("stage %s logged no started line", stage)
		}
	}
	for _, stage := range stoppedStages {
		if !stopped[stage] {
			t.Errorf("stage %s logged no stopped line", stage)
		}
	}
	return lines
}
