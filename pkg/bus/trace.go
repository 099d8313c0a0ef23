package bus

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nuid"
	"go.uber.org/zap"
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

type seqKey struct{}

// Sequence returns the stream sequence of the message being handled, the
// same on every redelivery, or 0 outside a runner.
func Sequence(ctx context.Context) uint64 {
	n, _ := ctx.Value(seqKey{}).(uint64)
	return n
}

// WithSequence returns ctx carrying a message's stream sequence, for tests.
func WithSequence(ctx context.Context, seq uint64) context.Context {
	return context.WithValue(ctx, seqKey{}, seq)
}

type lastKey struct{}

// LastAttempt reports whether the message being handled is on its last
// delivery (the consumer's MaxDeliver): a transient error now dead-letters
// it, so a stage that must record every input records a terminal result
// instead. False outside a runner.
func LastAttempt(ctx context.Context) bool {
	last, _ := ctx.Value(lastKey{}).(bool)
	return last
}

// WithLastAttempt returns ctx saying whether this is the message's last
// delivery, for tests of handlers.
func WithLastAttempt(ctx context.Context, last bool) context.Context {
	return context.WithValue(ctx, lastKey{}, last)
}

// streamTraceID is the trace id of a message that arrived without one
// (a plain `nats pub`): derived from its stream position, so every
// redelivery carries the same id.
func streamTraceID(stream string, seq uint64) string {
	return fmt.Sprintf("%s-%d", strings.ToLower(stream), seq)
}

type noteKey struct{}

// notes collects the fields a handler adds to its message's log line.
type notes struct {
	mu     sync.Mutex
	fields []zap.Field
}

// withNotes returns ctx in which Note records into n.
func withNotes(ctx context.Context, n *notes) context.Context {
	return context.WithValue(ctx, noteKey{}, n)
}

// Note adds facts only the handler knows (links found on a page) to the
// one log line the runner writes about the message being handled, after
// the Report's fields. Outside a runner it does nothing. A handler still
// does not log: the line is the runner's.
func Note(ctx context.Context, fields ...zap.Field) {
	n, _ := ctx.Value(noteKey{}).(*notes)
	if n == nil {
		return
	}
	n.mu.Lock()
	n.fields = append(n.fields, fields...)
	n.mu.Unlock()
}

func (n *notes) all() []zap.Field {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.fields
}
