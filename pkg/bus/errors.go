package bus

import (
	"errors"
	"fmt"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the runner terminates the message instead of
// retrying it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// Permanentf is Permanent(fmt.Errorf(format, args...)).
func Permanentf(format string, args ...any) error {
	return &permanentError{fmt.Errorf(format, args...)}
}

// IsPermanent reports whether err, or an error it wraps, was made by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// retryAfterError asks for a redelivery after a specific delay.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter wraps err so the runner redelivers the message after d rather
// than after its own backoff (a server's Retry-After, a host's next slot).
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryAfterError{err, d}
}

// RetryDelay returns the delay err asks for with RetryAfter, if any.
func RetryDelay(err error) (time.Duration, bool) {
	var r *retryAfterError
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}

// rejectClass is the metric label of an undecodable payload's error.
func rejectClass(err error) string {
	var fe *schema.FieldError
	switch {
	case errors.Is(err, schema.ErrEmpty):
		return "empty"
	case errors.Is(err, schema.ErrMalformed):
		return "malformed"
	case errors.Is(err, schema.ErrVersion):
		return "version"
	case errors.As(err, &fe):
		return "invalid_" + fe.Field
	}
	return "other"
}
