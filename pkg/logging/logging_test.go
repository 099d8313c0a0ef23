package logging

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestNewToWritesJSONWithSharedKeys(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewTo(&buf, "fetcher", "info")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("fetched", zap.String(KeyTraceID, "abc"), zap.Duration(KeyTook, 1500*time.Millisecond))
	_ = log.Sync()

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (debug must be filtered): %s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	for key, want := range map[string]any{"service": "fetcher", "msg": "fetched", "level": "info", "trace_id": "abc", "took": "1.5s"} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, got["ts"].(string)); err != nil {
		t.Errorf("ts is not RFC 3339: %v", got["ts"])
	}
}

func TestNewRejectsUnknownLevel(t *testing.T) {
	if _, err := New("x", "loud"); err == nil {
		t.Fatal("want an error for an unknown level")
	}
}
