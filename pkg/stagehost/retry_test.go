package stagehost

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
)

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"request timed out", fmt.Errorf("stream CRAWL: %w", context.DeadlineExceeded), true},
		{"nats timeout", nats.ErrTimeout, true},
		{"no responders", fmt.Errorf("create: %w", nats.ErrNoResponders), true},
		{"cluster not ready (503)", &jetstream.APIError{Code: 503, ErrorCode: 10008, Description: "JetStream system temporarily unavailable"}, true},
		{"jetstream off", jetstream.ErrJetStreamNotEnabled, false},
		{"jetstream off for the account", &jetstream.APIError{Code: 503, ErrorCode: jetstream.JSErrCodeJetStreamNotEnabledForAccount}, false},
		{"stream missing", fmt.Errorf("x: %w", bus.ErrStreamMissing), false},
		{"stream missing, its create denied (a timeout)", fmt.Errorf("stream CRAWL: %w, and creating it failed: %w", bus.ErrStreamMissing, context.DeadlineExceeded), false},
		{"stream not updated (its update denied: a timeout)", &bus.NotUpdatedError{Streams: []string{"PAGES"}, Err: context.DeadlineExceeded}, false},
		{"permission", errors.New("nats: permissions violation for publish"), false},
		{"bad request", &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeBadRequest}, false},
	}
	for _, tt := range tests {
		if got := unavailable(tt.err); got != tt.want {
			t.Errorf("%s: unavailable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestUntilAvailable: a step JetStream cannot answer yet is tried again
// until it succeeds; any other failure, and the end of StartupRetry, stop
// the tries.
func TestUntilAvailable(t *testing.T) {
	busy := &jetstream.APIError{Code: 503, ErrorCode: 10008}
	n := 0
	err := untilAvailable(t.Context(), zap.NewNop(), "streams", func() error {
		if n++; n < 3 {
			return busy
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("busy twice, then fine: %v after %d tries, want nil after 3", err, n)
	}

	n = 0
	missing := fmt.Errorf("stream CRAWL: %w", bus.ErrStreamMissing)
	if err := untilAvailable(t.Context(), zap.NewNop(), "streams", func() error { n++; return missing }); !errors.Is(err, bus.ErrStreamMissing) || n != 1 {
		t.Errorf("missing stream: %v after %d tries, want it at once", err, n)
	}

	defer func(d time.Duration) { StartupRetry = d }(StartupRetry)
	StartupRetry = 600 * time.Millisecond
	start := time.Now()
	if err := untilAvailable(t.Context(), zap.NewNop(), "consumer", func() error { return busy }); !errors.As(err, new(*jetstream.APIError)) {
		t.Errorf("always busy: %v, want the last error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("gave up after %v, StartupRetry is %v", took, StartupRetry)
	}
}
