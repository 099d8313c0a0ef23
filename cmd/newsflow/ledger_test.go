package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
)

// books is a hand-made pipeline state on a real server: streams with a
// short duplicate window (so a test can write one record twice, as a stage
// does for a message redelivered after the window) and helpers to write
// what the stages write.
type books struct {
	t   *testing.T
	url string
	nc  *nats.Conn
	js  jetstream.JetStream
	api string
}

const testDupWindow = 100 * time.Millisecond

func newBooks(t *testing.T, indexed, indexedURLs int) *books {
	t.Helper()
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{DuplicateWindow: testDupWindow}); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"articles":%d,"urls":%d,"duplicate_rows":0}`, indexed, indexedURLs)
	}))
	t.Cleanup(api.Close)
	return &books{t: t, url: s.ClientURL(), nc: nc, js: js, api: api.URL}
}

func (b *books) publish(subject, msgID string, header map[string]string, body any) uint64 {
	b.t.Helper()
	data, _ := json.Marshal(body)
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	for k, v := range header {
		msg.Header.Set(k, v)
	}
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	ack, err := b.js.PublishMsg(b.t.Context(), msg, opts...)
	if err != nil {
		b.t.Fatal(err)
	}
	if ack.Duplicate {
		b.t.Fatalf("%s %s: dropped as a duplicate", subject, msgID)
	}
	return ack.Sequence
}

// accept puts n URLs on crawl.urls.
func (b *books) accept(n int) {
	for i := range n {
		b.publish(schema.SubjectCrawlURLs, "", nil, schema.CrawlRequest{V: 1, URL: fmt.Sprintf("https://news.example/%d", i)})
	}
}

// fetch takes n messages off the CRAWL work queue as the fetcher does,
// acking them unless hold.
func (b *books) fetch(n int, hold bool) {
	b.t.Helper()
	c, err := bus.EnsureConsumer(b.t.Context(), b.js, bus.Topology{}, schema.ConsumerFetcher)
	if err != nil {
		b.t.Fatal(err)
	}
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		b.t.Fatal(err)
	}
	got := 0
	for m := range batch.Messages() {
		got++
		if !hold {
			if err := m.DoubleAck(b.t.Context()); err != nil {
				b.t.Fatal(err)
			}
		}
	}
	if got != n {
		b.t.Fatalf("fetched %d of %d", got, n)
	}
}

// outcome records the fetcher's outcome for CRAWL message seq, with the
// Nats-Msg-Id the runner gives it.
func (b *books) outcome(seq uint64, outcome, msgID string) {
	b.publish(schema.SubjectCrawlOutcome, fmt.Sprintf(msgID, seq), nil, schema.Outcome{V: 1, Stage: "fetcher", Outcome: outcome, URL: "https://news.example/"})
}

// record is the parser's record of one page.
func (b *books) record(pageType, msgID string) {
	b.publish(schema.SubjectArticlesParsed, msgID, map[string]string{schema.HeaderPageType: pageType}, schema.Article{V: 1, URL: "https://news.example/a", PageType: pageType})
}

// advisory is JetStream's max-deliveries advisory for a message.
func (b *books) advisory(stream, consumer string, seq uint64) {
	b.t.Helper()
	adv, _ := json.Marshal(crawlview.MaxDeliveriesAdvisory{Stream: stream, Consumer: consumer, StreamSeq: seq, Deliveries: 8})
	if err := b.nc.Publish(schema.SubjectMaxDeliveriesAdvisory+"."+stream+"."+consumer, adv); err != nil {
		b.t.Fatal(err)
	}
	if err := b.nc.Flush(); err != nil {
		b.t.Fatal(err)
	}
}

func (b *books) ledger() *Ledger {
	b.t.Helper()
	var l *Ledger
	// Advisories are plain publishes: wait until the stream has them.
	waitUntil(b.t, "the ledger", func() bool {
		var err error
		l, err = readLedger(b.t.Context(), b.js, b.api)
		return err == nil
	})
	return l
}

// TestLedgerCountsEachMessageOnce builds the books of a server that does
// not understand terminate-with-reason (nats-server 2.9): a rejected
// crawl.urls message is recorded by the fetcher (outcome and dead letter),
// redelivered to MaxDeliver, reported by JetStream's advisory, and stays in
// the work queue; a record is written twice past the duplicate window. Each
// message must count once, and the books balance.
func TestLedgerCountsEachMessageOnce(t *testing.T) {
	b := newBooks(t, 1, 1)
	b.accept(5)
	b.fetch(3, false) // 1-3 done; 4 and 5 stay queued
	b.outcome(1, schema.OutcomeFetched, "fetcher:%d:0")
	b.outcome(2, "http_error", "fetcher:%d:0")
	b.outcome(3, schema.OutcomeInvalid, "fetcher:%d:rejected:0")
	time.Sleep(2 * testDupWindow)
	b.outcome(3, schema.OutcomeInvalid, "fetcher:%d:rejected:0") // the same record again, past the window
	// 4: rejected, but the server redelivered it to MaxDeliver.
	b.outcome(4, schema.OutcomeInvalid, "fetcher:%d:rejected:0")
	dl := schema.DeadLetter{V: 1, Stage: "fetcher", Stream: schema.StreamCrawl, Seq: 4, Subject: schema.SubjectCrawlURLs, Fate: "invalid", Reason: "garbage", Data: []byte("garbage")}
	b.publish(schema.DeadLetterSubject("fetcher"), "dl:fetcher:CRAWL:4", nil, dl)
	b.advisory(schema.StreamCrawl, schema.ConsumerFetcher, 4)
	// 5: never handled (the fetcher crashed on every attempt).
	b.advisory(schema.StreamCrawl, schema.ConsumerFetcher, 5)
	b.record(schema.PageArticle, "parsed:5:page1")
	time.Sleep(2 * testDupWindow)
	b.record(schema.PageArticle, "parsed:5:page1")

	var l *Ledger
	waitUntil(t, "both advisories", func() bool {
		l = b.ledger()
		return l.Stuck == 1
	})
	wantFetcher := map[string]int{schema.OutcomeFetched: 1, "http_error": 1, schema.OutcomeInvalid: 2}
	if !maps.Equal(l.Fetcher, wantFetcher) {
		t.Errorf("fetcher outcomes %v, want %v (one per message)", l.Fetcher, wantFetcher)
	}
	if l.Parser[schema.PageArticle] != 1 {
		t.Errorf("parser records %v, want one article", l.Parser)
	}
	wantDead := map[string]int{"fetcher": 1, "fetcher (unhandled)": 1}
	if !maps.Equal(l.DeadLetters, wantDead) {
		t.Errorf("dead letters %v, want %v", l.DeadLetters, wantDead)
	}
	if l.Accepted != 5 || l.InFetcher != 0 || l.Stuck != 1 || l.Repeated != 3 {
		t.Errorf("accepted %d in fetcher %d stuck %d repeated %d, want 5 0 1 3", l.Accepted, l.InFetcher, l.Stuck, l.Repeated)
	}
	for stage, bal := range l.Balance {
		if bal != 0 {
			t.Errorf("%s balance %d, want 0", stage, bal)
		}
	}
	if l.Lost != 0 || l.OverCounted != 0 || l.Busy || l.Check() != nil {
		t.Errorf("lost %d over %d busy %v check %v: the books balance", l.Lost, l.OverCounted, l.Busy, l.Check())
	}

	stdout, _, err := runCLI(t, "", "ledger", "--json", "--nats-url", b.url, "--api", b.api)
	if err != nil {
		t.Fatalf("ledger --json: %v", err)
	}
	var got Ledger
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Accepted != 5 || got.Balance["fetcher"] != 0 {
		t.Errorf("ledger --json: %v\n%s", err, stdout)
	}
}

// TestLedgerReportsOverCounts: a stage with more records than inputs is
// an error, reported beside a loss elsewhere instead of hiding it.
func TestLedgerReportsOverCounts(t *testing.T) {
	b := newBooks(t, 1, 1)
	b.accept(2)
	b.fetch(2, false)
	b.outcome(1, schema.OutcomeFetched, "fetcher:%d:0")
	// 2: acked with no outcome: lost at the fetcher.
	b.record(schema.PageArticle, "parsed:5:page1")
	b.record(schema.PageSection, "parsed:5:page2") // a record for no fetched page

	l := b.ledger()
	if l.Balance["fetcher"] != 1 || l.Balance["parser"] != -1 || l.Lost != 1 || l.OverCounted != 1 {
		t.Errorf("balance %v lost %d over-counted %d; want fetcher 1, parser -1", l.Balance, l.Lost, l.OverCounted)
	}
	err := l.Check()
	if err == nil || !strings.Contains(err.Error(), "1 lost at the fetcher") || !strings.Contains(err.Error(), "1 counted more than once at the parser") {
		t.Errorf("Check() = %v", err)
	}
	stdout, _, err := runCLI(t, "", "ledger", "--nats-url", b.url, "--api", b.api)
	if err == nil {
		t.Error("ledger exit status 0 on books that do not balance")
	}
	if !strings.Contains(stdout, "counted twice") || !strings.Contains(stdout, "lost                        1") {
		t.Errorf("ledger output:\n%s", stdout)
	}
}

// TestLedgerBusy: while a stage holds a message, the counts are not
// checked, and the ledger says why.
func TestLedgerBusy(t *testing.T) {
	b := newBooks(t, 0, 0)
	b.accept(2)
	b.fetch(1, true) // in the fetcher's hands
	l := b.ledger()
	if !l.Busy || l.Check() != nil {
		t.Errorf("busy %v check %v, want busy and no error", l.Busy, l.Check())
	}
	stdout, _, err := runCLI(t, "", "ledger", "--nats-url", b.url, "--api", b.api)
	if err != nil || !strings.Contains(stdout, "the stages were working") {
		t.Errorf("ledger: %v\n%s", err, stdout)
	}
}

// TestLedgerIndexerUnreachable: the ledger fails rather than print a
// partial account, and --api "" leaves the index out on purpose.
func TestLedgerIndexerUnreachable(t *testing.T) {
	b := newBooks(t, 0, 0)
	dead := "http://" + freeAddr(t)
	stdout, _, err := runCLI(t, "", "ledger", "--nats-url", b.url, "--api", dead)
	if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(dead, "http://")) {
		t.Errorf("ledger with the indexer down: %v, want an error naming it", err)
	}
	if strings.Contains(stdout, "-1") || strings.Contains(stdout, "lost") {
		t.Errorf("ledger printed an account without the index:\n%s", stdout)
	}
	stdout, _, err = runCLI(t, "", "ledger", "--nats-url", b.url, "--api", "")
	if err != nil || !strings.Contains(stdout, "index not checked") || strings.Contains(stdout, "-1") {
		t.Errorf("ledger --api '': %v\n%s", err, stdout)
	}
}

// eachMessage calls fn for every message of a stream, in order.
func eachMessage(ctx context.Context, js jetstream.JetStream, stream string, fn func(jetstream.Msg)) error {
	return crawlview.Scan(ctx, js, stream, crawlview.ScanOptions{}, func(m jetstream.Msg) error {
		fn(m)
		return nil
	})
}
