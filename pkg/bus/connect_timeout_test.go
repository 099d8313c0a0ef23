package bus_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
)

// TestConnectTimeoutFailsFast checks that ConnOptions.Timeout turns the
// services' 30-second connection retry into one bounded attempt, whose
// error names the server: a closed port and a server that accepts but
// never speaks NATS.
func TestConnectTimeoutFailsFast(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "nats://" + closed.Addr().String()
	closed.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, say nothing
		}
	}()
	silentURL := "nats://" + silent.Addr().String()

	for _, url := range []string{closedURL, silentURL} {
		start := time.Now()
		_, _, err := bus.Connect(context.Background(), bus.ConnOptions{URL: url, Timeout: 300 * time.Millisecond}, zap.NewNop())
		took := time.Since(start)
		if err == nil {
			t.Fatalf("connect %s succeeded", url)
		}
		if !strings.Contains(err.Error(), strings.TrimPrefix(url, "nats://")) {
			t.Errorf("error %q does not name the server %s", err, url)
		}
		// Without Timeout Connect retries for about 30 s; one attempt
		// bounded by 300 ms ends far sooner, however loaded the machine.
		if took > 10*time.Second {
			t.Errorf("connect %s took %v: it retried instead of failing fast", url, took)
		}
	}
}
