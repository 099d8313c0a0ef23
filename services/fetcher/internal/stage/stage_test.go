package stage

import (
	"net/http"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/fetcher/internal/metrics"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want time.Duration
	}{
		{give: "", want: 0},
		{give: "120", want: 2 * time.Minute},
		{give: " 5 ", want: 5 * time.Second},
		{give: "-3", want: 0},
		{give: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second},
		{give: "soon", want: 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.give, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestReject(t *testing.T) {
	s := &Stage{Metrics: metrics.New(nil)}
	in := schema.CrawlRequest{URL: "https://news.example/a"}
	tests := []struct {
		give        bus.Rejection[schema.CrawlRequest]
		wantURL     string
		wantOutcome string
	}{
		{give: bus.Rejection[schema.CrawlRequest]{Data: []byte("{garbage\x00"), Fate: bus.FateInvalid, Reason: "malformed", TraceID: "t1"},
			wantURL: "{garbage?", wantOutcome: schema.OutcomeInvalid},
		{give: bus.Rejection[schema.CrawlRequest]{Data: nil, Fate: bus.FateInvalid, TraceID: "t2"},
			wantURL: "(empty)", wantOutcome: schema.OutcomeInvalid},
		{give: bus.Rejection[schema.CrawlRequest]{In: &in, Fate: bus.FateDeadLetter, Reason: "gave up", TraceID: "t3"},
			wantURL: in.URL, wantOutcome: schema.OutcomeDeadLetter},
	}
	for _, tt := range tests {
		outs := s.Reject(tt.give)
		if len(outs) != 1 || outs[0].Subject != schema.SubjectCrawlOutcome {
			t.Fatalf("Reject = %+v, want one outcome", outs)
		}
		o := outs[0].Body.(schema.Outcome)
		if o.URL != tt.wantURL || o.Outcome != tt.wantOutcome || o.TraceID != tt.give.TraceID || o.Stage != Name {
			t.Errorf("Reject(%+v) = %+v", tt.give, o)
		}
		if err := o.Validate(); err != nil {
			t.Errorf("outcome invalid: %v", err)
		}
	}
}

func TestSelectHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "text/html")
	h.Set("Set-Cookie", "secret=1")
	h.Set("Last-Modified", "Sat, 28 Nov 2026 08:00:00 GMT")
	got := selectHeaders(h)
	if got["Content-Type"] != "text/html" || got["Last-Modified"] == "" || got["Set-Cookie"] != "" {
		t.Errorf("selectHeaders = %v", got)
	}
}
