package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestApplyGC(t *testing.T) {
	origPercent, origLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(origPercent); debug.SetMemoryLimit(origLimit) })
	const noLimit = math.MaxInt64 // GOMEMLIMIT unset
	parser := GC{Percent: 200, MemoryLimit: 120 << 20}
	tests := []struct {
		name        string
		gc          GC
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{name: "defaults applied", gc: parser, wantPercent: 200, wantLimit: 120 << 20},
		{name: "GOGC set wins", gc: parser, env: map[string]string{"GOGC": "100"}, wantPercent: 100, wantLimit: 120 << 20},
		{name: "GOMEMLIMIT set wins", gc: parser, env: map[string]string{"GOMEMLIMIT": "400MiB"}, wantPercent: 200, wantLimit: noLimit},
		{name: "both set", gc: parser, env: map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, wantPercent: 100, wantLimit: noLimit},
		{name: "no defaults", wantPercent: 100, wantLimit: noLimit},
	}
	for _, tt := range tests {
		// What the runtime read from the real environment at start-up.
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(noLimit)
		percent, limit := ApplyGC(tt.gc, func(k string) string { return tt.env[k] })
		if percent != tt.wantPercent || limit != tt.wantLimit {
			t.Errorf("%s: GOGC %d, limit %d; want %d, %d", tt.name, percent, limit, tt.wantPercent, tt.wantLimit)
		}
		if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
			t.Errorf("%s: the runtime's limit is %d, want %d", tt.name, got, tt.wantLimit)
		}
	}
}
