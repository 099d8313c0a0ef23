package service

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
)

// TestServiceParsesPagesAndSurvivesGarbage runs the parser against a real
// JetStream server: garbage is dead-lettered with a reason, and the page
// published after it is still parsed.
func TestServiceParsesPagesAndSurvivesGarbage(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	startParser(t, s.ClientURL(), nil)
	waitFor(t, func() bool { _, err := js.Stream(t.Context(), schema.StreamPages); return err == nil })

	garbage := [][]byte{nil, []byte("\x00\xff garbage"), []byte(`{"v":99}`), []byte(`{"v":1,"url":"ftp://x"}`),
		// Page envelopes: a metadata length past the end, metadata not JSON.
		[]byte(pagebody.Magic + "\x7f{}"), []byte(pagebody.Magic + "\x05hello<html>")}
	for _, garbage := range garbage {
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
		TraceID: "t-1"}
	page.Body, page.BodyEncoding = pagebody.Encode(body)
	data, _ := pagebody.Marshal(page)
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
	// The garbage payloads end as dead letters, each with its reason and
	// the payload; the parser records nothing on crawl.outcome, which is
	// the fetcher's.
	for _, m := range readAll(t, js, schema.StreamDeadLetters, len(garbage)) {
		var dl schema.DeadLetter
		if err := json.Unmarshal(m.Data, &dl); err != nil {
			t.Fatal(err)
		}
		if dl.Stage != "parser" || dl.Fate != "invalid" || dl.Reason == "" || !slices.ContainsFunc(garbage, func(g []byte) bool { return bytes.Equal(g, dl.Data) }) {
			t.Errorf("dead letter %+v: want an invalid parser message with a reason and its payload", dl)
		}
	}
	if outcomes, _ := js.Stream(t.Context(), schema.StreamOutcomes); outcomes != nil {
		if info, _ := outcomes.Info(t.Context()); info != nil && info.State.Msgs != 0 {
			t.Errorf("the parser published %d outcomes", info.State.Msgs)
		}
	}
	crawl, _ := js.Stream(t.Context(), schema.StreamCrawl)
	info, _ := crawl.Info(t.Context())
	if info.State.Msgs == 0 {
		t.Error("no discovered link reached crawl.urls")
	}
}

// TestServiceReadsGzipPages: a page published as the origin's gzip (the
// fetcher's pass-through) is parsed like any other; one whose trailer
// lies and whose body inflates past the page limit is dead-lettered as
// too large, with its reason, and the parser goes on.
func TestServiceReadsGzipPages(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	startParser(t, s.ClientURL(), nil)
	waitFor(t, func() bool { _, err := js.Stream(t.Context(), schema.StreamPages); return err == nil })
	gz := func(body []byte) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		w.Write(body)
		w.Close()
		return b.Bytes()
	}
	publish := func(url string, body []byte, size int) {
		t.Helper()
		page := schema.FetchedPage{V: 1, URL: url, Status: 200, ContentType: "text/html", FetchedAt: time.Now().UTC(),
			Origin: "https://courier.example/", BodyEncoding: schema.EncodingGzip, Body: body, BodySize: size}
		data, err := pagebody.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(t.Context(), schema.SubjectPagesFetched, data); err != nil {
			t.Fatal(err)
		}
	}
	bomb := gz(make([]byte, pagebody.MaxPage+1))
	binary.LittleEndian.PutUint32(bomb[len(bomb)-4:], 1000) // the trailer lies
	publish("https://courier.example/bomb", bomb, 1000)
	article, err := os.ReadFile("../internal/parse/testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	publish("https://courier.example/local/2024/05/02/harbour-sea-wall", gz(article), len(article))

	articles := readAll(t, js, schema.StreamArticles, 1)
	var a schema.Article
	if err := json.Unmarshal(articles[0].Data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Harbour town votes to rebuild its sea wall" {
		t.Errorf("article title %q", a.Title)
	}
	dls := readAll(t, js, schema.StreamDeadLetters, 1)
	var dl schema.DeadLetter
	if err := json.Unmarshal(dls[0].Data, &dl); err != nil {
		t.Fatal(err)
	}
	if dl.Stage != "parser" || !strings.Contains(dl.Reason, "too large") || !strings.Contains(dl.Reason, "gzip") {
		t.Errorf("dead letter %+v: want the parser's, too large, naming gzip", dl)
	}
}

