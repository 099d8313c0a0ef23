package bus

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSettle(t *testing.T) {
	retry := Retry{Base: time.Second, Max: time.Minute}
	transient := errors.New("connection refused")
	tests := []struct {
		name      string
		give      error
		attempt   int
		last      bool
		wantFate  Fate
		wantDelay [2]time.Duration // within
	}{
		{name: "transient, first attempt", give: transient, attempt: 1, wantDelay: [2]time.Duration{750 * time.Millisecond, 1250 * time.Millisecond}},
		{name: "transient, third attempt", give: transient, attempt: 3, wantDelay: [2]time.Duration{3 * time.Second, 5 * time.Second}},
		{name: "retry after", give: RetryAfter(transient, 42*time.Second), attempt: 1, wantDelay: [2]time.Duration{42 * time.Second, 42 * time.Second}},
		{name: "transient, last attempt", give: transient, attempt: 5, last: true, wantFate: FateDeadLetter},
		{name: "retry after, last attempt", give: RetryAfter(transient, time.Second), attempt: 5, last: true, wantFate: FateDeadLetter},
		{name: "permanent", give: Permanent(transient), attempt: 1, wantFate: FateFailed},
		{name: "permanent, last attempt", give: Permanent(transient), attempt: 5, last: true, wantFate: FateFailed},
		{name: "panic", give: Permanent(&panicError{value: "boom"}), attempt: 1, wantFate: FateFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := settle(tt.give, tt.attempt, tt.last, retry)
			if got.fate != tt.wantFate {
				t.Errorf("fate = %v, want %v", got.fate, tt.wantFate)
			}
			if tt.wantFate == 0 && (got.delay < tt.wantDelay[0] || got.delay > tt.wantDelay[1]) {
				t.Errorf("delay = %v, want within %v", got.delay, tt.wantDelay)
			}
		})
	}
}

func TestReason(t *testing.T) {
	err := errors.New("store down")
	if got := reason(FateDeadLetter, err, 8); got != "gave up after 8 attempts: store down" {
		t.Errorf("dead letter reason = %q", got)
	}
	if got := reason(FateFailed, Permanent(err), 1); got != "store down" {
		t.Errorf("failed reason = %q", got)
	}
	if got := reason(FateFailed, Permanent(&panicError{value: "boom"}), 1); !strings.Contains(got, "panic: boom") {
		t.Errorf("panic reason = %q", got)
	}
}
