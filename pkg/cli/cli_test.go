package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"
)

type cfg struct{ level, greeting string }

func testService(ran *string) Service[cfg] {
	return Service[cfg]{
		Name: "demo",
		Load: func(args []string, getenv func(string) string) (cfg, error) {
			fs := flag.NewFlagSet("demo", flag.ContinueOnError)
			fs.SetOutput(&bytes.Buffer{})
			c := cfg{}
			fs.StringVar(&c.level, "log-level", getenv("LOG_LEVEL"), "")
			fs.StringVar(&c.greeting, "greeting", "hello", "")
			return c, fs.Parse(args)
		},
		LogLevel: func(c cfg) string { return c.level },
		Run: func(ctx context.Context, c cfg, log *zap.Logger) error {
			log.Info("ran", zap.String("greeting", c.greeting))
			*ran = c.greeting
			return nil
		},
	}
}

func TestRun(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer down.Close()
	env := func(k string) string { return map[string]string{"LOG_LEVEL": "info"}[k] }

	tests := []struct {
		name    string
		args    []string
		wantRan string
		wantErr string
		wantLog string
	}{
		{name: "runs with its config and a JSON logger", args: []string{"-greeting", "hi"}, wantRan: "hi", wantLog: `"service":"demo"`},
		{name: "help", args: []string{"-h"}, wantErr: flag.ErrHelp.Error()},
		{name: "bad flag", args: []string{"-nope"}, wantErr: "not defined"},
		{name: "healthcheck ok", args: []string{"healthcheck", ok.URL}},
		{name: "healthcheck failing", args: []string{"healthcheck", down.URL}, wantErr: "503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran string
			var logs bytes.Buffer
			err := Run(t.Context(), testService(&ran), tt.args, env, &logs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.name == "help" && !errors.Is(err, flag.ErrHelp) {
					t.Errorf("-h: err = %v, want flag.ErrHelp (exit 0)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ran != tt.wantRan || !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("ran %q, logs %s", ran, logs.String())
			}
		})
	}
}
