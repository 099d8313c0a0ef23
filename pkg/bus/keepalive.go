package bus

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// keepAlive sends InProgress for msgs every third of ackWait until the
// returned stop is called, so slow work (a slow host, a store outage)
// keeps its messages instead of having them redelivered behind its back.
// stop may be called more than once.
func keepAlive(ackWait time.Duration, msgs ...jetstream.Msg) (stop func()) {
	if ackWait <= 0 || len(msgs) == 0 {
		return func() {}
	}
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, m := range msgs {
					_ = m.InProgress()
				}
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}
