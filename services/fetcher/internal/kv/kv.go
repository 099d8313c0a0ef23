// Package kv creates the JetStream key-value buckets the fetcher shares
// across replicas (seen-set, robots.txt cache, host slots) and
// hashes URLs and hosts into keys. Raw URLs never become keys: they may
// hold characters KV keys forbid, and they may be long.
package kv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
)

// Bucket names (the sources registry's bucket is sources.Bucket).
const (
	BucketSeen   = "fetcher_seen"
	BucketRobots = "fetcher_robots"
	BucketHosts  = "fetcher_hosts"
)

// Ensure returns the bucket with the given TTL (0: none), creating it when
// missing (see bus.EnsureKeyValue: a bucket in shape is only read).
func Ensure(ctx context.Context, js jetstream.JetStream, bucket, desc string, ttl time.Duration, replicas int) (jetstream.KeyValue, error) {
	return bus.EnsureKeyValue(ctx, js, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: desc,
		TTL:         ttl,
		History:     1,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
}

// Key returns a KV-safe key for s: 32 hex characters of its SHA-256.
func Key(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
