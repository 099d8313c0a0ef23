package bus

import (
	"context"

	"github.com/nats-io/nuid"
)

type traceKey struct{}

// WithTraceID returns ctx carrying a trace id.
func WithTraceID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, traceKey{}, id)
}

// TraceID returns the trace id of the message being handled, or "".
func TraceID(ctx context.Context) string {
	id, _ := ctx.Value(traceKey{}).(string)
	return id
}

// NewTraceID returns a fresh, unique trace id.
func NewTraceID() string { return nuid.Next() }

type attemptKey struct{}

// Attempt returns which delivery of the message is being handled (1 for the
// first), or 0 outside a runner.
func Attempt(ctx context.Context) int {
	n, _ := ctx.Value(attemptKey{}).(int)
	return n
}

// WithAttempt returns ctx carrying the delivery attempt, for tests of
// handlers that behave differently on redelivery.
func WithAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}
