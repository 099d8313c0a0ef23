package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestHostileMessages publishes malformed JSON, wrong schema versions,
// binary garbage, 1 MB+ payloads and empty messages on every subject a
// stage consumes. Each must end with a clear outcome — refused at publish
// by the stream, or terminated by the stage with a dead-letter record
// giving the reason — and every stage must keep working: a valid message
// sent after the garbage still flows to the index.
func TestHostileMessages(t *testing.T) {
	ns, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir(), MaxPayload: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	site := demosite.New(demosite.Options{Articles: 20})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	manifest := site.Manifest(srv.URL)

	common := map[string]string{"NATS_URL": ns.ClientURL(), "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "200",
		"PARSER_EXPAND": "false", "INDEXER_STORE": filepath.Join(t.TempDir(), "h.db"), "PARSER_MAX_DEPTH": "0"}
	api, errs := runStages(t, sameEnv(common, nil, nil, nil))
	ctx := t.Context()

	nc, js, err := bus.Connect(ctx, bus.ConnOptions{URL: ns.ClientURL()}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	waitUntil(t, "every consumer", func() bool {
		for name, sc := range bus.DefaultTopology().Consumers() {
			if _, err := js.Consumer(ctx, sc.Stream, name); err != nil {
				return false
			}
		}
		return true
	})

	garbage := map[string][]byte{
		"empty":          {},
		"malformed JSON": []byte(`{"v":1,"url":"https://x.example/","depth":`),
		"wrong version":  []byte(`{"v":99,"url":"https://x.example/","canonical_url":"https://x.example/"}`),
		"binary garbage": {0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x9c},
		"1.5 MB payload": bytes.Repeat([]byte("A"), 1536<<10),
		"not a URL":      []byte("javascript:alert(1)"),
		// pages.fetched envelopes (pagebody.Marshal) that lie or break.
		"envelope, metadata length past the end": []byte(pagebody.Magic + "\xff\x7f{}"),
		"envelope, metadata not JSON":            []byte(pagebody.Magic + "\x05hello<html>"),
		"envelope, body both inline and by reference": []byte(pagebody.Magic + "\x7c" +
			`{"v":1,"url":"https://x.example/","status":200,"body_encoding":"s2","fetched_at":"2026-01-01T00:00:00Z","body_ref":"page-x"}` + "body"),
	}
	accepted := map[string]int{}
	for _, subject := range []string{schema.SubjectCrawlURLs, schema.SubjectPagesFetched, schema.SubjectArticlesParsed} {
		for name, payload := range garbage {
			_, err := js.Publish(ctx, subject, payload)
			var apiErr *jetstream.APIError
			switch {
			case err == nil:
				accepted[subject]++
			case errors.As(err, &apiErr):
				// Refused by the stream (crawl.urls takes no message over
				// 64 KiB): the publisher gets the reason at once.
				t.Logf("%s on %s refused at publish: %v", name, subject, err)
			default:
				t.Fatalf("%s on %s: %v", name, subject, err)
			}
		}
	}

	// Valid work after the garbage still flows through every stage.
	submitCtx, cancelSubmit := context.WithTimeout(ctx, 10*time.Second)
	defer cancelSubmit()
	if err := submit(submitCtx, bus.NewPublisher(js), []string{manifest.Articles[0].URL}, discard{}); err != nil {
		t.Fatal(err)
	}
	art := schema.Article{V: schema.Version, URL: "https://direct.example/2024/01/02/hand-made", CanonicalURL: "https://direct.example/2024/01/02/hand-made",
		Title: "A hand-made article", Body: "Sent straight to articles.parsed after the garbage.", PageType: schema.PageArticle,
		ContentHash: "abc123", FetchedAt: time.Now().UTC(), ExtractorVersion: "test"}
	data, _ := json.Marshal(art)
	if _, err := js.Publish(ctx, schema.SubjectArticlesParsed, data); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case err := <-errs:
			t.Fatalf("a stage stopped: %v", err)
		default:
		}
		var stats struct {
			Articles int `json:"articles"`
		}
		_ = getJSON(ctx, api+"/api/stats", &stats)
		if stats.Articles == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexed %d articles after the garbage, want 2 (the crawled one and the hand-made one)", stats.Articles)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Every accepted piece of garbage was terminated with a reason.
	var entries []crawlview.DeadEntry
	want := accepted[schema.SubjectCrawlURLs] + accepted[schema.SubjectPagesFetched] + accepted[schema.SubjectArticlesParsed]
	waitUntil(t, "a dead-letter record per accepted garbage message", func() bool {
		entries, _ = readDeadLetters(ctx, js)
		return len(entries) == want
	})
	byStage := map[string]int{}
	for _, e := range entries {
		byStage[e.Record.Stage]++
		if e.Record.Fate != "invalid" || e.Record.Reason == "" {
			t.Errorf("dead letter %+v: want fate invalid with a reason", e.Record)
		}
	}
	for stage, subject := range map[string]string{"fetcher": schema.SubjectCrawlURLs, "parser": schema.SubjectPagesFetched, "indexer": schema.SubjectArticlesParsed} {
		if byStage[stage] != accepted[subject] {
			t.Errorf("%s: %d dead letters for %d accepted garbage messages", stage, byStage[stage], accepted[subject])
		}
	}
	// The fetcher's garbage also has an outcome on crawl.outcome (every
	// accepted crawl request ends in one); the parser publishes none.
	invalid := 0
	if err := eachMessage(ctx, js, schema.StreamOutcomes, func(m jetstream.Msg) {
		var o schema.Outcome
		if json.Unmarshal(m.Data(), &o) == nil && o.Outcome == schema.OutcomeInvalid {
			invalid++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if want := accepted[schema.SubjectCrawlURLs]; invalid != want {
		t.Errorf("%d invalid outcomes, want %d", invalid, want)
	}
}
