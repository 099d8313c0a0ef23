package pagebody

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// ErrNotFound is returned for a body that is not in the store (it expired
// with the bucket's TTL, or the bucket does not exist).
var ErrNotFound = errors.New("body not found")

// Store is the JetStream object store of page bodies too large for one
// message (bucket schema.BucketPageBodies). It implements Putter and
// Getter.
type Store struct {
	js jetstream.JetStream

	mu sync.Mutex
	os jetstream.ObjectStore
}

var (
	_ Putter = (*Store)(nil)
	_ Getter = (*Store)(nil)
)

// CreateStore creates or updates the bucket (the writer's part: the
// fetcher), with replicas and a TTL that should be the PAGES stream's
// retention, so a body lives as long as the page that refers to it.
func CreateStore(ctx context.Context, js jetstream.JetStream, replicas int, ttl time.Duration) (*Store, error) {
	os, err := bus.EnsureObjectStore(ctx, js, jetstream.ObjectStoreConfig{
		Bucket:      schema.BucketPageBodies,
		Description: "page bodies too large for one message",
		TTL:         ttl,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, err
	}
	return &Store{js: js, os: os}, nil
}

// NewStore returns the store of an existing bucket, looked up on first
// use (the readers' part: they may start before any body is stored).
func NewStore(js jetstream.JetStream) *Store { return &Store{js: js} }

// Put stores data under name, replacing what was there.
func (s *Store) Put(ctx context.Context, name string, data []byte) error {
	os, err := s.bucket(ctx)
	if err != nil {
		return err
	}
	_, err = os.PutBytes(ctx, name, data)
	return err
}

// Get returns the data stored under name, or an error wrapping
// ErrNotFound.
func (s *Store) Get(ctx context.Context, name string) ([]byte, error) {
	os, err := s.bucket(ctx)
	if err != nil {
		return nil, err
	}
	data, err := os.GetBytes(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return data, err
}

// Has reports whether a body is stored under name, without reading it.
func (s *Store) Has(ctx context.Context, name string) (bool, error) {
	os, err := s.bucket(ctx)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = os.GetInfo(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (s *Store) bucket(ctx context.Context) (jetstream.ObjectStore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.os != nil {
		return s.os, nil
	}
	os, err := s.js.ObjectStore(ctx, schema.BucketPageBodies)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("bucket %s: %w", schema.BucketPageBodies, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", schema.BucketPageBodies, err)
	}
	s.os = os
	return os, nil
}
