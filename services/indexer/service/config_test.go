package service

import (
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(Config) bool
		wantErr bool
	}{
		{name: "defaults", want: func(c Config) bool {
			return c.Store == "newsflow.db" && c.BatchSize == 100 && c.BatchWait == 250*time.Millisecond &&
				c.Common.HTTPAddr == ":8080" && c.Common.NATS.URL == "nats://127.0.0.1:4222" && c.Common.NATS.Name == "indexer"
		}},
		{name: "env", env: map[string]string{"INDEXER_STORE": "postgres://u@db/news", "INDEXER_BATCH_SIZE": "500",
			"INDEXER_BATCH_WAIT": "1s", "HTTP_ADDR": "127.0.0.1:9000", "NATS_URL": "nats://n:4222"},
			want: func(c Config) bool {
				return c.Store == "postgres://u@db/news" && c.BatchSize == 500 && c.BatchWait == time.Second &&
					c.Common.HTTPAddr == "127.0.0.1:9000" && c.Common.NATS.URL == "nats://n:4222"
			}},
		{name: "flags beat env", args: []string{"-store", "/data/x.db", "-batch-size", "1", "-http-addr", ""},
			env:  map[string]string{"INDEXER_STORE": "other.db", "INDEXER_BATCH_SIZE": "50"},
			want: func(c Config) bool { return c.Store == "/data/x.db" && c.BatchSize == 1 && c.Common.HTTPAddr == "" }},
		{name: "batch too big", args: []string{"-batch-size", "5000"}, wantErr: true},
		{name: "batch zero", env: map[string]string{"INDEXER_BATCH_SIZE": "0"}, wantErr: true},
		{name: "batch not a number", env: map[string]string{"INDEXER_BATCH_SIZE": "lots"}, wantErr: true},
		{name: "bad wait", env: map[string]string{"INDEXER_BATCH_WAIT": "soon"}, wantErr: true},
		{name: "empty store", args: []string{"-store", ""}, wantErr: true},
		{name: "bad log level", env: map[string]string{"LOG_LEVEL": "loud"}, wantErr: true},
		{name: "stray argument", args: []string{"extra"}, wantErr: true},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadConfig(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr {
				if err == nil {
					t.Errorf("LoadConfig = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if !tt.want(got) {
				t.Errorf("LoadConfig = %+v", got)
			}
		})
	}
}

func TestDefaultConfigIsWhatLoadConfigGives(t *testing.T) {
	cfg, err := LoadConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if d := DefaultConfig(); cfg != d {
		t.Errorf("LoadConfig with no flags and no environment:\n%+v\nDefaultConfig:\n%+v", cfg, d)
	}
}
