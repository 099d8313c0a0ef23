package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Size limits of the streams, in bytes per replica. Every stream has one,
// so no stream can fill a server's disk: CRAWL's MaxMsgs alone would
// allow 5M x 64 KiB = 320 GB. JetStream reserves each stream's MaxBytes
// on every server holding a replica, so their sum (8.5 GiB) must fit the
// server's JetStream store: deploy/nats/nats.conf sets max_file_store to
// 32 GB; an embedded server takes 75% of the free disk, so it needs about
// 12 GB free. A full CRAWL refuses new URLs (discard new: the publisher
// sees the error and retries); the other streams drop their oldest
// messages, as they do at MaxAge.
const (
	// CrawlMaxBytes holds ~2.5M requests of ~400 bytes.
	CrawlMaxBytes int64 = 1 << 30
	// PagesMaxBytes holds the pages kept for re-parsing (S2-compressed;
	// bodies over the inline limit live in the page_bodies object store).
	PagesMaxBytes int64 = 4 << 30
	// ArticlesMaxBytes holds ~200k parsed articles of ~10 KB.
	ArticlesMaxBytes int64 = 2 << 30
	// DeadLettersMaxBytes holds dead letters with their payloads.
	DeadLettersMaxBytes int64 = 512 << 20
	// OutcomesMaxBytes holds ~2M outcome records for the ledger.
	OutcomesMaxBytes int64 = 1 << 30
)

// Topology holds the tunable parts of the streams. Zero values take the
// defaults of DefaultTopology.
type Topology struct {
	// Replicas of every stream: 1 for a single server, 3 in a cluster.
	Replicas int
	// Memory keeps streams in memory instead of files (benchmarks only:
	// a restart loses everything).
	Memory bool
	// CrawlMaxMsgs bounds the CRAWL work queue. When full, publishes fail
	// (discard new) and the publisher retries, rather than old work being
	// dropped silently.
	CrawlMaxMsgs int64
	// DuplicateWindow is how long a Nats-Msg-Id is remembered, so a
	// redelivered input republishes nothing twice.
	DuplicateWindow time.Duration
	// PagesMaxAge is how long fetched pages are retained for re-parsing.
	PagesMaxAge time.Duration
	// ArticlesMaxAge is how long parsed articles are retained for replay.
	ArticlesMaxAge time.Duration
	// OutcomesMaxAge is how long crawl outcomes are retained for the ledger.
	OutcomesMaxAge time.Duration
	// AckWait, when set, replaces every stage's own AckWait. A killed
	// stage's in-flight messages come back after AckWait, so the chaos
	// suite shortens it; production keeps the per-stage defaults.
	AckWait time.Duration
}

// DefaultTopology returns the settings used unless configured otherwise.
func DefaultTopology() Topology {
	return Topology{
		Replicas:        1,
		CrawlMaxMsgs:    5_000_000,
		DuplicateWindow: 5 * time.Minute,
		PagesMaxAge:     7 * 24 * time.Hour,
		ArticlesMaxAge:  30 * 24 * time.Hour,
		OutcomesMaxAge:  30 * 24 * time.Hour,
	}
}

func (t Topology) withDefaults() Topology {
	d := DefaultTopology()
	if t.Replicas <= 0 {
		t.Replicas = d.Replicas
	}
	if t.CrawlMaxMsgs <= 0 {
		t.CrawlMaxMsgs = d.CrawlMaxMsgs
	}
	if t.DuplicateWindow <= 0 {
		t.DuplicateWindow = d.DuplicateWindow
	}
	if t.PagesMaxAge <= 0 {
		t.PagesMaxAge = d.PagesMaxAge
	}
	if t.ArticlesMaxAge <= 0 {
		t.ArticlesMaxAge = d.ArticlesMaxAge
	}
	if t.OutcomesMaxAge <= 0 {
		t.OutcomesMaxAge = d.OutcomesMaxAge
	}
	return t
}

