package crawlview_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
)

// pipeline starts a server with the pipeline's streams.
func pipeline(t *testing.T) jetstream.JetStream {
	t.Helper()
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	if err := bus.EnsureStreams(t.Context(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	return js
}

func publish(t *testing.T, js jetstream.JetStream, subject string, body any, hdr nats.Header) uint64 {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: data, Header: hdr})
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

func outcome(t *testing.T, js jetstream.JetStream, u, kind, reason, trace string, at time.Time) {
	t.Helper()
	publish(t, js, schema.SubjectCrawlOutcome, schema.Outcome{V: schema.Version, URL: u, Stage: "fetcher", Outcome: kind,
		Reason: reason, TraceID: trace, At: at}, nil)
}

func TestLag(t *testing.T) {
	js := pipeline(t)
	ctx := t.Context()
	if _, err := bus.EnsureConsumer(ctx, js, bus.Topology{}, schema.ConsumerFetcher); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		publish(t, js, schema.SubjectCrawlURLs, schema.CrawlRequest{V: schema.Version, URL: fmt.Sprintf("https://a.example/%d", i)}, nil)
	}
	lag, err := crawlview.Lag(ctx, js, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(lag) != 3 || lag[0].Stage != "fetcher" || lag[1].Stage != "parser" || lag[2].Stage != "indexer" {
		t.Fatalf("lag = %+v, want fetcher, parser, indexer", lag)
	}
	if !lag[0].Exists || lag[0].Pending != 3 || lag[0].Stream != schema.StreamCrawl {
		t.Errorf("fetcher = %+v, want 3 pending on CRAWL", lag[0])
	}
	if lag[1].Exists {
		t.Errorf("parser = %+v, want no consumer yet", lag[1])
	}
}

func TestRecentOutcomes(t *testing.T) {
	js := pipeline(t)
	now := time.Now().UTC()
	outcome(t, js, "https://good.example/1", schema.OutcomeFetched, "", "t1", now)
	outcome(t, js, "https://good.example/2", schema.OutcomeFetched, "", "t2", now)
	outcome(t, js, "https://bad.example/1", schema.OutcomeHTTPError, "status 500", "t3", now.Add(-2*time.Minute))
	outcome(t, js, "https://bad.example/2", schema.OutcomeTimeout, "no answer in 10s", "t4", now)
	outcome(t, js, "https://slow.example/1", schema.OutcomeNetworkError, "connection refused", "t5", now)
	outcome(t, js, "https://good.example/3", schema.OutcomeRobotsDenied, "robots.txt", "t6", now)

	r, err := crawlview.RecentOutcomes(t.Context(), js, crawlview.RecentOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 6 || r.Truncated || r.ByKind[schema.OutcomeFetched] != 2 || r.ByKind[schema.OutcomeTimeout] != 1 {
		t.Errorf("read %d truncated %v by kind %v", r.Read, r.Truncated, r.ByKind)
	}
	if len(r.Buckets) != 12 {
		t.Errorf("%d buckets, want 12 of 5 minutes", len(r.Buckets))
	}
	total := 0
	for _, b := range r.Buckets {
		for _, n := range b.ByKind {
			total += n
		}
	}
	if total != 6 {
		t.Errorf("buckets hold %d outcomes, want 6", total)
	}
	if len(r.Hosts) != 2 || r.Hosts[0].Host != "bad.example" || r.Hosts[0].Failures != 2 ||
		r.Hosts[0].LastError != "no answer in 10s" || r.Hosts[1].Host != "slow.example" {
		t.Errorf("failing hosts = %+v, want bad.example (2, last the timeout) then slow.example", r.Hosts)
	}

	r, err = crawlview.RecentOutcomes(t.Context(), js, crawlview.RecentOptions{MaxRead: 4, TopHosts: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 4 || !r.Truncated || len(r.Hosts) != 1 {
		t.Errorf("capped read: read %d truncated %v hosts %v, want 4, true, 1", r.Read, r.Truncated, r.Hosts)
	}
}

func deadLetter(t *testing.T, js jetstream.JetStream, stage, u, trace string, payload any) uint64 {
	t.Helper()
	data, _ := json.Marshal(payload)
	subject := map[string]string{"fetcher": schema.SubjectCrawlURLs, "parser": schema.SubjectPagesFetched, "indexer": schema.SubjectArticlesParsed}[stage]
	return publish(t, js, schema.DeadLetterSubject(stage), schema.DeadLetter{V: schema.Version, Stage: stage, Stream: schema.StreamPages,
		Consumer: stage, Seq: 7, Subject: subject, Fate: "failed", Reason: "boom", Attempts: 5, URL: u, TraceID: trace,
		At: time.Now().UTC(), Data: data}, nil)
}

func TestDeadLettersAndRetry(t *testing.T) {
	js := pipeline(t)
	ctx := t.Context()
	req := schema.CrawlRequest{V: schema.Version, URL: "https://dead.example/x", TraceID: "tr-dead"}
	id := deadLetter(t, js, "fetcher", req.URL, req.TraceID, req)
	deadLetter(t, js, "parser", "https://dead.example/y", "tr-y", map[string]string{"url": "https://dead.example/y"})

	all, err := crawlview.DeadLetters(ctx, js, time.Second, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("dead letters = %v, %v; want 2", all, err)
	}
	if one, err := crawlview.DeadLetters(ctx, js, time.Second, 1); err != nil || len(one) != 1 || one[0].ID != id {
		t.Errorf("limit 1 = %v, %v", one, err)
	}
	v := all[0].View()
	if !v.Retryable || v.URL != req.URL || !strings.Contains(v.Preview, "dead.example") {
		t.Errorf("view = %+v", v)
	}

	e, err := crawlview.DeadLetter(ctx, js, time.Second, id)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := js.Stream(ctx, schema.StreamCrawl)
	if err := crawlview.Retry(ctx, js, e); err != nil {
		t.Fatal(err)
	}
	after, _ := js.Stream(ctx, schema.StreamCrawl)
	if after.CachedInfo().State.Msgs != before.CachedInfo().State.Msgs+1 {
		t.Errorf("CRAWL holds %d, want one more than %d", after.CachedInfo().State.Msgs, before.CachedInfo().State.Msgs)
	}
	raw, err := after.GetLastMsgForSubject(ctx, schema.SubjectCrawlURLs)
	if err != nil || raw.Header.Get(schema.HeaderTraceID) != "tr-dead" || !strings.Contains(string(raw.Data), "dead.example/x") {
		t.Errorf("republished = %v %v", raw, err)
	}
	if _, err := crawlview.DeadLetter(ctx, js, time.Second, id); !errors.Is(err, crawlview.ErrNoDeadLetter) {
		t.Errorf("after retry: %v, want ErrNoDeadLetter", err)
	}
	if err := crawlview.Retry(ctx, js, crawlview.DeadEntry{ID: 99}); !errors.Is(err, crawlview.ErrNotRetryable) {
		t.Errorf("retry without payload: %v", err)
	}
}

func TestTrace(t *testing.T) {
	js := pipeline(t)
	ctx := t.Context()
	now := time.Now().UTC()
	outcome(t, js, "https://news.example/story", schema.OutcomeFetched, "", "tr-1", now)
	outcome(t, js, "https://news.example/other", schema.OutcomeFetched, "", "tr-2", now)
	publish(t, js, schema.SubjectArticlesParsed, map[string]string{"url": "https://news.example/story"},
		nats.Header{schema.HeaderTraceID: {"tr-1"}, schema.HeaderPageType: {schema.PageArticle}})
	publish(t, js, schema.SubjectArticlesParsed, map[string]string{"url": "https://news.example/other"},
		nats.Header{schema.HeaderTraceID: {"tr-2"}, schema.HeaderPageType: {schema.PageArticle}})
	deadLetter(t, js, "indexer", "https://news.example/story", "tr-1", map[string]string{"url": "https://news.example/story"})
	// A page of the story stuck at MaxDeliver in PAGES: JetStream's
	// advisory names it by sequence only.
	stuck := publish(t, js, schema.SubjectPagesFetched, map[string]any{"v": 1, "url": "https://news.example/story"}, nats.Header{schema.HeaderTraceID: {"tr-1"}})
	publish(t, js, schema.SubjectMaxDeliveriesAdvisory+".PAGES.parser",
		crawlview.MaxDeliveriesAdvisory{Stream: schema.StreamPages, Consumer: "parser", StreamSeq: stuck, Deliveries: 5}, nil)

	for _, tt := range []struct{ name, url, trace string }{
		{name: "by url", url: "HTTPS://News.Example/story"},
		{name: "by trace id", trace: "tr-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, err := crawlview.Trace(ctx, js, tt.url, tt.trace, crawlview.TraceOptions{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if len(j.Outcomes) != 1 || j.Outcomes[0].Outcome != schema.OutcomeFetched || j.Outcomes[0].URL != "https://news.example/story" {
				t.Errorf("outcomes = %+v", j.Outcomes)
			}
			if len(j.Parsed) != 1 || j.Parsed[0].PageType != schema.PageArticle || j.Parsed[0].TraceID != "tr-1" {
				t.Errorf("parsed = %+v", j.Parsed)
			}
			if len(j.Dead) != 2 || j.Dead[0].Stage != "indexer" || !j.Dead[1].Advisory || j.Dead[1].Subject != schema.SubjectPagesFetched ||
				j.Dead[1].URL != "https://news.example/story" || !j.Dead[1].Retryable {
				t.Errorf("dead letters = %+v, want the indexer's record and the parser's advisory, resolved", j.Dead)
			}
			if tt.trace != "" && j.URL != "https://news.example/story" {
				t.Errorf("url = %q, want the trace's URL", j.URL)
			}
		})
	}
	j, err := crawlview.Trace(ctx, js, "https://nowhere.example/", "", crawlview.TraceOptions{Timeout: time.Second})
	if err != nil || len(j.Outcomes)+len(j.Parsed)+len(j.Dead) != 0 {
		t.Errorf("unknown URL: %+v, %v", j, err)
	}
}

func TestSources(t *testing.T) {
	js := pipeline(t)
	ctx := t.Context()
	list, err := crawlview.Sources(ctx, js, time.Second, time.Now())
	if err != nil || len(list) != 0 {
		t.Fatalf("no registry: %v, %v; want an empty list", list, err)
	}
	reg, err := sources.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(ctx, "https://feeds.example/rss.xml", 10*time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	list, err = crawlview.Sources(ctx, js, time.Second, time.Now().Add(time.Hour))
	if err != nil || len(list) != 1 {
		t.Fatalf("sources = %v, %v", list, err)
	}
	if s := list[0]; s.URL != "https://feeds.example/rss.xml" || s.Kind != sources.KindFeed || s.Every != "10m0s" || !s.Overdue {
		t.Errorf("source = %+v", s)
	}
}

func TestSubmit(t *testing.T) {
	js := pipeline(t)
	if _, err := crawlview.CrawlRequests([]string{"https://ok.example/", "ftp://x"}, time.Now()); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("bad URL: %v, want an error naming it", err)
	}
	reqs, err := crawlview.CrawlRequests([]string{"https://ok.example/a"}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = crawlview.Submit(t.Context(), bus.NewPublisher(js), reqs, func(r schema.CrawlRequest) error { got = append(got, r.TraceID); return nil })
	if err != nil || len(got) != 1 || got[0] == "" {
		t.Fatalf("submit: %v %v", got, err)
	}
	st, _ := js.Stream(t.Context(), schema.StreamCrawl)
	raw, err := st.GetLastMsgForSubject(t.Context(), schema.SubjectCrawlURLs)
	if err != nil || raw.Header.Get(schema.HeaderTraceID) != got[0] {
		t.Errorf("published %v %v, want trace id %s", raw, err, got[0])
	}
}
