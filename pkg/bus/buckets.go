package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// EnsureKeyValue returns the key-value bucket cfg describes, looking it up
// first: a bucket already in shape is only read, so a service whose user
// may not create or update streams (deploy/nats: only the admin may,
// through newsflow setup) starts on a prepared bus. A missing bucket is
// created; one that differs in TTL, history or replicas is updated, and
// used as it is when the update is refused. The error for a bucket that
// is missing and cannot be created wraps ErrStreamMissing.
func EnsureKeyValue(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = max(cfg.Replicas, 1)
	if cfg.History == 0 {
		cfg.History = 1
	}
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	switch {
	case err == nil:
		st, serr := kv.Status(ctx)
		if serr != nil || sameKeyValue(st.Config(), cfg) {
			return kv, nil
		}
		if updated, uerr := js.UpdateKeyValue(ctx, cfg); uerr == nil {
			return updated, nil
		}
		return kv, nil // the admin's configuration stands
	case errors.Is(err, jetstream.ErrBucketNotFound):
		kv, err = js.CreateKeyValue(ctx, cfg)
		if err == nil {
			return kv, nil
		}
		// Another service may have created it meanwhile.
		if kv, lerr := js.KeyValue(ctx, cfg.Bucket); lerr == nil {
			return kv, nil
		}
		return nil, fmt.Errorf("kv bucket %s: %w, and creating it failed (where services may not create streams, run newsflow setup as the admin): %w", cfg.Bucket, ErrStreamMissing, err)
	default:
		return nil, fmt.Errorf("kv bucket %s: %w", cfg.Bucket, err)
	}
}

func sameKeyValue(have, want jetstream.KeyValueConfig) bool {
	return have.TTL == want.TTL && have.History == want.History &&
		max(have.Replicas, 1) == want.Replicas && have.Storage == want.Storage
}

// EnsureObjectStore is EnsureKeyValue for an object store bucket (TTL and
// replicas compared).
func EnsureObjectStore(ctx context.Context, js jetstream.JetStream, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	cfg.Replicas = max(cfg.Replicas, 1)
	os, err := js.ObjectStore(ctx, cfg.Bucket)
	switch {
	case err == nil:
		st, serr := os.Status(ctx)
		if serr != nil || (st.TTL() == cfg.TTL && max(st.Replicas(), 1) == cfg.Replicas && st.Storage() == cfg.Storage) {
			return os, nil
		}
		if updated, uerr := js.UpdateObjectStore(ctx, cfg); uerr == nil {
			return updated, nil
		}
		return os, nil
	case errors.Is(err, jetstream.ErrBucketNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
		os, err = js.CreateObjectStore(ctx, cfg)
		if err == nil {
			return os, nil
		}
		if os, lerr := js.ObjectStore(ctx, cfg.Bucket); lerr == nil {
			return os, nil
		}
		return nil, fmt.Errorf("object store %s: %w, and creating it failed (where services may not create streams, run newsflow setup as the admin): %w", cfg.Bucket, ErrStreamMissing, err)
	default:
		return nil, fmt.Errorf("object store %s: %w", cfg.Bucket, err)
	}
}
