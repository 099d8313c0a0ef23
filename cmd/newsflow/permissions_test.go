package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
)

var testPasswords = map[string]string{
	"FETCHER_NATS_PASSWORD": "f-secret", "PARSER_NATS_PASSWORD": "p-secret", "INDEXER_NATS_PASSWORD": "i-secret",
	"SUBMITTER_NATS_PASSWORD": "s-secret", "ADMIN_NATS_PASSWORD": "a-secret", "SYS_NATS_PASSWORD": "sys-secret",
}

// authServer starts a single embedded server with the accounts and
// permissions of deploy/nats, exactly as the compose cluster loads them.
func authServer(t *testing.T) *server.Server {
	t.Helper()
	for k, v := range testPasswords {
		t.Setenv(k, v)
	}
	t.Setenv("SERVER_NAME", "permissions-test")
	opts, err := server.ProcessConfigFile(filepath.Join("..", "..", "deploy", "nats", "nats.conf"))
	if err != nil {
		t.Fatalf("deploy/nats/nats.conf: %v", err)
	}
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
	opts.Cluster = server.ClusterOpts{}
	opts.Routes = nil
	opts.StoreDir = t.TempDir()
	opts.NoSigs = true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// connectAs connects as user and records permission violations.
func connectAs(t *testing.T, s *server.Server, user string) (*nats.Conn, jetstream.JetStream, *violations) {
	t.Helper()
	v := &violations{}
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(user, testPasswords[strings.ToUpper(user)+"_NATS_PASSWORD"]),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { v.add(err) }))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js, v
}

type violations struct {
	mu   sync.Mutex
	errs []string
}

func (v *violations) add(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.errs = append(v.errs, err.Error())
}

func (v *violations) has(substr string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, e := range v.errs {
		if strings.Contains(strings.ToLower(e), strings.ToLower(substr)) {
			return true
		}
	}
	return false
}

func TestLeastPrivilegeOnTheBus(t *testing.T) {
	s := authServer(t)
	ctx := t.Context()
	_, admin, _ := connectAs(t, s, "admin")
	if err := bus.EnsureStreams(ctx, admin, bus.Topology{}); err != nil {
		t.Fatal(err)
	}

	if _, err := nats.Connect(s.ClientURL()); err == nil {
		t.Error("an anonymous client connected: the bus must require authentication")
	}

	_, sub, subViolations := connectAs(t, s, "submitter")
	if _, err := sub.Publish(ctx, schema.SubjectCrawlURLs, []byte("https://news.example/")); err != nil {
		t.Errorf("submitter cannot publish to crawl.urls: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := sub.Publish(short, schema.SubjectPagesFetched, []byte("{}")); err == nil {
		t.Error("submitter published to pages.fetched")
	}
	if err := sub.DeleteStream(short, schema.StreamCrawl); err == nil {
		t.Error("submitter deleted the CRAWL stream")
	}
	waitUntil(t, "permission violations reported", func() bool {
		return subViolations.has(`publish to "pages.fetched"`)
	}, subViolations)
	if _, err := admin.Stream(ctx, schema.StreamCrawl); err != nil {
		t.Errorf("CRAWL stream gone after the submitter's attempt: %v", err)
	}

	for _, tt := range []struct{ user, subject string }{
		{"parser", schema.SubjectPagesFetched},
		{"parser", schema.SubjectCrawlOutcome},
		{"fetcher", schema.SubjectArticlesParsed},
		{"fetcher", schema.SubjectCrawlURLs},
		{"indexer", schema.SubjectCrawlURLs},
		{"indexer", schema.SubjectArticlesParsed},
	} {
		nc, _, v := connectAs(t, s, tt.user)
		_ = nc.Publish(tt.subject, []byte("x"))
		_ = nc.Flush()
		waitUntil(t, tt.user+" denied "+tt.subject, func() bool { return v.has(`publish to "` + tt.subject + `"`) }, v)
	}
	for _, user := range []string{"fetcher", "parser", "indexer"} {
		_, js, _ := connectAs(t, s, user)
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := js.DeleteStream(short, schema.StreamPages); err == nil {
			t.Errorf("%s deleted the PAGES stream", user)
		}
		cancel()
	}
}

// TestPipelineRunsWithLeastPrivilege crawls a small demo site with each
// stage connected as its own restricted user: links, the robots.txt
// sitemap, the feed the home page announces and a registered source all
// reach the crawl, and the ledger balances.
func TestPipelineRunsWithLeastPrivilege(t *testing.T) {
	s := authServer(t)
	site := demosite.New(demosite.Options{Articles: 30})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	manifest := site.Manifest(srv.URL)
	_, admin, _ := connectAs(t, s, "admin")
	reg, err := sources.Open(t.Context(), admin, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(t.Context(), manifest.Feed, time.Hour, ""); err != nil {
		t.Fatal(err)
	}

	env := func(user string, extra map[string]string) map[string]string {
		return merge(map[string]string{"NATS_URL": s.ClientURL(), "NATS_USER": user,
			"NATS_PASSWORD": testPasswords[strings.ToUpper(user)+"_NATS_PASSWORD"]}, extra)
	}
	api, errs := runStages(t, stageEnv{
		fetcher: env("fetcher", map[string]string{"FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "200"}),
		parser:  env("parser", nil),
		indexer: env("indexer", map[string]string{"INDEXER_STORE": filepath.Join(t.TempDir(), "perm.db")}),
	})
	ctx := t.Context()
	waitUntil(t, "the fetcher's consumer", func() bool {
		_, err := admin.Consumer(ctx, schema.StreamCrawl, schema.ConsumerFetcher)
		return err == nil
	})
	_, sub, _ := connectAs(t, s, "submitter")
	if _, err := sub.Publish(ctx, schema.SubjectCrawlURLs, []byte(manifest.Home)); err != nil {
		t.Fatal(err)
	}
	want := len(manifest.Articles)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-errs:
			t.Fatalf("a stage failed under its restricted user: %v", err)
		default:
		}
		var stats struct {
			Articles int `json:"articles"`
		}
		_ = getJSON(ctx, api+"/api/stats", &stats)
		if stats.Articles == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexed %d of %d articles with least-privilege users", stats.Articles, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The parser claimed the registered source (a KV update) and queued it.
	if src, _, err := reg.Get(ctx, manifest.Feed); err != nil || src.LastPolled.IsZero() {
		t.Errorf("registered source %+v (%v) never polled under the parser's user", src, err)
	}
	var l *Ledger
	deadline = time.Now().Add(time.Minute)
	for {
		if l, err = readLedger(ctx, admin, api); err != nil {
			t.Fatal(err)
		}
		if l.InFetcher+l.InParser+l.InIndexer == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if l.Lost != 0 || l.Parser[schema.PageSitemap] == 0 || l.Parser[schema.PageFeed] == 0 || sum(l.DeadLetters) != 0 {
		var b strings.Builder
		l.Write(&b)
		t.Errorf("ledger under least privilege: want nothing lost or dead-lettered, and the sitemap and feed parsed:\n%s", b.String())
	}
}

func waitUntil(t *testing.T, what string, cond func() bool, seen ...*violations) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, v := range seen {
				t.Logf("errors seen: %q", v.errs)
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
