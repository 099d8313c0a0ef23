// Package sources is the registry of feeds and sitemaps re-polled on a
// schedule, kept in a JetStream KV bucket so every replica and the
// operator's tool (`newsflow sources add|list|remove`) share it. The
// parser claims due sources and queues them on crawl.urls; a due source
// is claimed with compare-and-set so one replica queues it. The fetcher
// keeps each source's ETag and Last-Modified here, so a re-poll is a
// conditional request.
package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Bucket is the KV bucket holding the registry.
const Bucket = "sources"

// Kinds of sources.
const (
	KindFeed    = schema.KindFeed
	KindSitemap = schema.KindSitemap
	// KindPage is a home or section page, re-polled for new links.
	KindPage = schema.KindPolledPage
)

// MinEvery is the shortest re-poll interval accepted.
const MinEvery = time.Minute

// ErrNotFound is returned by Remove and Get for an unknown source.
var ErrNotFound = errors.New("source not found")

// Source is one registered feed or sitemap.
type Source struct {
	URL   string        `json:"url"`
	Kind  string        `json:"kind"`
	Every time.Duration `json:"every"`
	Added time.Time     `json:"added"`
	// NextDue is when the source is next polled.
	NextDue    time.Time `json:"next_due"`
	LastPolled time.Time `json:"last_polled,omitzero"`
	// ETag and LastModified are the validators of the last response.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Registry reads and writes sources.
type Registry struct {
	js jetstream.JetStream
	kv jetstream.KeyValue
}

// Open ensures the bucket exists and returns the registry.
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Registry, error) {
	kv, err := bus.EnsureKeyValue(ctx, js, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "feeds and sitemaps re-polled on a schedule",
		History:     1,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return &Registry{js: js, kv: kv}, nil
}

// GuessKind guesses a source's kind from its URL: "sitemap" for URLs that
// name a sitemap, "feed" for URLs that look like feeds (rss, atom, feed,
// .xml, .rdf), "page" otherwise. A wrong guess costs little: what the
// response turns out to be decides how the parser reads it.
func GuessKind(u string) string {
	l := strings.ToLower(u)
	if p, err := url.Parse(l); err == nil {
		l = p.Host + p.Path // not the query: ?utm_source=rss is no feed
	}
	switch {
	case strings.Contains(l, "sitemap"):
		return KindSitemap
	case strings.Contains(l, "rss"), strings.Contains(l, "atom"), strings.Contains(l, "feed"),
		strings.HasSuffix(l, ".xml"), strings.HasSuffix(l, ".rdf"):
		return KindFeed
	}
	return KindPage
}

// Add registers (or re-registers) a source, due at once. kind "" guesses.
// Errors: an invalid URL, an interval under MinEvery, KV failures.
func (r *Registry) Add(ctx context.Context, rawURL string, every time.Duration, kind string) (Source, error) {
	norm, err := urlnorm.Normalize(rawURL)
	if err != nil {
		return Source{}, err
	}
	if every < MinEvery {
		return Source{}, fmt.Errorf("interval %v: shorter than %v", every, MinEvery)
	}
	if kind == "" {
		kind = GuessKind(norm)
	}
	if kind != KindFeed && kind != KindSitemap && kind != KindPage {
		return Source{}, fmt.Errorf("kind %q: want feed, sitemap or page", kind)
	}
	now := time.Now().UTC()
	s := Source{URL: norm, Kind: kind, Every: every, Added: now, NextDue: now}
	if err := r.put(ctx, s, 0, false); err != nil {
		return Source{}, err
	}
	return s, nil
}

// Remove deletes a source; ErrNotFound if it is not registered.
func (r *Registry) Remove(ctx context.Context, rawURL string) error {
	norm, err := urlnorm.Normalize(rawURL)
	if err != nil {
		return err
	}
	if _, _, err := r.Get(ctx, norm); err != nil {
		return err
	}
	if err := r.kv.Delete(ctx, Key(norm)); err != nil {
		return fmt.Errorf("remove source: %w", err)
	}
	return nil
}

// Get returns the source with the normalised URL and its revision.
func (r *Registry) Get(ctx context.Context, norm string) (Source, uint64, error) {
	e, err := r.kv.Get(ctx, Key(norm))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Source{}, 0, ErrNotFound
	}
	if err != nil {
		return Source{}, 0, fmt.Errorf("get source: %w", err)
	}
	var s Source
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return Source{}, 0, fmt.Errorf("source %s: %w", norm, err)
	}
	return s, e.Revision(), nil
}

