package bus

import (
	"errors"
	"strings"
	"testing"
)

func TestRecovered(t *testing.T) {
	v, err := recovered(func() (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("no panic: got %d, %v", v, err)
	}
	plain := errors.New("plain")
	if _, err := recovered(func() (int, error) { return 0, plain }); err != plain {
		t.Errorf("an error passes through: got %v", err)
	}
	v, err = recovered(func() (int, error) {
		var m map[string]int
		m["x"] = 1 // a nil-map write, as a buggy handler would
		return 1, nil
	})
	if v != 0 || !IsPermanent(err) {
		t.Fatalf("panic: got %d, %v; want zero and a permanent error", v, err)
	}
	if !strings.Contains(err.Error(), "panic: assignment to entry in nil map") {
		t.Errorf("panic error = %q", err)
	}
	if stack := string(stackOf(err)); !strings.Contains(stack, "recover_test.go") {
		t.Errorf("stack of the panic does not name its place:\n%s", stack)
	}
	if stackOf(plain) != nil {
		t.Error("stackOf(plain error) is not nil")
	}
}
