package bus

import (
	"math"
	"time"

	"go.uber.org/zap"
)

// Keys of the runners' per-message log lines. Every line about a message
// has outcome, url, trace_id, attempt and took_ms (and stage, from the
// runner's logger), then the stage's own fields.
const (
	keyOutcome = "outcome"
	keyURL     = "url"
	keyTraceID = "trace_id"
	keyAttempt = "attempt"
	keyTookMS  = "took_ms"
)

// line returns the fields of the one log line about m.
func line[In any](m *delivered[In], outcome string, extra ...zap.Field) []zap.Field {
	f := make([]zap.Field, 0, 5+len(m.meta.Fields)+len(extra))
	f = append(f,
		zap.String(keyOutcome, outcome),
		zap.String(keyURL, m.meta.URL),
		zap.String(keyTraceID, m.traceID),
		zap.Int(keyAttempt, m.attempt),
		tookMS(time.Since(m.start)),
	)
	f = append(f, m.meta.Fields...)
	return append(f, extra...)
}

// tookMS is a duration as a number of milliseconds, to two decimals.
func tookMS(d time.Duration) zap.Field {
	return zap.Float64(keyTookMS, math.Round(float64(d)/float64(time.Millisecond)*100)/100)
}
