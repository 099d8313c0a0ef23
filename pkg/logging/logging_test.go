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
	log.Info("fetched", zap.String(KeyTraceID, "abc"), zap.Float64(KeyTookMS, 1500))
	_ = log.Sync()

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (debug must be filtered): %s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	for key, want := range map[string]any{"service": "fetcher", "msg": "fetched", "level": "info", "trace_id": "abc", "took_ms": 1500.0} {
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

// TestServiceAndStageDoNotRepeat: a line of the fetcher binary's fetcher
// stage says stage once; a stage of another name, in the all-in-one
// process, keeps both.
func TestServiceAndStageDoNotRepeat(t *testing.T) {
	tests := []struct {
		service, stage string
		want           map[string]any
	}{
		{service: "fetcher", stage: "fetcher", want: map[string]any{"stage": "fetcher"}},
		{service: "newsflow", stage: "parser", want: map[string]any{"service": "newsflow", "stage": "parser"}},
		{service: "indexer", want: map[string]any{"service": "indexer"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log, err := NewTo(&buf, tt.service, "info")
		if err != nil {
			t.Fatal(err)
		}
		if tt.stage != "" {
			log = log.With(zap.String(KeyStage, tt.stage))
		}
		log.With(zap.String(KeyURL, "https://a.example/")).Info("fetched")
		var got map[string]any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("not JSON: %v: %s", err, buf.Bytes())
		}
		for _, key := range []string{"service", "stage"} {
			if got[key] != tt.want[key] {
				t.Errorf("%s/%s: %s = %v, want %v (line %s)", tt.service, tt.stage, key, got[key], tt.want[key], buf.Bytes())
			}
		}
		if got["url"] != "https://a.example/" {
			t.Errorf("url lost: %s", buf.Bytes())
		}
	}
}
