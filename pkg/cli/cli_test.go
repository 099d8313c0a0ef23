package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestFatalIsOneJSONLine(t *testing.T) {
	var buf bytes.Buffer
	Fatal(&buf, "parser", errors.New("listen :8082: address already in use"))
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1: %s", len(lines), buf.Bytes())
	}
	var got map[string]any
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	if _, ok := got["stacktrace"]; ok {
		t.Errorf("the line carries a stack trace: %s", lines[0])
	}
	for key, want := range map[string]any{"level": "fatal", "msg": "exit", "service": "parser", "error": "listen :8082: address already in use"} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
}

// TestVersion: -version, --version and version print one line naming the
// service; anything else is left to the service.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"-version"}, {"--version"}, {"version"}} {
		var buf bytes.Buffer
		if !Version(&buf, "parser", args) {
			t.Errorf("%v: not taken as a version request", args)
		}
		if out := buf.String(); !strings.HasPrefix(out, "parser ") || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %q", args, out)
		}
	}
	for _, args := range [][]string{nil, {"-h"}, {"-version", "x"}, {"-nats-url", "version"}} {
		if Version(&bytes.Buffer{}, "parser", args) {
			t.Errorf("%v: taken as a version request", args)
		}
	}
}
