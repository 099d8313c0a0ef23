package service

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
)

// TestRunFailsWhenItsAddressIsTaken: the parser used to log the listen
// error and return nil (exit 0) when HTTP_ADDR was taken.
func TestRunFailsWhenItsAddressIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s := bustest.Server(t)
	env := map[string]string{"NATS_URL": s.ClientURL(), "HTTP_ADDR": taken.Addr().String(), "PARSER_SOURCES_POLL": "0"}
	cfg, err := LoadConfig(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err = Run(ctx, cfg, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Run on a taken address = %v, want a listen error", err)
	}
	if ctx.Err() != nil {
		t.Error("Run returned only at the deadline")
	}
}

// TestHTTPStopsWithTheStage: the parser's HTTP server lives on the run
// context: it answers while the stage runs and is gone when Run returns.
func TestHTTPStopsWithTheStage(t *testing.T) {
	s := bustest.Server(t)
	env := map[string]string{"NATS_URL": s.ClientURL(), "HTTP_ADDR": "127.0.0.1:0", "PARSER_SOURCES_POLL": "0"}
	cfg, err := LoadConfig(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	// Port 0 picks a free port; find it from a probe listener first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Common.HTTPAddr = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, zap.NewNop()) }()
	url := "http://" + cfg.Common.HTTPAddr + "/healthz"
	waitFor(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("/healthz still answers %d after Run returned", resp.StatusCode)
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
