package bus

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Out is one message a stage asks the runner to publish.
type Out struct {
	Subject string // a schema subject constant
	// ID becomes Nats-Msg-Id, so a redelivered input publishes no duplicate
	// within the stream's duplicate window. Derive it from the input.
	ID string
	// Body is marshalled to JSON; a []byte is sent as it is.
	Body any
	// TraceID overrides the trace id of the input for this output.
	TraceID string
	// Header holds extra message headers.
	Header map[string]string
}

// Publisher publishes Outs to JetStream and waits for the stream's ack.
type Publisher struct {
	js jetstream.JetStream
}

// NewPublisher returns a Publisher on js.
func NewPublisher(js jetstream.JetStream) *Publisher { return &Publisher{js: js} }

// Features returns what the connected server understands. They are
// read at each call: a client may reconnect to another server of a
// cluster being upgraded.
func (p *Publisher) Features() Features {
	return ServerFeatures(p.js.Conn().ConnectedServerVersion())
}

// Publish sends one output with its Nats-Msg-Id and trace header. It returns
// an error wrapping the JetStream error (for instance a full work queue), so
// the caller can retry.
func (p *Publisher) Publish(ctx context.Context, o Out, traceID string) error {
	msg, opts, err := message(o, traceID)
	if err != nil {
		return err
	}
	if _, err := p.js.PublishMsg(ctx, msg, opts...); err != nil {
		return publishError(o.Subject, err)
	}
	return nil
}

// publishError wraps a failed publish. An output too large for the server
// (its max payload, or the stream's largest message) fails the same way
// however often it is retried, so it is permanent: the input ends with
// that reason at once instead of being retried into a dead letter.
func publishError(subject string, err error) error {
	err = fmt.Errorf("publish %s: %w", subject, err)
	var api *jetstream.APIError
	if errors.Is(err, nats.ErrMaxPayload) || (errors.As(err, &api) && api.ErrorCode == jsMessageTooLarge) {
		return Permanent(err)
	}
	return err
}

// jsMessageTooLarge is the server's error code for a message over the
// stream's max_msg_size (JSStreamMessageExceedsMaximumErr).
const jsMessageTooLarge jetstream.ErrorCode = 10054

// PublishAll publishes outs concurrently and waits for every stream ack.
// It returns the first error; outputs already stored stay stored, and a
// retry with the same ids is deduplicated by the stream.
//
// Outputs go out in windows of publishWindow, each acked before the next,
// so a huge batch (the 50,000 entries of a sitemap) never exceeds the
// client's limit of pending asynchronous publishes, which would fail it.
func (p *Publisher) PublishAll(ctx context.Context, outs []Out, traceID string) error {
	if len(outs) == 1 {
		return p.Publish(ctx, outs[0], traceID)
	}
	for len(outs) > 0 {
		n := min(len(outs), publishWindow)
		if err := p.publishWindow(ctx, outs[:n], traceID); err != nil {
			return err
		}
		outs = outs[n:]
	}
	return nil
}

// publishWindow is the most asynchronous publishes PublishAll has in flight
// (the client allows 4,000).
const publishWindow = 1000

// PubAckTimeout bounds the wait for a window's stream acks. A publish the
// server never answers (it reached a node that went down while the stream
// elected a new leader) would otherwise hold its input for ever, kept
// alive by the runner; past it the publish is a transient error, the input
// is retried and its outputs go out again under the same ids.
var PubAckTimeout = 30 * time.Second

func (p *Publisher) publishWindow(ctx context.Context, outs []Out, traceID string) error {
	futures := make([]jetstream.PubAckFuture, 0, len(outs))
	var firstErr error
	for _, o := range outs {
		msg, opts, err := message(o, traceID)
		if err != nil {
			firstErr = err
			break
		}
		f, err := p.js.PublishMsgAsync(msg, opts...)
		if err != nil {
			firstErr = publishError(o.Subject, err)
			break
		}
		futures = append(futures, f)
	}
	timeout := time.NewTimer(PubAckTimeout)
	defer timeout.Stop()
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if firstErr == nil {
				firstErr = publishError(f.Msg().Subject, err)
			}
		case <-ctx.Done():
			if firstErr == nil {
				firstErr = fmt.Errorf("publish: %w", ctx.Err())
			}
		case <-timeout.C:
			return cmp.Or(firstErr, fmt.Errorf("publish %s: no stream ack within %v: %w", f.Msg().Subject, PubAckTimeout, nats.ErrTimeout))
		}
	}
	return firstErr
}

func message(o Out, traceID string) (*nats.Msg, []jetstream.PublishOpt, error) {
	data, err := encode(o.Body)
	if err != nil {
		return nil, nil, Permanent(fmt.Errorf("encode %s: %w", o.Subject, err))
	}
	msg := &nats.Msg{Subject: o.Subject, Data: data, Header: nats.Header{}}
	if o.TraceID != "" {
		traceID = o.TraceID
	}
	if traceID != "" {
		msg.Header.Set(schema.HeaderTraceID, traceID)
	}
	for k, v := range o.Header {
		msg.Header.Set(k, v)
	}
	var opts []jetstream.PublishOpt
	if o.ID != "" {
		opts = append(opts, jetstream.WithMsgID(o.ID))
	}
	return msg, opts, nil
}

func encode(body any) ([]byte, error) {
	switch b := body.(type) {
	case []byte:
		return b, nil
	case string:
		return []byte(b), nil
	default:
		return json.Marshal(body)
	}
}

// publishAll publishes a message's outputs in order and counts them; an
// output without an ID gets idPrefix:index, deterministic per input
// message, so a redelivery publishes no duplicate.
func publishAll(ctx context.Context, p *Publisher, m *Metrics, stage string, outs []Out, traceID, idPrefix string) error {
	if len(outs) == 0 {
		return nil
	}
	for i := range outs {
		if outs[i].ID == "" {
			outs[i].ID = fmt.Sprintf("%s:%d", idPrefix, i)
		}
	}
	if err := p.PublishAll(ctx, outs, traceID); err != nil {
		m.PublishErrors.WithLabelValues(stage, outs[0].Subject).Inc()
		return err
	}
	for _, o := range outs {
		m.Published.WithLabelValues(stage, o.Subject).Inc()
	}
	return nil
}
