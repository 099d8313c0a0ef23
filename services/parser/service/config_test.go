package service

import (
	"runtime"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantDepth int
		wantURL   string
		// wantWorkers is checked when not 0.
		wantWorkers int
		wantErr     string
	}{
		// Two workers more than CPUs: a CPU must not idle while a
		// worker waits for its outputs' stream acks.
		{name: "defaults", wantDepth: 4, wantURL: "nats://127.0.0.1:4222", wantWorkers: runtime.NumCPU() + 2},
		{name: "workers", env: map[string]string{"PARSER_WORKERS": "1"}, wantDepth: 4, wantURL: "nats://127.0.0.1:4222", wantWorkers: 1},
		{name: "env", env: map[string]string{"PARSER_MAX_DEPTH": "2", "NATS_URL": "nats://bus:4222"}, wantDepth: 2, wantURL: "nats://bus:4222"},
		{name: "flag beats env", args: []string{"-max-depth", "7"}, env: map[string]string{"PARSER_MAX_DEPTH": "2"}, wantDepth: 7, wantURL: "nats://127.0.0.1:4222"},
		{name: "bad env", env: map[string]string{"PARSER_MAX_DEPTH": "deep"}, wantErr: "PARSER_MAX_DEPTH"},
		{name: "negative", args: []string{"-max-depth", "-1"}, wantErr: "negative"},
		{name: "deeper than a request may be", args: []string{"-max-depth", "1000"}, wantErr: "less than 1000"},
		{name: "no listing budget", args: []string{"-listing-budget", "0"}, wantErr: "listing-budget"},
		{name: "bad log level", env: map[string]string{"LOG_LEVEL": "loud"}, wantErr: "log-level"},
		{name: "stray args", args: []string{"extra"}, wantErr: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MaxDepth != tt.wantDepth || cfg.Common.NATS.URL != tt.wantURL {
				t.Errorf("depth %d url %s, want %d %s", cfg.MaxDepth, cfg.Common.NATS.URL, tt.wantDepth, tt.wantURL)
			}
			if tt.wantWorkers != 0 && cfg.Workers != tt.wantWorkers {
				t.Errorf("workers %d, want %d", cfg.Workers, tt.wantWorkers)
			}
		})
	}
}
