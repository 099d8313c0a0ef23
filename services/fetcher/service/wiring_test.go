package service

import (
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestConsumerTakesTheConfiguredAckWait: NATS_ACK_WAIT (or -ack-wait)
// sets the fetcher consumer's AckWait; it used to stay at 30s.
func TestConsumerTakesTheConfiguredAckWait(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
	}{
		{name: "env", env: map[string]string{"NATS_ACK_WAIT": "5s"}, want: 5 * time.Second},
		{name: "flag", args: []string{"-ack-wait", "7s"}, want: 7 * time.Second},
		{name: "default", want: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bustest.Server(t)
			nc, js := bustest.Connect(t, s)
			env := map[string]string{"HTTP_ADDR": "off", "NATS_URL": s.ClientURL()}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := LoadConfig(tt.args, func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			startFetcher(t, cfg, nc, js, zap.NewNop())
			var got time.Duration
			deadline := time.Now().Add(10 * time.Second)
			for got == 0 && time.Now().Before(deadline) {
				if c, err := js.Consumer(t.Context(), schema.StreamCrawl, schema.ConsumerFetcher); err == nil {
					got = c.CachedInfo().Config.AckWait
				}
				time.Sleep(20 * time.Millisecond)
			}
			if got != tt.want {
				t.Errorf("fetcher consumer AckWait = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultConfigIsWhatLoadConfigGives(t *testing.T) {
	cfg, err := LoadConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	if err := d.Validate(); err != nil {
		t.Fatalf("DefaultConfig invalid: %v", err)
	}
	if cfg.Common != d.Common || cfg.HostRate != d.HostRate || cfg.Workers != d.Workers || cfg.MaxBody != d.MaxBody ||
		cfg.InlineMax != d.InlineMax || cfg.SeenTTL != d.SeenTTL || cfg.UserAgent != d.UserAgent || cfg.Timeout != d.Timeout {
		t.Errorf("LoadConfig with no flags and no environment:\n%+v\nDefaultConfig:\n%+v", cfg, d)
	}
}
