package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/buildinfo"
	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/schema"
)

// listener is a TCP server that counts the connections it accepts and
// never answers: a NATS server that should not be contacted, or one that
// hangs.
type listener struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
}

func silentServer(t *testing.T) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			l.mu.Lock()
			l.conns = append(l.conns, c)
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, c := range l.conns {
			c.Close()
		}
	})
	return l
}

func (l *listener) url() string { return "nats://" + l.ln.Addr().String() }

// deadURL is the address of a port nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	return "nats://" + freeAddr(t)
}

// runCLI runs `newsflow args...` in-process, as main does.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// exitsZero says whether main would exit 0 on err.
func exitsZero(err error) bool { return err == nil || errors.Is(err, flag.ErrHelp) }

// TestHelpExitsZeroWithoutConnecting asks every command and subcommand for
// help, with NATS_URL pointing at a server that records connections: each
// prints its usage on stdout, exits 0 and contacts nobody.
func TestHelpExitsZeroWithoutConnecting(t *testing.T) {
	nats := silentServer(t)
	t.Setenv("NATS_URL", nats.url())
	t.Setenv("NEWSFLOW_API", "http://"+nats.ln.Addr().String())
	tests := [][]string{
		{"-h"}, {"--help"}, {"help"}, {"help", "ledger"},
		{"up", "-h"}, {"demo-site", "-h"}, {"eval", "-h"}, {"version", "-h"}, {"setup", "-h"}, {"setup", "--help"},
		{"up", "--demo", "-h"},
		{"submit", "-h"}, {"submit", "--help"}, {"submit", "https://news.example/", "-h"},
		{"search", "-h"}, {"search", "election", "-help"},
		{"extract", "-h"},
		{"ledger", "-h"},
		{"reparse", "-h"},
		{"sources", "-h"}, {"sources", "--help"}, {"sources", "help"},
		{"sources", "list", "-h"}, {"sources", "add", "-h"}, {"sources", "remove", "https://x.example/", "-h"},
		{"deadletters", "-h"}, {"deadletters", "help"},
		{"deadletters", "list", "-h"}, {"deadletters", "retry", "-h"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, err := runCLI(t, "", args...)
			if !exitsZero(err) {
				t.Errorf("exit status 1: %v", err)
			}
			if !strings.Contains(stdout, "Usage") && !strings.Contains(stdout, "usage") {
				t.Errorf("no usage on stdout:\n%s", stdout)
			}
			if stderr != "" {
				t.Errorf("help wrote to stderr:\n%s", stderr)
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // let a stray connection be accepted
	if n := nats.accepted.Load(); n != 0 {
		t.Errorf("%d connections while printing help", n)
	}
}

// TestHelpTexts checks what the help says: the services' NATS flag names
// (not the old ones), -timeout, and that the parsers re-poll sources.
func TestHelpTexts(t *testing.T) {
	for _, cmd := range [][]string{{"submit"}, {"ledger"}, {"sources", "list"}, {"deadletters", "list"}, {"reparse"}} {
		stdout, _, err := runCLI(t, "", append(cmd, "-h")...)
		if !exitsZero(err) {
			t.Fatal(err)
		}
		for _, want := range []string{"-nats-url", "-nats-user", "-nats-password", "-nats-creds", "NATS_URL", "-timeout"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v -h lacks %s:\n%s", cmd, want, stdout)
			}
		}
		for _, old := range []string{"\n  -nats string", "\n  -user ", "\n  -password "} {
			if strings.Contains(stdout, old) {
				t.Errorf("%v -h still documents the old flag %q", cmd, strings.TrimSpace(old))
			}
		}
	}
	stdout, _, _ := runCLI(t, "", "sources", "-h")
	if text := strings.Join(strings.Fields(stdout), " "); !strings.Contains(text, "a parser queues it") || strings.Contains(text, "polled by the fetcher") {
		t.Errorf("sources -h must say the parsers re-poll sources:\n%s", stdout)
	}
	stdout, _, _ = runCLI(t, "", "-h")
	if !strings.Contains(stdout, "the parsers re-poll") || !strings.Contains(stdout, "version") {
		t.Errorf("newsflow -h:\n%s", stdout)
	}
}

// TestFailFast runs every cluster command against a port nobody listens on
// and against a server that accepts but never answers: each fails with an
// error naming the server, in about its timeout, not after 30 s of retries.
func TestFailFast(t *testing.T) {
	dead, silent := deadURL(t), silentServer(t).url()
	commands := [][]string{
		{"submit", "https://news.example/"},
		{"ledger", "--api", ""},
		{"sources", "list"},
		{"deadletters", "list"},
		{"reparse", "--dry-run"},
	}
	for _, server := range []string{dead, silent} {
		for _, cmd := range commands {
			t.Run(strings.Join(cmd, " ")+" "+server, func(t *testing.T) {
				start := time.Now()
				_, _, err := runCLI(t, "", append(cmd, "--nats-url", server, "--timeout", "500ms")...)
				took := time.Since(start)
				if err == nil {
					t.Fatal("succeeded against no server")
				}
				if !strings.Contains(err.Error(), strings.TrimPrefix(server, "nats://")) {
					t.Errorf("error %q does not name the server %s", err, server)
				}
				// One 500 ms attempt; the old retry loop took 29 s. The
				// bound is loose on purpose: the machine may be busy.
				if took > 5*time.Second {
					t.Errorf("took %v to give up", took)
				}
			})
		}
	}
}

// TestStrayArguments rejects arguments a command does not take, before
// connecting to anything.
func TestStrayArguments(t *testing.T) {
	nats := silentServer(t)
	tests := [][]string{
		{"ledger", "extra"},
		{"reparse", "extra-arg"},
		{"reparse", "--dry-run", "extra-arg"},
		{"sources", "list", "extra"},
		{"sources", "add", "https://a.example/feed", "https://b.example/feed"},
		{"sources", "remove"},
		{"sources", "frobnicate"},
		{"deadletters", "list", "extra"},
		{"deadletters", "retry"},
		{"deadletters", "retry", "12", "--all"},
		{"deadletters", "retry", "twelve"},
		{"deadletters", "frobnicate"},
		{"version", "extra"},
		{"setup", "extra"},
		{"demo-site", "extra"},
		{"eval", "extra"},
		{"up", "--bogus"},
		{"submit"},
		{"submit", "not a url"},
		{"search"},
		{"submit", "--timeout", "0", "https://news.example/"},
		{"submit", "--bogus", "https://news.example/"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := runCLI(t, "", append(args, "--nats-url", nats.url())...)
			if exitsZero(err) {
				t.Errorf("exit status 0, want an error")
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if n := nats.accepted.Load(); n != 0 {
		t.Errorf("%d connections for commands that should have failed first", n)
	}
}

// TestExtractExitStatus: a file that cannot be read fails the run.
func TestExtractExitStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "story.html")
	if err := os.WriteFile(good, []byte(storyPage), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", "extract", good); err != nil {
		t.Errorf("extract of a good file: %v", err)
	}
	stdout, _, err := runCLI(t, "", "extract", filepath.Join(dir, "missing.html"))
	if exitsZero(err) {
		t.Error("extract missing.html: exit status 0")
	}
	if !strings.Contains(stdout, `"error"`) {
		t.Errorf("no error line for the missing file:\n%s", stdout)
	}
	// Flags after the files.
	stdout, _, err = runCLI(t, "", "extract", good, "--url", "https://coast.example/news/harbour")
	if err != nil || !strings.Contains(stdout, `"url":"https://coast.example/news/harbour"`) {
		t.Errorf("extract FILE --url: %v\n%s", err, stdout)
	}
}

// TestSearchFlagsAnywhere checks that flags after the query words are read
// as flags, that -- passes excluded words, and that an unknown -word says
// how to search for it.
func TestSearchFlagsAnywhere(t *testing.T) {
	var mu sync.Mutex
	var got url.Values
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"total":1,"results":[{"url":"https://news.example/a","title":"Election day","snippet":"the <mark>election</mark>"}]}`))
	}))
	defer api.Close()
	tests := []struct {
		args      []string
		wantQ     string
		wantLimit string
	}{
		{args: []string{"election", "-limit", "2"}, wantQ: "election", wantLimit: "2"},
		{args: []string{"-limit", "3", "harbour", "wall"}, wantQ: "harbour wall", wantLimit: "3"},
		{args: []string{"harbour", "--limit=4", "wall"}, wantQ: "harbour wall", wantLimit: "4"},
		{args: []string{"-limit", "5", "--", "election", "-sports"}, wantQ: "election -sports", wantLimit: "5"},
	}
	for _, tt := range tests {
		args := append([]string{"search", "--api", api.URL}, tt.args...)
		stdout, _, err := runCLI(t, "", args...)
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		mu.Lock()
		if got.Get("q") != tt.wantQ || got.Get("limit") != tt.wantLimit {
			t.Errorf("%v: asked q=%q limit=%q, want q=%q limit=%q", tt.args, got.Get("q"), got.Get("limit"), tt.wantQ, tt.wantLimit)
		}
		mu.Unlock()
		if !strings.Contains(stdout, "Election day") {
			t.Errorf("%v: output %q", tt.args, stdout)
		}
	}
	_, _, err := runCLI(t, "", "search", "--api", api.URL, "election", "-sports")
	if err == nil || !strings.Contains(err.Error(), "--") {
		t.Errorf("search election -sports: %v, want an error saying to use --", err)
	}
	// --json prints the API's answer as it is.
	stdout, _, err := runCLI(t, "", "search", "election", "--json", "--api", api.URL)
	var res struct{ Total int }
	if err != nil || json.Unmarshal([]byte(stdout), &res) != nil || res.Total != 1 {
		t.Errorf("search --json: %v\n%s", err, stdout)
	}
	// An indexer that does not answer: an error within the timeout.
	hang := silentServer(t)
	_, _, err = runCLI(t, "", "search", "--api", "http://"+hang.ln.Addr().String(), "--timeout", "300ms", "election")
	if err == nil || !strings.Contains(err.Error(), hang.ln.Addr().String()) {
		t.Errorf("search against a silent indexer: %v", err)
	}
}

// TestParseFlags checks the shared flag parsing on its own.
func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		give    []string
		wantPos []string
		wantURL string
		wantN   int
		wantB   bool
	}{
		{name: "flags first", give: []string{"-n", "2", "a", "b"}, wantPos: []string{"a", "b"}, wantN: 2},
		{name: "flags last", give: []string{"a", "b", "-n", "2", "-b"}, wantPos: []string{"a", "b"}, wantN: 2, wantB: true},
		{name: "between", give: []string{"a", "--n=3", "b"}, wantPos: []string{"a", "b"}, wantN: 3},
		{name: "double dash ends flags", give: []string{"a", "--", "-n", "4"}, wantPos: []string{"a", "-n", "4"}},
		{name: "stdin dash is positional", give: []string{"-", "-b"}, wantPos: []string{"-"}, wantB: true},
		{name: "new NATS names", give: []string{"-nats-url", "nats://x:1", "a"}, wantPos: []string{"a"}, wantURL: "nats://x:1"},
		{name: "old alias", give: []string{"a", "--nats", "nats://y:2"}, wantPos: []string{"a"}, wantURL: "nats://y:2"},
		{name: "old alias with =", give: []string{"-nats=nats://z:3"}, wantURL: "nats://z:3"},
		{name: "a value that looks like an alias stays a value", give: []string{"-nats-password", "-user", "a"}, wantPos: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			conn := natsFlags(fs, "test")
			n := fs.Int("n", 0, "")
			b := fs.Bool("b", false, "")
			pos, err := parseFlags(fs, tt.give, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.wantPos) || *n != tt.wantN || *b != tt.wantB {
				t.Errorf("pos %q n %d b %v, want %q %d %v", pos, *n, *b, tt.wantPos, tt.wantN, tt.wantB)
			}
			if tt.wantURL != "" && conn.URL != tt.wantURL {
				t.Errorf("nats url %q, want %q", conn.URL, tt.wantURL)
			}
			if tt.name == "a value that looks like an alias stays a value" && conn.Password != "-user" {
				t.Errorf("password %q, want -user", conn.Password)
			}
		})
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.Int("n", 0, "")
	if _, err := parseFlags(fs, []string{"a", "-x"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-x") || !strings.Contains(err.Error(), "newsflow test -h") {
		t.Errorf("unknown flag: %v", err)
	}
}

// authServer starts a JetStream server that requires a user and password.
func passwordServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir(),
		Users: []*server.User{{Username: "admin", Password: "s3cret"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// TestNATSFlagNames submits through a server that requires a password,
// with the services' flag names, their environment variables and the old
// names, and checks that a wrong password is refused at once.
func TestNATSFlagNames(t *testing.T) {
	s := passwordServer(t)
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("admin", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "services' flags", args: []string{"-nats-url", s.ClientURL(), "-nats-user", "admin", "-nats-password", "s3cret"}},
		{name: "double dashes after the URL", args: []string{"--nats-url=" + s.ClientURL(), "--nats-user=admin", "--nats-password=s3cret"}},
		{name: "environment", env: map[string]string{"NATS_URL": s.ClientURL(), "NATS_USER": "admin", "NATS_PASSWORD": "s3cret"}},
		{name: "old names", args: []string{"--nats", s.ClientURL(), "--user", "admin", "--password", "s3cret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"submit", "https://news.example/" + strings.ReplaceAll(tt.name, " ", "-")}, tt.args...)
			stdout, _, err := runCLI(t, "", args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout, "https://news.example/") {
				t.Errorf("submit printed %q", stdout)
			}
		})
	}
	_, _, err = runCLI(t, "", "submit", "https://news.example/", "-nats-url", s.ClientURL(), "-nats-user", "admin", "-nats-password", "wrong")
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Errorf("wrong password: %v", err)
	}
}

// TestSubmitJSON checks submit's JSON lines and that every URL went out.
func TestSubmitJSON(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "https://a.example/\n# a comment\nhttps://b.example/\n", "submit", "-", "--json", "--nats-url", s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r struct {
			TraceID string `json:"trace_id"`
			URL     string `json:"url"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.TraceID == "" {
			t.Fatalf("line %q: %v", line, err)
		}
		urls = append(urls, r.URL)
	}
	if !slices.Equal(urls, []string{"https://a.example/", "https://b.example/"}) {
		t.Errorf("submitted %v", urls)
	}
	if got := streamLast(t, js, schema.StreamCrawl); got != 2 {
		t.Errorf("crawl.urls has %d messages, want 2", got)
	}
	// One bad URL: nothing is published.
	if _, _, err := runCLI(t, "", "submit", "https://c.example/", "ftp://bad.example/", "--nats-url", s.ClientURL()); err == nil {
		t.Error("a bad URL was accepted")
	}
	if got := streamLast(t, js, schema.StreamCrawl); got != 2 {
		t.Errorf("crawl.urls has %d messages after a rejected batch, want 2", got)
	}
}

// TestVersion checks `newsflow version`, -version and --json.
func TestVersion(t *testing.T) {
	want := buildinfo.Read()
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		stdout, _, err := runCLI(t, "", args...)
		if err != nil || stdout != "newsflow "+want.String()+"\n" {
			t.Errorf("%v: %q, %v; want newsflow %s", args, stdout, err, want)
		}
	}
	stdout, _, err := runCLI(t, "", "version", "--json")
	var got buildinfo.Info
	if err != nil || json.Unmarshal([]byte(stdout), &got) != nil || got != want {
		t.Errorf("version --json: %q, %v; want %+v", stdout, err, want)
	}
}

// TestUntilDone: a command stuck in something that takes no context
// returns as soon as the context is cancelled.
func TestUntilDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	release := make(chan struct{})
	defer close(release)
	errc := make(chan error, 1)
	go func() { errc <- untilDone(ctx, func() error { <-release; return nil }) }()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, errInterrupted) {
			t.Errorf("err = %v, want errInterrupted", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("untilDone did not return after cancel")
	}
	if err := untilDone(t.Context(), func() error { return errors.New("boom") }); err == nil || err.Error() != "boom" {
		t.Errorf("untilDone lost the command's error: %v", err)
	}
}

// TestCLIReparseJSON: reparse --json prints one object, its window as a
// duration string.
func TestCLIReparseJSON(t *testing.T) {
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "", "reparse", "--dry-run", "--since", "90m", "--json", "--nats-url", s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if got["since"] != "1h30m0s" || got["dry_run"] != true || got["sent"] != float64(0) || got["expired"] != float64(0) {
		t.Errorf("reparse --json = %s", stdout)
	}
}