// Streams returns the configuration of every stream of the pipeline.
func (t Topology) Streams() []jetstream.StreamConfig {
	t = t.withDefaults()
	storage := jetstream.FileStorage
	if t.Memory {
		storage = jetstream.MemoryStorage
	}
	return []jetstream.StreamConfig{
		{
			Name:        schema.StreamCrawl,
			Description: "URLs to fetch (work queue)",
			Subjects:    []string{schema.SubjectCrawlURLs},
			Retention:   jetstream.WorkQueuePolicy,
			Discard:     jetstream.DiscardNew,
			MaxMsgs:     t.CrawlMaxMsgs,
			MaxBytes:    CrawlMaxBytes,
			MaxMsgSize:  64 << 10,
			Duplicates:  t.DuplicateWindow,
			Storage:     storage,
			Replicas:    t.Replicas,
		},
		{
			Name:        schema.StreamPages,
			Description: "fetched pages, retained for re-parsing",
			Subjects:    []string{schema.SubjectPagesFetched},
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardOld,
			MaxAge:      t.PagesMaxAge,
			MaxBytes:    PagesMaxBytes,
			Duplicates:  t.DuplicateWindow,
			Storage:     storage,
			Replicas:    t.Replicas,
			Compression: jetstream.S2Compression,
		},
		{
			Name:        schema.StreamArticles,
			Description: "parsed articles",
			Subjects:    []string{schema.SubjectArticlesParsed},
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardOld,
			MaxAge:      t.ArticlesMaxAge,
			MaxBytes:    ArticlesMaxBytes,
			Duplicates:  t.DuplicateWindow,
			Storage:     storage,
			Replicas:    t.Replicas,
		},
		{
			Name:        schema.StreamDeadLetters,
			Description: "messages the stages gave up on, with their payloads and reasons",
			Subjects:    deadLetterSubjects(),
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardOld,
			MaxAge:      t.OutcomesMaxAge,
			MaxBytes:    DeadLettersMaxBytes,
			Duplicates:  t.DuplicateWindow,
			Storage:     storage,
			Replicas:    t.Replicas,
		},
		{
			Name:        schema.StreamOutcomes,
			Description: "one record per URL per deciding stage",
			Subjects:    []string{schema.SubjectCrawlOutcome},
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardOld,
			MaxAge:      t.OutcomesMaxAge,
			MaxBytes:    OutcomesMaxBytes,
			Duplicates:  t.DuplicateWindow,
			Storage:     storage,
			Replicas:    t.Replicas,
		},
	}
}

// deadLetterSubjects returns the subjects DEADLETTERS captures: the stages'
// own dead-letter records, and the max-deliveries advisories of the
// pipeline's three consumers by name, never those of another consumer in
// the account (an operator's debugging consumer, a KV watcher).
func deadLetterSubjects() []string {
	return []string{
		schema.SubjectDeadLetterPrefix + ".>",
		schema.SubjectMaxDeliveriesAdvisory + "." + schema.StreamCrawl + "." + schema.ConsumerFetcher,
		schema.SubjectMaxDeliveriesAdvisory + "." + schema.StreamPages + "." + schema.ConsumerParser,
		schema.SubjectMaxDeliveriesAdvisory + "." + schema.StreamArticles + "." + schema.ConsumerIndexer,
	}
}

// StageConsumer describes the durable pull consumer of one stage.
type StageConsumer struct {
	Stream string
	Config jetstream.ConsumerConfig
}

// Consumers returns the durable consumer of each stage, keyed by consumer
// name. AckWait and MaxDeliver are chosen per stage: a fetch may wait on a
// slow host (the runner also sends InProgress), parsing is CPU-bound and
// short, and the indexer keeps a batch in hand through store outages, so
// its MaxDeliver only counts real redeliveries.
func (t Topology) Consumers() map[string]StageConsumer {
	t = t.withDefaults()
	consumers := map[string]StageConsumer{
		schema.ConsumerFetcher: {schema.StreamCrawl, jetstream.ConsumerConfig{
			Durable:       schema.ConsumerFetcher,
			Description:   "fetcher: crawl.urls -> pages.fetched",
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       30 * time.Second,
			MaxDeliver:    8,
			MaxAckPending: 2000,
			Replicas:      t.Replicas,
		}},
		schema.ConsumerParser: {schema.StreamPages, jetstream.ConsumerConfig{
			Durable:       schema.ConsumerParser,
			Description:   "parser: pages.fetched -> articles.parsed, crawl.urls",
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       30 * time.Second,
			MaxDeliver:    5,
			MaxAckPending: 1000,
			Replicas:      t.Replicas,
		}},
		schema.ConsumerIndexer: {schema.StreamArticles, jetstream.ConsumerConfig{
			Durable:       schema.ConsumerIndexer,
			Description:   "indexer: articles.parsed -> store",
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       30 * time.Second,
			MaxDeliver:    10,
			MaxAckPending: 5000,
			Replicas:      t.Replicas,
		}},
	}
	if t.AckWait > 0 {
		for name, c := range consumers {
			c.Config.AckWait = t.AckWait
			consumers[name] = c
		}
	}
	return consumers
}

// ErrStreamMissing is wrapped by EnsureStreams's error for a stream of
// the pipeline that does not exist and could not be created (in
// production an admin identity provisions the streams; a service may lack
// the permission to).
var ErrStreamMissing = errors.New("missing")

// NotUpdatedError is EnsureStreams's error when every stream exists but
// some differ from the topology and could not be updated, for want of
// permission or of an answer. The pipeline can run on them as they are:
// callers report it and go on.
type NotUpdatedError struct {
	// Streams and how each differs ("CRAWL: replicas, max_age").
	Streams []string
	Err     error
}

func (e *NotUpdatedError) Error() string {
	return fmt.Sprintf("streams not updated (%s): %v", strings.Join(e.Streams, "; "), e.Err)
}

