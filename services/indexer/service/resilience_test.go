package service

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
	"github.com/newsflow/newsflow/pkg/pgtest"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// TestPostgresOutageLosesNothing stops the store for 30 seconds in the
// middle of ingest through the real service and JetStream: every article
// arrives once, none is dead-lettered, no row is duplicated.
func TestPostgresOutageLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("30-second outage test; run without -short")
	}
	pg := pgtest.Start(t)
	srv := bustest.Server(t)
	nc, js := bustest.Connect(t, srv)

	// Count terminations and max-delivery advisories: both must stay 0.
	var terminated, maxed atomic.Int64
	for subj, n := range map[string]*atomic.Int64{
		"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.ARTICLES.indexer": &terminated,
		"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ARTICLES.indexer": &maxed,
	} {
		if _, err := nc.Subscribe(subj, func(*nats.Msg) { n.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	base := indexer(t, srv.ClientURL(), pg.URL())

	const total = 1500
	arts := make([]schema.Article, total)
	for i := range arts {
		arts[i] = articletest.Article(fmt.Sprintf("site%d.example", i%7), i)
	}
	// Before the outage: a third, and wait until some are stored.
	for _, a := range arts[:500] {
		publishArticle(t, js, a)
	}
	waitArticles(t, base, 100, 30*time.Second)

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	// During the outage: the rest, and the first 200 again (redelivery).
	for _, a := range arts[500:] {
		publishArticle(t, js, a)
	}
	for _, a := range arts[:200] {
		publishArticle(t, js, a)
	}
	// Readiness reports the store down while the batch is held.
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := getBody(t, base+"/readyz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "store") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz during the outage = %d %s, want 503 naming the store", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(30*time.Second - time.Since(stopped))
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Logf("store was down for %v", time.Since(stopped).Round(time.Second))

	waitArticles(t, base, total, 60*time.Second)
	waitSettled(t, js, 30*time.Second)
	var st struct {
		Articles      int `json:"articles"`
		URLs          int `json:"urls"`
		Versions      int `json:"versions"`
		DuplicateRows int `json:"duplicate_rows"`
	}
	getJSON(t, base+"/api/stats", &st)
	if st.Articles != total || st.URLs != total || st.Versions != total || st.DuplicateRows != 0 {
		t.Errorf("after the outage: %+v, want %d articles, urls and versions, 0 duplicate rows", st, total)
	}
	if n, m := terminated.Load(), maxed.Load(); n != 0 || m != 0 {
		t.Errorf("%d messages terminated, %d reached max deliveries, want 0 and 0", n, m)
	}
	if code, body := getBody(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz after recovery = %d %s", code, body)
	}
	_, metrics := getBody(t, base+"/metrics")
	if strings.Contains(metrics, "newsflow_indexer_store_errors_total 0\n") || !strings.Contains(metrics, "newsflow_indexer_store_up 1") {
		t.Errorf("metrics do not show the outage and the recovery")
	}
}

func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
