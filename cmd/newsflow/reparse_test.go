package main

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestReparseSkipsExpiredBodies: a retained page whose body has expired
// from the object store is not sent (the parser could only dead-letter
// it); pages inline or with their body in the store are, and pages that
// are themselves reparses are not.
func TestReparseSkipsExpiredBodies(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if err := bus.EnsureStreams(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	store, err := pagebody.CreateStore(ctx, js, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 8<<10) // encoded, over the inline limit of 64 bytes
	for i := range big {
		big[i] = byte(i*i + i>>3)
	}
	publish := func(name string, body []byte, ref, reparse string) {
		t.Helper()
		p := schema.FetchedPage{V: schema.Version, URL: "https://news.example/" + name, Status: 200, FetchedAt: time.Now().UTC(), Reparse: reparse}
		if err := pagebody.Attach(ctx, &p, body, 64, store, ref); err != nil {
			t.Fatal(err)
		}
		data, err := pagebody.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, schema.SubjectPagesFetched, data); err != nil {
			t.Fatal(err)
		}
	}
	publish("inline", []byte("<p>x</p>"), "page-inline", "")
	publish("stored", big, "page-stored", "")
	publish("expired", big, "page-expired", "")
	publish("earlier-reparse", []byte("<p>y</p>"), "page-r", "run1")
	// The object store's TTL ran out for one body.
	os, err := js.ObjectStore(ctx, schema.BucketPageBodies)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Delete(ctx, "page-expired"); err != nil {
		t.Fatal(err)
	}

	sent, expired, err := reparse(ctx, js, time.Now().Add(-time.Hour), true)
	if err != nil || sent != 2 || expired != 1 {
		t.Errorf("reparse dry run = %d sent, %d expired, %v; want 2 and 1", sent, expired, err)
	}
}