// List returns every source, sorted by URL.
//
// Keys are read from the bucket stream's subject list (a stream info
// request) rather than with a KV watcher, which would need permission to
// create consumers on the bucket.
func (r *Registry) List(ctx context.Context) ([]Source, error) {
	stream, err := r.js.Stream(ctx, "KV_"+Bucket)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	prefix := "$KV." + Bucket + "."
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	var out []Source
	for subj := range info.State.Subjects {
		e, err := r.kv.Get(ctx, strings.TrimPrefix(subj, prefix))
		if err != nil {
			continue // deleted meanwhile
		}
		var s Source
		if json.Unmarshal(e.Value(), &s) == nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

// Due claims the sources due at now: each one's NextDue moves one
// interval on with compare-and-set, so of several replicas exactly one
// gets it.
func (r *Registry) Due(ctx context.Context, now time.Time) ([]Source, error) {
	all, err := r.List(ctx)
	if err != nil {
		return nil, err
	}
	var due []Source
	for _, s := range all {
		if now.Before(s.NextDue) {
			continue
		}
		cur, rev, err := r.Get(ctx, s.URL)
		if err != nil || now.Before(cur.NextDue) {
			continue
		}
		polled := cur
		next := cur.NextDue.Add(cur.Every)
		if next.Before(now) {
			next = now.Add(cur.Every)
		}
		cur.NextDue = next
		cur.LastPolled = now
		if err := r.put(ctx, cur, rev, true); err != nil {
			continue // another replica took it
		}
		due = append(due, polled)
	}
	return due, nil
}

// SetValidators stores the ETag and Last-Modified of the latest response
// for the source norm, if it is registered.
func (r *Registry) SetValidators(ctx context.Context, norm, etag, lastModified string) error {
	for range 4 {
		s, rev, err := r.Get(ctx, norm)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if s.ETag == etag && s.LastModified == lastModified {
			return nil
		}
		s.ETag, s.LastModified = etag, lastModified
		if err := r.put(ctx, s, rev, true); err == nil {
			return nil
		}
	}
	return errors.New("set validators: contended")
}

func (r *Registry) put(ctx context.Context, s Source, rev uint64, cas bool) error {
	val, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode source: %w", err)
	}
	if cas {
		_, err = r.kv.Update(ctx, Key(s.URL), val, rev)
	} else {
		_, err = r.kv.Put(ctx, Key(s.URL), val)
	}
	if err != nil {
		return fmt.Errorf("store source: %w", err)
	}
	return nil
}

// Key is the registry's key for a normalised source URL (a hash: URLs
// hold characters KV keys may not).
func Key(norm string) string { return hashKey(norm) }

// ErrNoRegistry is returned by OpenExisting when the bucket does not
// exist: nothing was ever registered.
var ErrNoRegistry = errors.New("no sources registry")

// OpenExisting returns the registry without creating or updating its
// bucket, for readers whose permissions allow no more (the indexer's
// operator page). A missing bucket is ErrNoRegistry.
func OpenExisting(ctx context.Context, js jetstream.JetStream) (*Registry, error) {
	kv, err := js.KeyValue(ctx, Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, ErrNoRegistry
	}
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return &Registry{js: js, kv: kv}, nil
}
