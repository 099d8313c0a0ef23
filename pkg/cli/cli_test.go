package cli

import (
	"bytes"
	"encoding/json"
	"errors"
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
