// Package kv creates the JetStream key-value buckets the fetcher shares
// across replicas (seen-set, robots.txt cache, host slots) and
// hashes URLs and hosts into keys. Raw URLs never become keys: they may
// hold characters KV keys forbid, and they may be long.
package kv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Bucket names (the sources registry's bucket is sources.Bucket).
const (
	BucketSeen   = "fetcher_seen"
	BucketRobots = "fetcher_robots"
	BucketHosts  = "fetcher_hosts"
)

// Ensure creates or updates a bucket with the given TTL (0: none).
func Ensure(ctx context.Context, js jetstream.JetStream, bucket, desc string, ttl time.Duration, replicas int) (jetstream.KeyValue, error) {
	if replicas < 1 {
		replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: desc,
		TTL:         ttl,
		History:     1,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("kv bucket %s: %w", bucket, err)
	}
	return kv, nil
}

// Key returns a KV-safe key for s: 32 hex characters of its SHA-256.
func Key(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
