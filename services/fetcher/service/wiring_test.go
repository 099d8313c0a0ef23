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

// TestBadRequestsAreRejectedOnce: three payloads that are not crawl
// requests end as three invalid outcomes and three dead letters, each
// terminated once. On nats-server before 2.10.4, which ignores a
// terminate with a reason, they used to come back every AckWait until
// MaxDeliver (run with NEWSFLOW_TEST_NATS_SERVER=/usr/sbin/nats-server).
func TestBadRequestsAreRejectedOnce(t *testing.T) {
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	cfg := testConfig(t, func(c *Config) { c.Common.AckWait = 500 * time.Millisecond })
	startFetcher(t, cfg, nc, js, zap.NewNop())
	outcomes := collect(t, js, schema.StreamOutcomes)
	deadLetters := collect(t, js, schema.StreamDeadLetters)
	for _, bad := range []string{"not a url", `{"v":99,"url":"https://news.example/"}`, `{"v":1,"url":"ftp://news.example/"}`} {
		publish(t, js, bad)
	}
	outcomes.wait(t, 3, 10*time.Second)
	time.Sleep(2 * time.Second) // four AckWaits: a redelivery would show by now
	if n := len(outcomes.wait(t, 0, 0)); n != 3 {
		t.Errorf("%d outcomes for 3 bad requests, want 3", n)
	}
	for _, o := range outcomesByURL(t, outcomes.wait(t, 0, 0)) {
		if len(o) != 1 || o[0].Outcome != schema.OutcomeInvalid {
			t.Errorf("outcomes %+v, want one invalid", o)
		}
	}
	if n := len(deadLetters.wait(t, 3, 5*time.Second)); n != 3 {
		t.Errorf("%d dead letters, want 3", n)
	}
	c, err := js.Consumer(t.Context(), schema.StreamCrawl, schema.ConsumerFetcher)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.NumRedelivered != 0 || info.NumAckPending != 0 {
		t.Errorf("fetcher consumer: %d redelivered, %d ack pending; want none", info.NumRedelivered, info.NumAckPending)
	}
}
