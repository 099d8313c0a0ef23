package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testVersion is the version linked into the binary the tests build.
const testVersion = "v9.9.9-test"

// buildCLI builds newsflow into a test directory, with testVersion set at
// link time as a release build would.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "newsflow")
	out, err := exec.Command("go", "build", "-ldflags", "-X github.com/newsflow/newsflow/pkg/buildinfo.Version="+testVersion, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build newsflow: %v\n%s", err, out)
	}
	return bin
}

// TestBinary runs the built binary as an operator would.
func TestBinary(t *testing.T) {
	bin := buildCLI(t)
	t.Run("exit status", func(t *testing.T) { testExitStatus(t, bin) })
	t.Run("SIGTERM", func(t *testing.T) { testSIGTERM(t, bin) })
}

// cliResult is how a newsflow process ended.
type cliResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runBinary runs the built newsflow with args and extra environment.
func runBinary(t *testing.T, bin string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := cliResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// testExitStatus checks exit statuses, the 5-second limit against a dead
// server, and the version set at link time.
func testExitStatus(t *testing.T, bin string) {
	dead := deadURL(t)
	noNATS := []string{"NATS_URL=" + dead}
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		wantOut  string // in stdout
		wantErr  string // in stderr
	}{
		{name: "submit, dead server", env: noNATS, args: []string{"submit", "https://news.example/"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "submit, dead server by flag", args: []string{"submit", "--nats-url", dead, "https://news.example/"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "ledger, dead server", env: noNATS, args: []string{"ledger"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "sources list, dead server", env: noNATS, args: []string{"sources", "list"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "deadletters list, dead server", env: noNATS, args: []string{"deadletters", "list"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "reparse, dead server", env: noNATS, args: []string{"reparse"}, wantCode: 1, wantErr: strings.TrimPrefix(dead, "nats://")},
		{name: "sources -h", env: noNATS, args: []string{"sources", "-h"}, wantOut: "a parser queues"},
		{name: "deadletters -h", env: noNATS, args: []string{"deadletters", "-h"}, wantOut: "Usage"},
		{name: "ledger -h", env: noNATS, args: []string{"ledger", "-h"}, wantOut: "-nats-url"},
		{name: "submit -h", env: noNATS, args: []string{"submit", "-h"}, wantOut: "-timeout"},
		{name: "extract missing.html", args: []string{"extract", filepath.Join(t.TempDir(), "missing.html")}, wantCode: 1, wantOut: `"error"`},
		{name: "reparse extra-arg", env: noNATS, args: []string{"reparse", "extra-arg"}, wantCode: 1, wantErr: "extra-arg"},
		{name: "search -limit after the query, dead indexer", env: []string{"NEWSFLOW_API=http://" + freeAddr(t)}, args: []string{"search", "election", "-limit", "2"}, wantCode: 1, wantErr: "is the indexer running"},
		{name: "-version", args: []string{"-version"}, wantOut: "newsflow " + testVersion},
		{name: "version", args: []string{"version"}, wantOut: "newsflow " + testVersion},
		{name: "version --json", args: []string{"version", "--json"}, wantOut: `"version":"` + testVersion + `"`},
		{name: "up, address taken: a JSON fatal line", args: []string{"up", "--data", t.TempDir(), "--nats-addr", "127.0.0.1:0", "--fetcher-addr", "off", "--parser-addr", "off", "--log", "-", "--addr", "256.0.0.1:1"},
			wantCode: 1, wantErr: `{"level":"fatal",`},
		{name: "no command", args: nil, wantCode: 1, wantErr: "Usage"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 1, wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBinary(t, bin, tt.env, tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.wantOut) || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", r.stdout, tt.wantOut, r.stderr, tt.wantErr)
			}
			// The bound for a dead server, process start included.
			if r.took > 5*time.Second {
				t.Errorf("took %v, want under 5s", r.took)
			}
		})
	}
}

// testSIGTERM stops a command waiting on a server that never answers
// (with a timeout of a minute) with SIGTERM: it exits at once, non-zero.
func testSIGTERM(t *testing.T, bin string) {
	silent := silentServer(t)
	for _, args := range [][]string{
		{"ledger", "--api", ""},
		{"submit", "https://news.example/"},
		{"deadletters", "list"},
	} {
		t.Run(args[0], func(t *testing.T) {
			cmd := exec.Command(bin, append(args, "--nats-url", silent.url(), "--timeout", "1m")...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(errb.String(), "interrupted") {
					t.Errorf("after SIGTERM: %v, stderr %q; want exit status 1, interrupted", err, errb.String())
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatal("still running 10s after SIGTERM")
			}
		})
	}
}
