// Package bus is Newsflow's use of NATS JetStream for the pipeline: the
// connection, the topology of streams and stage consumers, publishing with
// Nats-Msg-Id and trace headers, and the stage runners that own decoding,
// acks, retries, dead letters and the per-message log line. It is the only
// code that handles a pipeline message.
//
// Others touch JetStream for what is theirs, each through the connection
// bus makes: pkg/stagehost (a stage's lifetime: drain, readiness),
// pkg/pagebody (the object store of large page bodies), pkg/sources (the
// KV registry of feeds and sitemaps to re-poll), the fetcher's kv, seen,
// robots and politeness packages (the KV buckets its replicas share), and
// cmd/newsflow (the operator's reads of streams: ledger, dead letters,
// reparse; the embedded server of `up`). Stages (the fetcher's stage, the
// parser's parse) import bus only for the Handler contract (Out,
// Permanent, RetryAfter, TraceID, LastAttempt): they never see a message.
//
// A stage is a plain function (Handler) from one decoded input to zero or
// more outputs; it neither acks, publishes nor logs, so it is tested without
// NATS. The runner decides the ack from the handler's error:
//
//   - nil: publish every output, then ack;
//   - an error wrapped with Permanent: terminate with the reason (no retry);
//   - any other error: nak with an exponential, jittered delay (or the
//     delay of RetryAfter), until the consumer's MaxDeliver, after which
//     the message is terminated as a dead letter;
//   - a panic: recovered and treated as a permanent error.
//
// Every terminated message first gets a dead-letter record (with its
// payload and reason) on deadletter.<stage>; if that cannot be published
// the message is redelivered instead, so no fate goes unrecorded. While a
// handler runs longer than a third of AckWait the runner sends InProgress,
// so slow work is not redelivered behind its back.
//
// Runner (one message at a time, a pool of workers) and BatchRunner (a
// batch per store transaction) are built on one delivery core, Delivery,
// which a stage fills with what only it knows, as data: Decode, Describe
// (the URL and trace id of an input) and Reject (what records a
// terminated input). A stage host (pkg/stagehost) binds a runner to its
// consumer, publisher, logger and metrics.
//
// Every per-message log line has stage, outcome, url, trace_id, attempt
// and took_ms (a number), then the stage's own fields. Its message is the
// outcome word for a handled input ("fetched", "parsed", "indexed"),
// "retrying" for a redelivery, and "rejected" for a terminated one, whose
// outcome is its fate: "invalid", "failed" or "dead_letter".
//
// JetStream servers from MinServerVersion (2.9) on are supported: Connect
// refuses older ones, and Features says what the connected server
// understands (a terminate with a reason from 2.10.4; before, a plain
// terminate is sent, the reason still in the dead letter and the log).
//
// Files, by concern:
//
//	connect.go    Connect, ConnOptions: dialling, credentials, TLS, the server check
//	server.go     MinServerVersion, Features, CheckServer: what a server version understands
//	topology.go   Topology: streams, stage consumers, EnsureStreams, EnsureConsumer
//	publish.go    Out, Publisher: Nats-Msg-Id, trace headers, windows of async publishes
//	delivery.go   Delivery, Meta, Report, Binding: opening a message (decode, trace) and acking it
//	settle.go     the fate of a failed message: retry after a backoff, or terminate
//	terminate.go  Fate, Rejection: the dead-letter record and the terminate (with its fallback)
//	recover.go    a handler's panic turned into a permanent error
//	keepalive.go  InProgress while slow work holds messages
//	logline.go    the keys of the per-message log line
//	runner.go     Handler, Runner: one message at a time, a pool of workers
//	batch.go      BatchRunner: a batch per store transaction, held through outages
//	backoff.go    Backoff: exponential, capped, jittered delays
//	errors.go     Permanent, RetryAfter: how a handler's error asks for its fate
//	trace.go      trace id, attempt, sequence and last attempt in a handler's context
//	metrics.go    the runners' Prometheus metrics
//	lag.go        LagCollector: a consumer's backlog at scrape time
//	bustest/      a real JetStream server (embedded, or an external binary) for tests
package bus
