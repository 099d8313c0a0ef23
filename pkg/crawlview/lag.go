package crawlview

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// Stages lists the pipeline's stages in order, by consumer name.
var Stages = []string{schema.ConsumerFetcher, schema.ConsumerParser, schema.ConsumerIndexer}

// StageLag is one stage's backlog, read from its durable consumer.
type StageLag struct {
	Stage    string `json:"stage"`
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	// Exists is false when the stage's consumer was never created (the
	// stage never started); the counts are then zero.
	Exists bool `json:"exists"`
	// Pending counts the stream's messages not yet delivered to the stage;
	// AckPending those delivered and not yet acknowledged; Redelivered
	// those among them delivered more than once.
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ack_pending"`
	Redelivered int    `json:"redelivered"`
	// Waiting counts the stage's open pull requests: replicas ready for
	// work.
	Waiting int `json:"waiting"`
	// LastActive is when the stage last received a message.
	LastActive *time.Time `json:"last_active,omitempty"`
}

// Lag returns each stage's backlog, in pipeline order. A missing consumer
// is reported with Exists false; any other failure is an error.
func Lag(ctx context.Context, js jetstream.JetStream, timeout time.Duration) ([]StageLag, error) {
	consumers := bus.DefaultTopology().Consumers()
	out := make([]StageLag, 0, len(Stages))
	for _, name := range Stages {
		sc := consumers[name]
		l := StageLag{Stage: name, Stream: sc.Stream, Consumer: name}
		info, err := RetryRead(ctx, timeout, func(ctx context.Context) (*jetstream.ConsumerInfo, error) {
			c, err := js.Consumer(ctx, sc.Stream, name)
			if err != nil {
				return nil, err
			}
			return c.CachedInfo(), nil
		})
		switch {
		case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
		case err != nil:
			return nil, fmt.Errorf("consumer %s: %w", name, err)
		default:
			l.Exists = true
			l.Pending, l.AckPending, l.Redelivered, l.Waiting = info.NumPending, info.NumAckPending, info.NumRedelivered, info.NumWaiting
			if info.Delivered.Last != nil {
				t := info.Delivered.Last.UTC()
				l.LastActive = &t
			}
		}
		out = append(out, l)
	}
	return out, nil
}
