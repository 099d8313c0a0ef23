package pagebody

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestAttachOpen: a body travels inline when it fits, by reference into
// the object store when not, and reads back the same either way; a body
// gone from the store is final.
func TestAttachOpen(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	store, err := CreateStore(t.Context(), js, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	reader := NewStore(js)
	small := []byte("<p>a short page</p>")
	large := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range large {
		large[i] = byte(rng.Uint32()) // does not compress
	}
	tests := []struct {
		name    string
		give    []byte
		kind    string
		wantRef bool
	}{
		{name: "inline", give: small},
		{name: "by reference", give: large, wantRef: true},
		{name: "a sitemap by reference", give: large, kind: schema.KindSitemap, wantRef: true},
	}
	for i, tt := range tests {
		page := schema.FetchedPage{V: schema.Version, URL: "https://news.example/a", Status: 200, FetchedAt: time.Now()}
		if tt.kind != "" {
			page.Hints = &schema.Hints{Kind: tt.kind}
		}
		if err := Attach(t.Context(), &page, tt.give, 4<<10, store, fmt.Sprintf("page-%d", i)); err != nil {
			t.Fatalf("%s: Attach: %v", tt.name, err)
		}
		if (page.BodyRef != "") != tt.wantRef || (len(page.Body) == 0) != tt.wantRef || page.BodySize != len(tt.give) {
			t.Errorf("%s: body %d bytes inline, ref %q, size %d", tt.name, len(page.Body), page.BodyRef, page.BodySize)
		}
		if err := page.Validate(); err != nil {
			t.Errorf("%s: page invalid: %v", tt.name, err)
		}
		got, err := Open(t.Context(), &page, reader)
		if err != nil || !bytes.Equal(got, tt.give) {
			t.Errorf("%s: Open = %d bytes, %v", tt.name, len(got), err)
		}
		if has, err := reader.Has(t.Context(), page.BodyRef); tt.wantRef && (!has || err != nil) {
			t.Errorf("%s: Has = %v, %v", tt.name, has, err)
		}
	}

	gone := schema.FetchedPage{V: schema.Version, BodyEncoding: schema.EncodingZstd, BodyRef: "page-expired"}
	if _, err := Open(t.Context(), &gone, reader); !errors.Is(err, ErrNotFound) || !Final(err) {
		t.Errorf("Open of a missing body = %v, want a final ErrNotFound", err)
	}
	if has, err := reader.Has(t.Context(), "page-expired"); has || err != nil {
		t.Errorf("Has of a missing body = %v, %v", has, err)
	}
	if _, err := Open(t.Context(), &gone, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open by reference without a store = %v, want ErrNotFound", err)
	}
}

// TestOpenWithoutBucket: readers may start before the fetcher made the
// bucket; a reference then is a body not found, and Has says no.
func TestOpenWithoutBucket(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	reader := NewStore(js)
	page := schema.FetchedPage{BodyEncoding: schema.EncodingZstd, BodyRef: "page-1"}
	if _, err := Open(t.Context(), &page, reader); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open = %v, want ErrNotFound", err)
	}
	if has, err := reader.Has(t.Context(), "page-1"); has || err != nil {
		t.Errorf("Has = %v, %v", has, err)
	}
}

// failingStore is a store that is down.
type failingStore struct{}

func (failingStore) Put(context.Context, string, []byte) error { return errors.New("nats: timeout") }
func (failingStore) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("nats: timeout")
}

func TestStoreDownIsNotFinal(t *testing.T) {
	page := schema.FetchedPage{}
	if err := Attach(t.Context(), &page, make([]byte, 1<<20), 10, failingStore{}, "p"); err == nil {
		t.Error("Attach to a store that is down: want an error")
	}
	page = schema.FetchedPage{BodyEncoding: schema.EncodingZstd, BodyRef: "p"}
	if _, err := Open(t.Context(), &page, failingStore{}); err == nil || Final(err) {
		t.Errorf("Open from a store that is down = %v, want a retryable error", err)
	}
}

func TestText(t *testing.T) {
	page := schema.FetchedPage{}
	Text(&page, "Sitemap: https://news.example/sitemap.xml\n")
	got, err := Open(t.Context(), &page, nil)
	if err != nil || string(got) != "Sitemap: https://news.example/sitemap.xml\n" || page.BodyEncoding != schema.EncodingIdentity {
		t.Errorf("Text then Open = %q, %v (encoding %s)", got, err, page.BodyEncoding)
	}
}
