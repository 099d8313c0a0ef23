package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMuxHealthReadyMetrics(t *testing.T) {
	storeErr := errors.New("store down")
	var failing bool
	reg := NewRegistry()
	srv := httptest.NewServer(Mux(reg, map[string]Check{
		"store": func(context.Context) error {
			if failing {
				return storeErr
			}
			return nil
		},
	}))
	defer srv.Close()

	if err := Probe(t.Context(), srv.URL+"/healthz"); err != nil {
		t.Fatal(err)
	}
	if err := Probe(t.Context(), srv.URL+"/readyz"); err != nil {
		t.Fatalf("ready while the store is up: %v", err)
	}
	failing = true
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "store down") {
		t.Errorf("readyz with the store down: %d %s", resp.StatusCode, body)
	}
	if err := Probe(t.Context(), srv.URL+"/readyz"); err == nil {
		t.Error("Probe of a failing readyz: want an error")
	}
	resp, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "go_goroutines") {
		t.Error("metrics lack the Go collector")
	}
}
