package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/sources"
	fetcher "github.com/newsflow/newsflow/services/fetcher/service"
)

// runSetup creates or updates the bus for the pipeline: every stream, the
// durable consumer of each stage, and the buckets the stages share (the
// fetcher's seen-set, robots.txt cache and host slots, the sources
// registry, the page-body object store), all from the common topology in
// pkg/bus. It is idempotent. The stages' own users may not create or
// change streams (deploy/nats), so this runs once per deploy as the admin:
// the compose "setup" service, which the stages wait for.
func runSetup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-setup")
	defReplicas, err := strconv.Atoi(envOr("NATS_REPLICAS", "1"))
	if err != nil {
		return fmt.Errorf("NATS_REPLICAS: %w", err)
	}
	replicas := fs.Int("nats-replicas", defReplicas, "replicas of each stream, consumer and bucket: 1 for one server, 3 in a cluster (env NATS_REPLICAS)")
	fs.Usage = usageFunc(fs, "Usage: newsflow setup [flags]\n\n"+
		"Creates or updates the streams, consumers and buckets of the pipeline.\n"+
		"Run it as the NATS admin before the stages start, and after an upgrade.\n")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("setup takes no arguments, got %q", pos)
	}
	if *replicas < 1 || *replicas > 5 {
		return fmt.Errorf("nats-replicas: %d, want 1 to 5", *replicas)
	}
	// The buckets are made exactly as the fetcher makes them, from the
	// same environment (FETCHER_SEEN_TTL, FETCHER_ROBOTS_TTL...).
	fcfg, err := fetcher.LoadConfig(nil, os.Getenv)
	if err != nil {
		return fmt.Errorf("fetcher settings: %w", err)
	}
	fcfg.Common.Replicas = *replicas

	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := setup(ctx, js, bus.Topology{Replicas: *replicas}, fcfg); err != nil {
		return err
	}
	return reportTopology(ctx, js, stdout)
}

// setup brings the bus to the topology t and the buckets of fcfg.
func setup(ctx context.Context, js jetstream.JetStream, t bus.Topology, fcfg fetcher.Config) error {
	if err := bus.EnsureStreams(ctx, js, t); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	names := make([]string, 0, 3)
	for name := range t.Consumers() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, err := bus.EnsureConsumer(ctx, js, t, name); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	if _, err := fetcher.Build(ctx, fcfg, js); err != nil {
		return fmt.Errorf("setup: buckets: %w", err)
	}
	if _, err := sources.Open(ctx, js, t.Replicas); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

// reportTopology prints one line per stream of the account: its subjects'
// limits and its consumers.
func reportTopology(ctx context.Context, js jetstream.JetStream, w io.Writer) error {
	names := js.StreamNames(ctx)
	var all []string
	for n := range names.Name() {
		all = append(all, n)
	}
	if err := names.Err(); err != nil && !errors.Is(err, jetstream.ErrEndOfData) {
		return fmt.Errorf("list streams: %w", err)
	}
	slices.Sort(all)
	for _, n := range all {
		s, err := js.Stream(ctx, n)
		if err != nil {
			return fmt.Errorf("stream %s: %w", n, err)
		}
		cfg := s.CachedInfo().Config
		var consumers []string
		for c := range s.ConsumerNames(ctx).Name() {
			consumers = append(consumers, c)
		}
		slices.Sort(consumers)
		fmt.Fprintf(w, "stream %-18s replicas %d  max_bytes %-9s consumers %v\n", n, cfg.Replicas, byteSize(cfg.MaxBytes), consumers)
	}
	return nil
}

// byteSize prints a stream limit: "-" for none, else GiB/MiB.
func byteSize(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', -1, 64) + "GiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + "MiB"
	}
}
