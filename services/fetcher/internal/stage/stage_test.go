package stage

import (
	"net/http"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
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

// TestDescribeAndReport: the runner's log line of a fetch names its URL,
// trace, depth and referrer, its outcome and status. (A fetched page's
// size, type and final URL are noted by Handle: the page travels as raw
// bytes; cmd/newsflow's TestLogsOfADemoCrawl checks the whole line.)
func TestDescribeAndReport(t *testing.T) {
	in := schema.CrawlRequest{URL: "https://news.example/a", TraceID: "t-1", Depth: 2, DiscoveredFrom: "https://news.example/"}
	m := Describe(in)
	fields := map[string]any{}
	for _, f := range m.Fields {
		fields[f.Key] = f.Integer
		if f.String != "" {
			fields[f.Key] = f.String
		}
	}
	if m.URL != in.URL || m.TraceID != "t-1" || fields["depth"] != int64(2) || fields["referrer"] != "https://news.example/" {
		t.Errorf("Describe = %+v (%v)", m, fields)
	}
	page, _ := pagebody.Payload(schema.FetchedPage{URL: in.URL, FinalURL: "https://news.example/a/", ContentType: "text/html", BodySize: 1234})
	tests := []struct {
		name  string
		give  []bus.Out
		want  string
		wantN int // fields
	}{
		{name: "fetched", give: []bus.Out{{Body: page}, {Body: schema.Outcome{Outcome: schema.OutcomeFetched, Status: 200}}}, want: schema.OutcomeFetched, wantN: 1},
		{name: "robots denied", give: []bus.Out{{Body: schema.Outcome{Outcome: schema.OutcomeRobotsDenied, Reason: "disallowed"}}}, want: schema.OutcomeRobotsDenied, wantN: 1},
	}
	for _, tt := range tests {
		r := Report(in, tt.give)
		if r.Outcome != tt.want || len(r.Fields) != tt.wantN {
			t.Errorf("%s: Report = %s with %d fields %v, want %s with %d", tt.name, r.Outcome, len(r.Fields), r.Fields, tt.want, tt.wantN)
		}
	}
}