// startParser runs the parser against natsURL, configured from env as
// the binary would be (no HTTP listener), until the test ends.
func startParser(t *testing.T, natsURL string, env map[string]string) {
	t.Helper()
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	env["NATS_URL"], env["HTTP_ADDR"] = natsURL, "off"
	cfg, err := LoadConfig(nil, func(k string) string { return env[k] })
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

// TestServiceQueuesDueSources registers a feed and checks that the parser's
// schedule queues it on crawl.urls once, as a feed request, and moves its
// next due time on.
func TestServiceQueuesDueSources(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	reg, err := sources.Open(t.Context(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	src, err := reg.Add(t.Context(), "https://courier.example/rss.xml", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	startParser(t, s.ClientURL(), map[string]string{"PARSER_SOURCES_POLL": "50ms"})

	msgs := readAll(t, js, schema.StreamCrawl, 1)
	var req schema.CrawlRequest
	if err := json.Unmarshal(msgs[0].Data, &req); err != nil {
		t.Fatal(err)
	}
	if req.URL != src.URL || req.Hints == nil || req.Hints.Kind != schema.KindFeed || req.Depth != 0 {
		t.Errorf("queued %+v (hints %+v), want a depth-0 feed request for %s", req, req.Hints, src.URL)
	}
	waitFor(t, func() bool {
		got, _, err := reg.Get(t.Context(), src.URL)
		return err == nil && got.NextDue.After(src.NextDue) && !got.LastPolled.IsZero()
	})
	// Polled every 50ms but due once an hour: queued once.
	time.Sleep(300 * time.Millisecond)
	crawl, _ := js.Stream(t.Context(), schema.StreamCrawl)
	if info, _ := crawl.Info(t.Context()); info.State.Msgs != 1 {
		t.Errorf("%d crawl requests, want the source queued once", info.State.Msgs)
	}
}

// TestServiceExpandsABigSitemap sends a sitemap at the protocol's limit of
// 50,000 URLs through the parser: every entry reaches crawl.urls, once.
func TestServiceExpandsABigSitemap(t *testing.T) {
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	startParser(t, s.ClientURL(), map[string]string{"PARSER_SOURCES_POLL": "0"})
	waitFor(t, func() bool { _, err := js.Stream(t.Context(), schema.StreamPages); return err == nil })

	var b strings.Builder
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	const n = 50000
	for i := range n {
		fmt.Fprintf(&b, "<url><loc>https://courier.example/news/%d</loc></url>", i)
	}
	b.WriteString("</urlset>")
	page := schema.FetchedPage{V: schema.Version, URL: "https://courier.example/sitemap.xml", Status: 200,
		ContentType: "application/xml", FetchedAt: time.Now().UTC(), BodySize: b.Len(), Hints: &schema.Hints{Kind: schema.KindSitemap}}
	page.Body, page.BodyEncoding = pagebody.Encode([]byte(b.String()))
	data, _ := pagebody.Marshal(page)
	if _, err := js.Publish(t.Context(), schema.SubjectPagesFetched, data); err != nil {
		t.Fatal(err)
	}
	crawl, err := js.Stream(t.Context(), schema.StreamCrawl)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		info, err := crawl.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == n {
			break
		}
		if info.State.Msgs > n || time.Now().After(deadline) {
			t.Fatalf("crawl.urls holds %d requests, want %d", info.State.Msgs, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The sitemap's record is out and nothing was dead-lettered.
	readAll(t, js, schema.StreamArticles, 1)
	if dl, err := js.Stream(t.Context(), schema.StreamDeadLetters); err == nil {
		if info, _ := dl.Info(t.Context()); info.State.Msgs != 0 {
			t.Errorf("%d dead letters", info.State.Msgs)
		}
	}
}
