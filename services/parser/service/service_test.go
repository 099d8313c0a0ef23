package service

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/parser/internal/parse"
)

// TestServiceParsesPagesAndSurvivesGarbage runs the parser against a real
// JetStream server: garbage is terminated with an outcome, and the page
// published after it is still parsed.
func TestServiceParsesPagesAndSurvivesGarbage(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	cfg, err := LoadConfig([]string{"-http-addr", "", "-nats-url", s.ClientURL()}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, zap.NewNop()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor(t, func() bool { _, err := js.Stream(t.Context(), schema.StreamPages); return err == nil })

	for _, garbage := range [][]byte{nil, []byte("\x00\xff garbage"), []byte(`{"v":99}`), []byte(`{"v":1,"url":"ftp://x"}`)} {
		if _, err := js.Publish(t.Context(), schema.SubjectPagesFetched, garbage); err != nil {
			t.Fatal(err)
		}
	}
	body, err := os.ReadFile("../internal/parse/testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	page := schema.FetchedPage{V: 1, URL: "https://courier.example/local/2024/05/02/harbour-sea-wall", Status: 200,
		ContentType: "text/html", FetchedAt: time.Now().UTC(), Origin: "https://courier.example/",
		BodyEncoding: schema.EncodingZstd, Body: parse.Compress(body), TraceID: "t-1"}
	data, _ := json.Marshal(page)
	if _, err := js.Publish(t.Context(), schema.SubjectPagesFetched, data); err != nil {
		t.Fatal(err)
	}

	articles := readAll(t, js, schema.StreamArticles, 1)
	var a schema.Article
	if err := json.Unmarshal(articles[0].Data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Harbour town votes to rebuild its sea wall" || a.TraceID != "t-1" {
		t.Errorf("article title %q trace %q", a.Title, a.TraceID)
	}
	if got := articles[0].Header.Get(schema.HeaderTraceID); got != "t-1" {
		t.Errorf("trace header %q", got)
	}
	// Four garbage payloads end as invalid (with a reason), the page as parsed.
	counts := map[string]int{}
	for _, m := range readAll(t, js, schema.StreamOutcomes, 5) {
		var o schema.Outcome
		if err := json.Unmarshal(m.Data, &o); err != nil {
			t.Fatal(err)
		}
		if o.Reason == "" && o.Outcome == schema.OutcomeInvalid {
			t.Errorf("outcome %+v has no reason", o)
		}
		counts[o.Outcome]++
	}
	if counts[schema.OutcomeInvalid] != 4 || counts[schema.OutcomeParsed] != 1 {
		t.Errorf("outcomes %v, want 4 invalid and 1 parsed", counts)
	}
	if dl := readAll(t, js, schema.StreamDeadLetters, 4); len(dl) != 4 {
		t.Errorf("%d dead-letter records, want 4", len(dl))
	}
	crawl, _ := js.Stream(t.Context(), schema.StreamCrawl)
	info, _ := crawl.Info(t.Context())
	if info.State.Msgs == 0 {
		t.Error("no discovered link reached crawl.urls")
	}
}

func readAll(t *testing.T, js jetstream.JetStream, stream string, want int) []*jetstream.RawStreamMsg {
	t.Helper()
	var msgs []*jetstream.RawStreamMsg
	waitFor(t, func() bool {
		st, err := js.Stream(t.Context(), stream)
		if err != nil {
			return false
		}
		info, err := st.Info(t.Context())
		return err == nil && info.State.Msgs >= uint64(want)
	})
	st, _ := js.Stream(t.Context(), stream)
	for seq := uint64(1); len(msgs) < want; seq++ {
		m, err := st.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(25 * time.Millisecond)
	}
}
