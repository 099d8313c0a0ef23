package cli

import "runtime/debug"

// GC is a binary's own default for the garbage collector, chosen by
// measurement (docs/PERFORMANCE.md, "GOGC and GOMEMLIMIT"). The
// environment wins: GOGC or GOMEMLIMIT set, even to Go's default, leaves
// that setting to the runtime, which has already read it.
type GC struct {
	// Percent is the GOGC default; 0 keeps Go's (100).
	Percent int
	// MemoryLimit is the GOMEMLIMIT default in bytes; 0 keeps Go's (none).
	// It caps the heap growth Percent allows, so one huge input cannot
	// take a process past its memory budget.
	MemoryLimit int64
}

// ApplyGC sets gc's defaults that getenv leaves unset, and returns the
// GOGC percentage and memory limit in force afterwards.
func ApplyGC(gc GC, getenv func(string) string) (percent int, limit int64) {
	if gc.Percent > 0 && getenv("GOGC") == "" {
		debug.SetGCPercent(gc.Percent)
	}
	if gc.MemoryLimit > 0 && getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gc.MemoryLimit)
	}
	percent = debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}
