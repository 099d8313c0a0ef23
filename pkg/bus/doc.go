// Package bus is the only code in Newsflow that knows JetStream: connecting,
// the stream and consumer topology, publishing with Nats-Msg-Id and trace
// headers, and the stage runners that own decoding, acks, retries, dead
// letters and logging.
//
// A stage is a plain function (Handler) from one decoded input to zero or
// more outputs; it neither acks, publishes nor logs, so it is tested without
// NATS. The runner decides the ack from the handler's error:
//
//   - nil: publish every output, then ack;
//   - an error wrapped with Permanent: terminate with the reason (no retry);
//   - any other error: nak with an exponential, jittered delay, until the
//     consumer's MaxDeliver, after which the message is terminated as a dead
//     letter;
//   - a panic: recovered and treated as a permanent error.
//
// While a handler runs longer than a third of AckWait the runner sends
// InProgress, so slow work is not redelivered behind its back.
package bus
