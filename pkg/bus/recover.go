package bus

import "runtime/debug"

// recovered calls fn, turning a panic into a permanent error that holds
// the panic's value and stack, so a poison input is terminated with its
// reason instead of taking the process down.
func recovered[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, Permanent(&panicError{value: p, stack: debug.Stack()})
		}
	}()
	return fn()
}
