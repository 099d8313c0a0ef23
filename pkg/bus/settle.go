package bus

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// settlement is what becomes of a message whose handling failed: a
// redelivery after delay, or, when fate is set, a termination.
type settlement struct {
	delay time.Duration
	fate  Fate
}

// settle decides the fate of a message whose handling returned err on
// the given attempt: a permanent error terminates it as failed; a
// transient one on the last attempt dead-letters it; any other is
// redelivered after the delay the error asks for (RetryAfter) or the
// backoff of the attempt.
func settle(err error, attempt int, last bool, retry Retry) settlement {
	switch {
	case IsPermanent(err):
		return settlement{fate: FateFailed}
	case last:
		return settlement{fate: FateDeadLetter}
	}
	if d, ok := RetryDelay(err); ok {
		return settlement{delay: d}
	}
	return settlement{delay: retry.Delay(attempt)}
}

// reason is the text a terminated message is recorded with.
func reason(fate Fate, err error, attempt int) string {
	if fate == FateDeadLetter {
		return fmt.Sprintf("gave up after %d attempts: %v", attempt, err)
	}
	return err.Error()
}

// panicError is a handler's panic, turned into a permanent error.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// stackOf returns the stack of a recovered panic in err's chain, or nil.
func stackOf(err error) []byte {
	var p *panicError
	if errors.As(err, &p) {
		return p.stack
	}
	return nil
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