func (e *NotUpdatedError) Unwrap() error { return e.Err }

// EnsureStreams makes every stream of the pipeline exist with the
// topology's configuration: it looks each up, creates a missing one and
// updates one that differs, so an identity without STREAM.CREATE and
// STREAM.UPDATE permissions starts at once on streams provisioned for it.
// It is idempotent; every service calls it at start.
//
// It returns an error wrapping ErrStreamMissing that names the first
// stream that does not exist and could not be created; the server's
// error when it refused a configuration; or a *NotUpdatedError when all
// exist but some could not be brought up to date.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, t Topology) error {
	f := ServerFeatures(js.Conn().ConnectedServerVersion())
	var stale *NotUpdatedError
	for _, cfg := range t.Streams() {
		diff, err := ensureStream(ctx, js, cfg, f)
		if err != nil {
			return err
		}
		if diff.err != nil {
			if stale == nil {
				stale = &NotUpdatedError{Err: diff.err}
			}
			stale.Streams = append(stale.Streams, cfg.Name+": "+strings.Join(diff.fields, ", "))
		}
	}
	if stale != nil {
		return stale
	}
	return nil
}

// staleness is how an existing stream differs from its configuration,
// when it could not be updated.
type staleness struct {
	fields []string
	err    error
}

func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig, f Features) (staleness, error) {
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		if _, err = js.CreateStream(ctx, want); err == nil {
			return staleness{}, nil
		}
		// Another service may have created it meanwhile (the server then
		// answers "already in use" or "subjects overlap"): compare with it.
		var lookErr error
		if s, lookErr = js.Stream(ctx, want.Name); lookErr != nil {
			return staleness{}, fmt.Errorf("stream %s: %w, and creating it failed (where services may not create streams, run newsflow setup as the admin): %w", want.Name, ErrStreamMissing, err)
		}
		err = nil
	}
	if err != nil {
		return staleness{}, fmt.Errorf("stream %s: %w", want.Name, err)
	}
	fields := streamDrift(want, s.CachedInfo().Config, f)
	if len(fields) == 0 {
		return staleness{}, nil
	}
	if _, err := js.UpdateStream(ctx, want); err != nil {
		var refused *jetstream.APIError
		if errors.As(err, &refused) {
			return staleness{}, fmt.Errorf("stream %s: update %s (run newsflow setup as the admin): %w", want.Name, strings.Join(fields, ", "), err)
		}
		return staleness{fields: fields, err: err}, nil
	}
	return staleness{}, nil
}

// streamDrift lists the settings, among those the topology sets, in
// which have differs from want. The server stores "no limit" as -1 where
// the configuration says 0.
func streamDrift(want, have jetstream.StreamConfig, f Features) []string {
	unlimited := func(n int64) int64 {
		if n == 0 {
			return -1
		}
		return n
	}
	var diff []string
	check := func(name string, same bool) {
		if !same {
			diff = append(diff, name)
		}
	}
	check("description", want.Description == have.Description)
	check("subjects", slices.Equal(slices.Sorted(slices.Values(want.Subjects)), slices.Sorted(slices.Values(have.Subjects))))
	check("retention", want.Retention == have.Retention)
	check("discard", want.Discard == have.Discard)
	check("max_msgs", unlimited(want.MaxMsgs) == unlimited(have.MaxMsgs))
	check("max_bytes", unlimited(want.MaxBytes) == unlimited(have.MaxBytes))
	check("max_msg_size", unlimited(int64(want.MaxMsgSize)) == unlimited(int64(have.MaxMsgSize)))
	check("max_age", want.MaxAge == have.MaxAge)
	check("duplicates", want.Duplicates == have.Duplicates)
	check("storage", want.Storage == have.Storage)
	check("replicas", max(want.Replicas, 1) == max(have.Replicas, 1))
	if f.Compression {
		check("compression", want.Compression == have.Compression)
	}
	return diff
}

// EnsureConsumer creates or updates the durable consumer named name (one of
// the schema.Consumer* constants) and returns it.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, t Topology, name string) (jetstream.Consumer, error) {
	sc, ok := t.Consumers()[name]
	if !ok {
		return nil, fmt.Errorf("consumer %q: unknown stage", name)
	}
	c, err := js.CreateOrUpdateConsumer(ctx, sc.Stream, sc.Config)
	if err != nil {
		return nil, fmt.Errorf("consumer %s on %s: %w", name, sc.Stream, err)
	}
	return c, nil
}

// CheckTopology returns an error unless every stream of the pipeline
// exists, for readiness probes.
func CheckTopology(ctx context.Context, js jetstream.JetStream) error {
	for _, cfg := range DefaultTopology().Streams() {
		if _, err := js.Stream(ctx, cfg.Name); err != nil {
			return fmt.Errorf("stream %s: %w", cfg.Name, err)
		}
	}
	return nil
}
