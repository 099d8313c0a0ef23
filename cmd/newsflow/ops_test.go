package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/schema"
)

// crawlSmallSite runs the stages in-process on a fresh JetStream server,
// crawls a small demo site to the end and returns what a test needs.
func crawlSmallSite(t *testing.T, articles int) (js jetstream.JetStream, api string, manifest demosite.Manifest) {
	t.Helper()
	s := bustest.Server(t)
	site := demosite.New(demosite.Options{Articles: articles})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	manifest = site.Manifest(srv.URL)
	common := map[string]string{"NATS_URL": s.ClientURL(), "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "500",
		"INDEXER_STORE": filepath.Join(t.TempDir(), "ops.db")}
	api, _ = runStages(t, sameEnv(common, nil, nil, nil))
	_, js = bustest.Connect(t, s)
	if err := submit(t.Context(), bus.NewPublisher(js), []string{manifest.Home}, discard{}); err != nil {
		t.Fatal(err)
	}
	waitDrained(t, js, api, len(manifest.Articles))
	return js, api, manifest
}

// waitDrained waits until want articles are indexed and no stage has work.
func waitDrained(t *testing.T, js jetstream.JetStream, api string, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	quiet := 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("not drained: %d of %d indexed", statsOf(t, api).Articles, want)
		}
		time.Sleep(200 * time.Millisecond)
		if statsOf(t, api).Articles >= want && !pipelineBusy(t.Context(), js) {
			quiet++
		} else {
			quiet = 0
		}
	}
}

type apiStats struct {
	Articles int `json:"articles"`
}

func statsOf(t *testing.T, api string) apiStats {
	t.Helper()
	var s apiStats
	_ = getJSON(context.Background(), api+"/api/stats", &s)
	return s
}

