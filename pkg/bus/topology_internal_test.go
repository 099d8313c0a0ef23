package bus

import (
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestStreamDrift(t *testing.T) {
	want := jetstream.StreamConfig{
		Name: "PAGES", Description: "pages", Subjects: []string{"a", "b"}, Retention: jetstream.LimitsPolicy,
		MaxAge: time.Hour, Duplicates: time.Minute, Replicas: 1, Compression: jetstream.S2Compression,
	}
	// What a server reports for want: "no limit" as -1.
	stored := want
	stored.Subjects = []string{"b", "a"}
	stored.MaxMsgs, stored.MaxMsgSize, stored.MaxBytes = -1, -1, -1
	tests := []struct {
		name   string
		change func(*jetstream.StreamConfig)
		f      Features
		want   []string
	}{
		{name: "as stored", change: func(*jetstream.StreamConfig) {}, f: Features{Compression: true}},
		{name: "max age", change: func(c *jetstream.StreamConfig) { c.MaxAge = 2 * time.Hour }, want: []string{"max_age"}},
		{name: "replicas and subjects", change: func(c *jetstream.StreamConfig) { c.Replicas, c.Subjects = 3, []string{"a"} }, want: []string{"subjects", "replicas"}},
		{name: "compression on a server with it", change: func(c *jetstream.StreamConfig) { c.Compression = jetstream.NoCompression }, f: Features{Compression: true}, want: []string{"compression"}},
		{name: "compression on a 2.9 server", change: func(c *jetstream.StreamConfig) { c.Compression = jetstream.NoCompression }},
		{name: "a limit", change: func(c *jetstream.StreamConfig) { c.MaxMsgs = 10 }, want: []string{"max_msgs"}},
		{name: "a size limit", change: func(c *jetstream.StreamConfig) { c.MaxBytes = 1 << 30 }, want: []string{"max_bytes"}},
	}
	for _, tt := range tests {
		have := stored
		tt.change(&have)
		if got := streamDrift(want, have, tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%s: drift %v, want %v", tt.name, got, tt.want)
		}
	}
}