func streamLast(t *testing.T, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	st, err := js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

// TestReparseUpdatesInPlace re-extracts the retained pages of a finished
// crawl: every article page goes through the parser again and its row is
// updated in place; nothing is fetched and no link is followed again.
func TestReparseUpdatesInPlace(t *testing.T) {
	js, api, manifest := crawlSmallSite(t, 30)
	before := statsOf(t, api)
	crawlBefore, articlesBefore := streamLast(t, js, schema.StreamCrawl), streamLast(t, js, schema.StreamArticles)
	var art struct {
		UpdatedAt time.Time `json:"updated_at"`
	}
	probe := api + "/api/articles?url=" + manifest.Articles[3].URL
	if err := getJSON(t.Context(), probe, &art); err != nil {
		t.Fatal(err)
	}
	updatedBefore := art.UpdatedAt
	ledgerBefore, err := readLedger(t.Context(), js, api)
	if err != nil {
		t.Fatal(err)
	}

	n, expired, err := reparse(t.Context(), js, time.Now().Add(-time.Hour), false)
	if err != nil || expired != 0 {
		t.Fatalf("reparse: %v (%d bodies expired)", err, expired)
	}
	if n < len(manifest.Articles) {
		t.Fatalf("reparse sent %d pages, the crawl fetched at least %d", n, len(manifest.Articles))
	}
	waitUntil(t, "every reparsed article", func() bool {
		return streamLast(t, js, schema.StreamArticles)-articlesBefore >= uint64(len(manifest.Articles))
	})
	waitDrained(t, js, api, len(manifest.Articles))

	if after := statsOf(t, api); after.Articles != before.Articles {
		t.Errorf("articles %d -> %d: a reparse must update in place", before.Articles, after.Articles)
	}
	if got := streamLast(t, js, schema.StreamCrawl); got != crawlBefore {
		t.Errorf("crawl.urls grew by %d: a reparse must not follow links again", got-crawlBefore)
	}
	if err := getJSON(t.Context(), probe, &art); err != nil {
		t.Fatal(err)
	}
	if !art.UpdatedAt.After(updatedBefore) {
		t.Errorf("article updated_at %v -> %v: the reparse did not update the row", updatedBefore, art.UpdatedAt)
	}
	// The reparse run's records are not new fetches: the ledger's parser
	// counts stay as they were, and it still balances.
	ledgerAfter, err := readLedger(t.Context(), js, api)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(ledgerBefore.Parser, ledgerAfter.Parser) || ledgerAfter.Lost != 0 {
		t.Errorf("ledger parser records %v -> %v (lost %d): a reparse must not count as fetches", ledgerBefore.Parser, ledgerAfter.Parser, ledgerAfter.Lost)
	}
	// A dry run counts without sending.
	if n2, _, err := reparse(t.Context(), js, time.Now().Add(-time.Hour), true); err != nil || n2 != n {
		t.Errorf("dry run: %d, %v; want %d", n2, err, n)
	}
}

// TestDeadLettersListAndRetry lists a dead letter recorded by a stage and a
// max-deliveries advisory, and retries both: each original payload goes
// back to its subject and the entries are removed.
func TestDeadLettersListAndRetry(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	ctx := t.Context()
	if err := bus.EnsureStreams(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	// A record as the runner writes it.
	dl := schema.DeadLetter{V: 1, Stage: "fetcher", Stream: "CRAWL", Seq: 9, Subject: schema.SubjectCrawlURLs, Fate: "dead_letter",
		Reason: "gave up after 8 attempts: connection refused", Attempts: 8, URL: "https://down.example/a", At: time.Now(), Data: []byte("https://down.example/a")}
	data, _ := json.Marshal(dl)
	if _, err := js.Publish(ctx, schema.DeadLetterSubject("fetcher"), data); err != nil {
		t.Fatal(err)
	}
	// A message stuck at MaxDeliver in PAGES, and its advisory.
	ack, err := js.Publish(ctx, schema.SubjectPagesFetched, []byte(`{"v":1,"url":"https://stuck.example/"}`))
	if err != nil {
		t.Fatal(err)
	}
	adv, _ := json.Marshal(crawlview.MaxDeliveriesAdvisory{Stream: schema.StreamPages, Consumer: "parser", StreamSeq: ack.Sequence, Deliveries: 5})
	nc, _ := nats.Connect(s.ClientURL())
	defer nc.Close()
	if err := nc.Publish(schema.SubjectMaxDeliveriesAdvisory+".PAGES.parser", adv); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	waitUntil(t, "two dead letters", func() bool { e, _ := readDeadLetters(ctx, js); return len(e) == 2 })

	var out bytes.Buffer
	entries, _ := readDeadLetters(ctx, js)
	if err := listDeadLetters(&out, entries, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"https://down.example/a", "connection refused", "stuck.example", "MaxDeliver", "2 dead letter(s)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, out.String())
		}
	}

	crawlBefore, pagesBefore := streamLast(t, js, schema.StreamCrawl), streamLast(t, js, schema.StreamPages)
	for _, e := range entries {
		if err := crawlview.Retry(ctx, js, e); err != nil {
			t.Fatalf("retry %d: %v", e.ID, err)
		}
	}
	if got := streamLast(t, js, schema.StreamCrawl); got != crawlBefore+1 {
		t.Errorf("crawl.urls got %d messages, want the retried URL", got-crawlBefore)
	}
	if got := streamLast(t, js, schema.StreamPages); got != pagesBefore+1 {
		t.Errorf("pages.fetched got %d messages, want the retried page", got-pagesBefore)
	}
	pages, _ := js.Stream(ctx, schema.StreamPages)
	if _, err := pages.GetMsg(ctx, ack.Sequence); err == nil {
		t.Error("the stuck original is still in PAGES after its retry")
	}
	if e, _ := readDeadLetters(ctx, js); len(e) != 0 {
		t.Errorf("%d dead letters left after retrying all", len(e))
	}
}

// TestLedgerBalance checks the ledger's arithmetic on hand-made counts.
func TestLedgerBalance(t *testing.T) {
	tests := []struct {
		name     string
		give     Ledger
		wantLost int
		wantOver int
	}{
		{name: "balanced", give: Ledger{Accepted: 10, Fetcher: map[string]int{"fetched": 6, "duplicate": 2, "robots_denied": 1}, InFetcher: 1,
			Parser: map[string]int{"article": 4, "section": 1, "feed": 1}, Indexed: 3, IndexedURLs: 4}},
		{name: "a URL without a fetcher outcome", give: Ledger{Accepted: 10, Fetcher: map[string]int{"fetched": 6, "duplicate": 3},
			Parser: map[string]int{"article": 6}, Indexed: 6, IndexedURLs: 6}, wantLost: 1},
		{name: "a page without a parser record", give: Ledger{Accepted: 5, Fetcher: map[string]int{"fetched": 5},
			Parser: map[string]int{"article": 3, "home": 1}, Indexed: 3, IndexedURLs: 3}, wantLost: 1},
		{name: "a page dead-lettered by the parser", give: Ledger{Accepted: 5, Fetcher: map[string]int{"fetched": 5},
			Parser: map[string]int{"article": 3, "home": 1}, Indexed: 3, IndexedURLs: 3, DeadLetters: map[string]int{"parser": 1}}},
		{name: "an article neither indexed nor dead-lettered", give: Ledger{Accepted: 5, Fetcher: map[string]int{"fetched": 5},
			Parser: map[string]int{"article": 5}, Indexed: 4, IndexedURLs: 3, DeadLetters: map[string]int{"indexer": 1}}, wantLost: 1},
		{name: "index left out: its part not counted", give: Ledger{Accepted: 2, Fetcher: map[string]int{"fetched": 2},
			Parser: map[string]int{"article": 2}, Indexed: -1, IndexedURLs: -1}},
		{name: "a page dead-lettered only by the advisory", give: Ledger{Accepted: 5, Fetcher: map[string]int{"fetched": 5},
			Parser: map[string]int{"article": 3, "home": 1}, Indexed: 3, IndexedURLs: 3, DeadLetters: map[string]int{"parser (unhandled)": 1}}},
		// An over-count is no longer clamped to zero: it is reported, and a
		// loss at another stage still shows.
		{name: "more outcomes than accepted URLs", give: Ledger{Accepted: 3, Fetcher: map[string]int{"fetched": 2, "invalid": 2},
			Parser: map[string]int{"article": 2}, Indexed: 2, IndexedURLs: 2}, wantOver: 1},
		{name: "an over-count does not hide a loss elsewhere", give: Ledger{Accepted: 3, Fetcher: map[string]int{"fetched": 3, "invalid": 1},
			Parser: map[string]int{"article": 2}, Indexed: 2, IndexedURLs: 2}, wantLost: 1, wantOver: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.give
			if l.DeadLetters == nil {
				l.DeadLetters = map[string]int{}
			}
			l.balance()
			if l.Lost != tt.wantLost || l.OverCounted != tt.wantOver {
				t.Errorf("lost = %d, over-counted = %d; want %d, %d (balance %v)", l.Lost, l.OverCounted, tt.wantLost, tt.wantOver, l.Balance)
			}
			if err := l.Check(); (err != nil) != (tt.wantLost+tt.wantOver > 0) {
				t.Errorf("Check() = %v", err)
			}
		})
	}
}
