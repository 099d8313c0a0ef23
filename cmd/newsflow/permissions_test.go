package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/sources"
	fetcher "github.com/newsflow/newsflow/services/fetcher/service"
)

// devPasswords returns the variables of .env.dev: the passwords the
// compose file gets on a laptop, and so those of these tests.
func devPasswords(t *testing.T) map[string]string {
	t.Helper()
	m, err := dotenv.Read(filepath.Join(repoRoot(t), ".env.dev"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func password(t *testing.T, user string) string {
	t.Helper()
	return devPasswords(t)[strings.ToUpper(user)+"_NATS_PASSWORD"]
}

// authServer starts a single embedded server with the accounts and
// permissions of deploy/nats, exactly as the compose cluster loads them.
func authServer(t *testing.T) *server.Server {
	t.Helper()
	for k, v := range devPasswords(t) {
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

// stageInbox is the inbox prefix each stage's user is confined to (the
// compose file sets it as NATS_INBOX_PREFIX).
func stageInbox(user string) string {
	switch user {
	case "fetcher", "parser", "indexer":
		return "_INBOX_" + user
	}
	return ""
}

// connectAs connects as user, with its inbox prefix, and records
// permission violations.
func connectAs(t *testing.T, s *server.Server, user string) (*nats.Conn, jetstream.JetStream, *violations) {
	t.Helper()
	return connectWithInbox(t, s, user, stageInbox(user))
}

func connectWithInbox(t *testing.T, s *server.Server, user, inbox string) (*nats.Conn, jetstream.JetStream, *violations) {
	t.Helper()
	v := &violations{}
	opts := []nats.Option{nats.UserInfo(user, password(t, user)),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { v.add(err) })}
	if inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(inbox))
	}
	nc, err := nats.Connect(s.ClientURL(), opts...)
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

// setupAsAdmin runs newsflow setup's work in-process as the admin, with
// the fetcher's default settings.
func setupAsAdmin(t *testing.T, admin jetstream.JetStream) {
	t.Helper()
	fcfg, err := fetcher.LoadConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := setup(t.Context(), admin, bus.Topology{}, fcfg); err != nil {
		t.Fatal(err)
	}
}

// denied waits until v records a permission violation for subject.
func denied(t *testing.T, who string, v *violations, verb, subject string) {
	t.Helper()
	waitUntil(t, who+" denied "+verb+" "+subject, func() bool {
		return v.has(verb + ` to "` + subject + `"`)
	}, v)
}

func TestLeastPrivilegeOnTheBus(t *testing.T) {
	s := authServer(t)
	ctx := t.Context()
	_, admin, _ := connectAs(t, s, "admin")
	setupAsAdmin(t, admin)

	if _, err := nats.Connect(s.ClientURL()); err == nil {
		t.Error("an anonymous client connected: the bus must require authentication")
	}

	// The submitter, from its own account, reaches crawl.urls (with
	// JetStream's acknowledgement) and nothing else.
	subNC, sub, subViolations := connectAs(t, s, "submitter")
	if _, err := sub.Publish(ctx, schema.SubjectCrawlURLs, []byte("https://news.example/")); err != nil {
		t.Errorf("submitter cannot publish to crawl.urls: %v", err)
	}
	// A plain publish too, as `nats pub crawl.urls URL` in nats-box does.
	if err := subNC.Publish(schema.SubjectCrawlURLs, []byte("https://news.example/b")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "both submissions in CRAWL", func() bool {
		crawl, err := admin.Stream(ctx, schema.StreamCrawl)
		return err == nil && crawl.CachedInfo().State.Msgs == 2
	})
	// And it may watch the outcomes (`nats sub crawl.outcome`).
	watch, err := subNC.SubscribeSync(schema.SubjectCrawlOutcome)
	if err != nil {
		t.Fatal(err)
	}
	_ = subNC.Flush()
	fnc, _, _ := connectAs(t, s, "fetcher")
	_ = fnc.Publish(schema.SubjectCrawlOutcome, []byte(`{"outcome":"fetched"}`))
	if _, err := watch.NextMsg(5 * time.Second); err != nil {
		t.Errorf("the submitter does not see crawl.outcome: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := sub.Publish(short, schema.SubjectPagesFetched, []byte("{}")); err == nil {
		t.Error("submitter published to pages.fetched")
	}
	if err := sub.DeleteStream(short, schema.StreamCrawl); err == nil {
		t.Error("submitter deleted the CRAWL stream")
	}
	denied(t, "submitter", subViolations, "publish", schema.SubjectPagesFetched)
	if _, err := admin.Stream(ctx, schema.StreamCrawl); err != nil {
		t.Errorf("CRAWL stream gone after the submitter's attempt: %v", err)
	}

	for _, tt := range []struct{ user, subject string }{
		{"parser", schema.SubjectPagesFetched},
		{"parser", schema.SubjectCrawlOutcome},
		{"fetcher", schema.SubjectArticlesParsed},
		{"fetcher", schema.SubjectCrawlURLs},
		{"indexer", schema.SubjectCrawlOutcome},
		{"indexer", schema.DeadLetterSubject("fetcher")},
		{"fetcher", "_INBOX_parser.x"},
	} {
		nc, _, v := connectAs(t, s, tt.user)
		_ = nc.Publish(tt.subject, []byte("x"))
		_ = nc.Flush()
		denied(t, tt.user, v, "publish", tt.subject)
	}

	// The ledger's record: outcomes the fetcher published, which no stage
	// may cut down (issue 11: MaxMsgs=1 kept one message).
	_, fjs, _ := connectAs(t, s, "fetcher")
	for range 3 {
		if _, err := fjs.Publish(ctx, schema.SubjectCrawlOutcome, []byte(`{"outcome":"fetched"}`)); err != nil {
			t.Fatal(err)
		}
	}
	outcomes := func() jetstream.StreamInfo {
		// Also called at cleanup, once t.Context() is done.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := admin.Stream(ctx, schema.StreamOutcomes)
		if err != nil {
			t.Fatal(err)
		}
		return *st.CachedInfo()
	}
	before := outcomes()

	// No stage may create, update, delete or purge a stream, nor use
	// another's consumer.
	for _, user := range []string{"fetcher", "parser", "indexer"} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			nc, js, v := connectAs(t, s, user)
			try := func(what string, f func(ctx context.Context) error) {
				t.Helper()
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				if err := f(ctx); err == nil {
					t.Errorf("%s could %s", user, what)
				}
			}
			cut := before.Config
			cut.MaxMsgs = 1
			try("update OUTCOMES to MaxMsgs=1", func(ctx context.Context) error { _, err := js.UpdateStream(ctx, cut); return err })
			try("purge OUTCOMES", func(ctx context.Context) error {
				st, err := js.Stream(ctx, schema.StreamOutcomes)
				if err != nil {
					return err
				}
				return st.Purge(ctx)
			})
			try("delete PAGES", func(ctx context.Context) error { return js.DeleteStream(ctx, schema.StreamPages) })
			// A stream of its own over another's inbox would record their replies.
			try("create a stream", func(ctx context.Context) error {
				_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "SNOOP", Subjects: []string{"_INBOX_x.>"}})
				return err
			})
			// The indexer reads OUTCOMES for the operator page (see
			// TestIndexerServesTheCrawlView); the other stages may not.
			if user != "indexer" {
				try("create a consumer on OUTCOMES", func(ctx context.Context) error {
					_, err := js.CreateConsumer(ctx, schema.StreamOutcomes, jetstream.ConsumerConfig{Durable: "snoop"})
					return err
				})
			}
			// A consumer of its own on the CRAWL work queue would take
			// the fetcher's work.
			try("create a consumer on CRAWL", func(ctx context.Context) error {
				_, err := js.CreateConsumer(ctx, schema.StreamCrawl, jetstream.ConsumerConfig{Durable: "snoop"})
				return err
			})
			for _, subj := range []string{
				"$JS.API.STREAM.UPDATE." + schema.StreamOutcomes,
				"$JS.API.STREAM.PURGE." + schema.StreamOutcomes,
				"$JS.API.STREAM.DELETE." + schema.StreamPages,
				"$JS.API.STREAM.CREATE.SNOOP",
			} {
				denied(t, user, v, "publish", subj)
			}
			// Pulling from another stage's consumer steals its work.
			other := map[string]string{"fetcher": "PAGES.parser", "parser": "ARTICLES.indexer", "indexer": "CRAWL.fetcher"}[user]
			_ = nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+other, nc.NewInbox(), []byte(`{"batch":1}`))
			denied(t, user, v, "publish", "$JS.API.CONSUMER.MSG.NEXT."+other)
		})
	}
	t.Cleanup(func() {
		after := outcomes()
		if after.Config.MaxMsgs != before.Config.MaxMsgs || after.State.Msgs != before.State.Msgs || after.State.FirstSeq != before.State.FirstSeq {
			t.Errorf("OUTCOMES changed under the stages' users: %+v -> %+v", before.State, after.State)
		}
	})
}

// TestInboxesArePrivate: replies and consumer deliveries go to the
// receiver's own inbox, which no other identity may subscribe to; the
// submitter, in its own account, sees none of the pipeline's.
func TestInboxesArePrivate(t *testing.T) {
	s := authServer(t)
	ctx := t.Context()
	adminNC, admin, _ := connectAs(t, s, "admin")
	setupAsAdmin(t, admin)
	const pages = 5
	for range pages {
		if _, err := admin.Publish(ctx, schema.SubjectPagesFetched, []byte(`{"url":"https://news.example/"}`)); err != nil {
			t.Fatal(err)
		}
	}

	// The control: the parser's deliveries do travel on _INBOX_parser.
	var control atomic.Int64
	if _, err := adminNC.Subscribe("_INBOX_parser.>", func(*nats.Msg) { control.Add(1) }); err != nil {
		t.Fatal(err)
	}
	_ = adminNC.Flush()

	var snooped atomic.Int64
	count := func(*nats.Msg) { snooped.Add(1) }
	subNC, _, subV := connectAs(t, s, "submitter")
	for _, subj := range []string{"_INBOX.>", ">"} {
		if _, err := subNC.Subscribe(subj, count); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = subNC.Subscribe("_INBOX_parser.>", count)
	_ = subNC.Flush()
	denied(t, "submitter", subV, "subscription", "_INBOX_parser.>")
	for _, user := range []string{"fetcher", "indexer"} {
		nc, _, v := connectAs(t, s, user)
		for _, subj := range []string{"_INBOX.>", "_INBOX_parser.>", ">"} {
			_, _ = nc.Subscribe(subj, count)
		}
		_ = nc.Flush()
		for _, subj := range []string{"_INBOX.>", "_INBOX_parser.>", ">"} {
			denied(t, user, v, "subscription", subj)
		}
	}

	// Traffic: the parser pulls its pages, the admin asks for a stream.
	_, parser, _ := connectAs(t, s, "parser")
	cons, err := parser.Consumer(ctx, schema.StreamPages, schema.ConsumerParser)
	if err != nil {
		t.Fatalf("the parser cannot bind its consumer: %v", err)
	}
	got := 0
	for got < pages {
		batch, err := cons.Fetch(pages, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			_ = m.Ack()
			n++
		}
		if n == 0 {
			t.Fatalf("the parser received %d of %d pages", got, pages)
		}
		got += n
	}
	if _, err := admin.Stream(ctx, schema.StreamCrawl); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the parser's deliveries on its inbox", func() bool { return control.Load() >= pages })
	time.Sleep(200 * time.Millisecond)
	if n := snooped.Load(); n != 0 {
		t.Errorf("other identities received %d of the parser's deliveries and the admin's replies", n)
	}

	// Without its prefix the parser's user cannot even receive replies.
	_, bare, v := connectWithInbox(t, s, "parser", "")
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := bare.Stream(short, schema.StreamPages); err == nil {
		t.Error("the parser's user received a reply on _INBOX: its inbox is not private")
	}
	waitUntil(t, "the parser denied _INBOX", func() bool { return v.has(`subscription to "_INBOX.`) }, v)
}

// TestDeadLettersCaptureOnlyThePipeline: DEADLETTERS records the
// max-deliveries advisories of the pipeline's consumers, not those of any
// other consumer in the account.
func TestDeadLettersCaptureOnlyThePipeline(t *testing.T) {
	s := authServer(t)
	ctx := t.Context()
	adminNC, admin, _ := connectAs(t, s, "admin")
	setupAsAdmin(t, admin)
	if _, err := admin.Publish(ctx, schema.SubjectArticlesParsed, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	advisories := make(chan string, 16)
	if _, err := adminNC.Subscribe(schema.SubjectMaxDeliveriesAdvisory+".>", func(m *nats.Msg) { advisories <- m.Subject }); err != nil {
		t.Fatal(err)
	}
	debug, err := admin.CreateConsumer(ctx, schema.StreamArticles, jetstream.ConsumerConfig{
		Durable: "debug", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	indexer, err := admin.Consumer(ctx, schema.StreamArticles, schema.ConsumerIndexer)
	if err != nil {
		t.Fatal(err)
	}
	// Refuse the message until each consumer gives up on it.
	exhaust := func(c jetstream.Consumer) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			batch, err := c.Fetch(1, jetstream.FetchMaxWait(200*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			for m := range batch.Messages() {
				_ = m.Nak()
			}
			select {
			case subj := <-advisories:
				return subj
			default:
			}
		}
		t.Fatalf("no max-deliveries advisory for %s", c.CachedInfo().Name)
		return ""
	}
	foreign := exhaust(debug)
	if want := schema.SubjectMaxDeliveriesAdvisory + ".ARTICLES.debug"; foreign != want {
		t.Fatalf("advisory on %s, want %s", foreign, want)
	}
	ours := exhaust(indexer)
	if want := schema.SubjectMaxDeliveriesAdvisory + ".ARTICLES.indexer"; ours != want {
		t.Fatalf("advisory on %s, want %s", ours, want)
	}

	dl, err := admin.Stream(ctx, schema.StreamDeadLetters)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	waitUntil(t, "the indexer's advisory in DEADLETTERS", func() bool {
		recorded = recorded[:0]
		for seq := uint64(1); ; seq++ {
			m, err := dl.GetMsg(ctx, seq)
			if err != nil {
				break
			}
			recorded = append(recorded, m.Subject)
		}
		return len(recorded) > 0
	})
	if len(recorded) != 1 || recorded[0] != ours {
		t.Errorf("DEADLETTERS recorded %v, want only the pipeline consumer's advisory %s", recorded, ours)
	}
}

// composeEnv returns the environment the compose file gives service, with
// the cluster's addresses replaced by the test's: NATS (one server, so one
// replica), the indexer's API, and extra.
func composeEnv(t *testing.T, name, natsAddr string, extra map[string]string) map[string]string {
	t.Helper()
	p, _ := loadCompose(t)
	s := service(t, p, name)
	out := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			out[k] = regexp.MustCompile(`nats-\d:4222`).ReplaceAllString(*v, natsAddr)
		}
	}
	if _, ok := out["NATS_REPLICAS"]; ok {
		out["NATS_REPLICAS"] = "1"
	}
	return merge(out, extra)
}

// runTool runs the newsflow binary with env, as `docker compose run --rm
// newsflow args...` runs the tools image's entrypoint, and returns its
// standard output.
func runTool(t *testing.T, bin string, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "newsflow"), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("newsflow %v: %v\n%s%s", args, err, out, stderr.String())
	}
	return string(out)
}

// TestPipelineRunsWithLeastPrivilege runs the cluster as the compose file
// configures it, on a server loaded from deploy/nats: `newsflow setup` as
// the admin, then the three real binaries each with its compose
// environment (its own user and inbox prefix), a submission with the
// submitter's user from its own account. A small demo site's links, the
// robots.txt sitemap, the feed the home page announces and a registered
// source all reach the crawl; the ledger balances; no stage logs a
// permission violation.
func TestPipelineRunsWithLeastPrivilege(t *testing.T) {
	bin := binaries(t)
	s := authServer(t)
	ctx := t.Context()
	natsAddr := strings.TrimPrefix(s.ClientURL(), "nats://")
	site := demosite.New(demosite.Options{Articles: 30})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	manifest := site.Manifest(srv.URL)

	tools := composeEnv(t, "newsflow", natsAddr, nil)
	setupOut := runTool(t, bin, composeEnv(t, "setup", natsAddr, nil), "setup")
	for _, stream := range []string{schema.StreamCrawl, schema.StreamPages, schema.StreamArticles, schema.StreamDeadLetters, schema.StreamOutcomes} {
		if !strings.Contains(setupOut, "stream "+stream) {
			t.Errorf("newsflow setup did not report stream %s:\n%s", stream, setupOut)
		}
	}
	_, admin, _ := connectAs(t, s, "admin")
	reg, err := sources.Open(ctx, admin, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(ctx, manifest.Feed, time.Hour, ""); err != nil {
		t.Fatal(err)
	}

	api := freeAddr(t)
	tools["NEWSFLOW_API"] = "http://" + api
	procs := []*proc{
		startProc(t, bin, "fetcher", composeEnv(t, "fetcher", natsAddr, map[string]string{
			"HTTP_ADDR": freeAddr(t), "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "200"})),
		startProc(t, bin, "parser", composeEnv(t, "parser", natsAddr, map[string]string{"HTTP_ADDR": freeAddr(t)})),
		startProc(t, bin, "indexer", composeEnv(t, "indexer", natsAddr, map[string]string{
			"HTTP_ADDR": api, "INDEXER_STORE": filepath.Join(t.TempDir(), "perm.db")})),
	}
	waitUntil(t, "the fetcher's consumer", func() bool {
		_, err := admin.Consumer(ctx, schema.StreamCrawl, schema.ConsumerFetcher)
		return err == nil
	})

	// The submitter, as nats-box has it: its own user, in its own account.
	submitter := map[string]string{"NATS_URL": s.ClientURL(), "NATS_USER": "submitter", "NATS_PASSWORD": password(t, "submitter")}
	runTool(t, bin, submitter, "submit", manifest.Home)

	want := len(manifest.Articles)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var stats struct {
			Articles int `json:"articles"`
		}
		_ = getJSON(ctx, "http://"+api+"/api/stats", &stats)
		if stats.Articles == want {
			break
		}
		if time.Now().After(deadline) {
			for _, p := range procs {
				logTail(t, p)
			}
			t.Fatalf("indexed %d of %d articles with least-privilege users", stats.Articles, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The parser claimed the registered source (a KV update) and queued it.
	if src, _, err := reg.Get(ctx, manifest.Feed); err != nil || src.LastPolled.IsZero() {
		t.Errorf("registered source %+v (%v) never polled under the parser's user", src, err)
	}
	// The ledger, as `docker compose run --rm newsflow ledger --json` runs it.
	var l Ledger
	deadline = time.Now().Add(time.Minute)
	for {
		if err := json.Unmarshal([]byte(runTool(t, bin, tools, "ledger", "--json")), &l); err != nil {
			t.Fatal(err)
		}
		if l.InFetcher+l.InParser+l.InIndexer == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if l.Lost != 0 || l.Parser[schema.PageSitemap] == 0 || l.Parser[schema.PageFeed] == 0 || sum(l.DeadLetters) != 0 || l.Indexed != want {
		var b strings.Builder
		l.Write(&b)
		t.Errorf("ledger under least privilege: want %d indexed, nothing lost or dead-lettered, and the sitemap and feed parsed:\n%s", want, b.String())
	}
	// The other commands of docs/OPERATIONS.md, as the tools image runs them.
	if out := runTool(t, bin, tools, "sources", "list"); !strings.Contains(out, manifest.Feed) {
		t.Errorf("newsflow sources list does not show %s:\n%s", manifest.Feed, out)
	}
	runTool(t, bin, tools, "deadletters", "list")
	runTool(t, bin, tools, "reparse", "--since", "1h", "--dry-run")
	runTool(t, bin, tools, "setup") // again, on a running cluster: nothing to change

	for _, p := range procs {
		data, err := os.ReadFile(p.log)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(data)), "permissions violation") {
			logTail(t, p)
			t.Errorf("%s was denied something it needs under its user", p.name)
		}
	}
}

// TestStageWithoutSetupFailsClearly: a stage may not create the streams,
// so on a bus nobody has set up it exits at once, naming the fix.
func TestStageWithoutSetupFailsClearly(t *testing.T) {
	bin := binaries(t)
	s := authServer(t)
	natsAddr := strings.TrimPrefix(s.ClientURL(), "nats://")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "fetcher"))
	cmd.Env = os.Environ()
	for k, v := range composeEnv(t, "fetcher", natsAddr, map[string]string{"HTTP_ADDR": freeAddr(t)}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("the fetcher ran on a bus without streams (err %v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "newsflow setup") {
		t.Errorf("the fetcher's failure does not say to run newsflow setup:\n%s", out)
	}
	t.Logf("the fetcher said: %s", strings.TrimSpace(string(out)))
	// And it created nothing.
	_, admin, _ := connectAs(t, s, "admin")
	if names := admin.StreamNames(t.Context()); names != nil {
		for n := range names.Name() {
			t.Errorf("stream %s exists: a stage created it", n)
		}
	}
}

// logTail logs the end of a process's log.
func logTail(t *testing.T, p *proc) {
	t.Helper()
	data, _ := os.ReadFile(p.log)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	t.Logf("%s log:\n%s", p.name, data)
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

// TestIndexerServesTheCrawlView: with the indexer's user, the operator
// page's reads and writes (pkg/crawlview) all work, and none of them trips
// a permission.
func TestIndexerServesTheCrawlView(t *testing.T) {
	s := authServer(t)
	ctx := t.Context()
	_, admin, _ := connectAs(t, s, "admin")
	setupAsAdmin(t, admin)
	reg, err := sources.Open(ctx, admin, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Add(ctx, "https://feeds.example/rss.xml", 10*time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	// What the stages write: an outcome, a parsed record, dead letters.
	_, fjs, _ := connectAs(t, s, "fetcher")
	out, _ := json.Marshal(schema.Outcome{V: schema.Version, URL: "https://news.example/a", Stage: "fetcher", Outcome: schema.OutcomeTimeout,
		Reason: "slow", TraceID: "tr-a", At: time.Now().UTC()})
	if _, err := fjs.Publish(ctx, schema.SubjectCrawlOutcome, out); err != nil {
		t.Fatal(err)
	}
	_, pjs, _ := connectAs(t, s, "parser")
	if _, err := pjs.PublishMsg(ctx, &nats.Msg{Subject: schema.SubjectArticlesParsed, Data: []byte(`{}`),
		Header: nats.Header{schema.HeaderTraceID: {"tr-a"}, schema.HeaderPageType: {schema.PageArticle}}}); err != nil {
		t.Fatal(err)
	}
	dead := func(js jetstream.JetStream, stage, subject string) {
		t.Helper()
		rec, _ := json.Marshal(schema.DeadLetter{V: schema.Version, Stage: stage, Subject: subject, Fate: "failed", Reason: "boom",
			URL: "https://news.example/a", TraceID: "tr-a", At: time.Now().UTC(), Data: []byte(`{"url":"https://news.example/a"}`)})
		if _, err := js.Publish(ctx, schema.DeadLetterSubject(stage), rec); err != nil {
			t.Fatal(err)
		}
	}
	dead(fjs, "fetcher", schema.SubjectCrawlURLs)
	dead(pjs, "parser", schema.SubjectPagesFetched)

	_, ijs, v := connectAs(t, s, "indexer")
	timeout := 2 * time.Second
	lag, err := crawlview.Lag(ctx, ijs, timeout)
	if err != nil || len(lag) != 3 {
		t.Errorf("lag as the indexer: %v, %v", lag, err)
	}
	rec, err := crawlview.RecentOutcomes(ctx, ijs, crawlview.RecentOptions{Timeout: timeout})
	if err != nil || rec.ByKind[schema.OutcomeTimeout] != 1 {
		t.Errorf("outcomes as the indexer: %+v, %v", rec, err)
	}
	j, err := crawlview.Trace(ctx, ijs, "https://news.example/a", "", crawlview.TraceOptions{Timeout: timeout})
	if err != nil || len(j.Outcomes) != 1 || len(j.Parsed) != 1 || len(j.Dead) != 2 {
		t.Errorf("trace as the indexer: %+v, %v", j, err)
	}
	list, err := crawlview.Sources(ctx, ijs, timeout, time.Now())
	if err != nil || len(list) != 1 {
		t.Errorf("sources as the indexer: %v, %v", list, err)
	}
	entries, err := crawlview.DeadLetters(ctx, ijs, timeout, 0)
	if err != nil || len(entries) != 2 {
		t.Fatalf("dead letters as the indexer: %v, %v", entries, err)
	}
	for _, e := range entries {
		e, err := crawlview.DeadLetter(ctx, ijs, timeout, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := crawlview.Retry(ctx, ijs, e); err != nil {
			t.Errorf("retry of the %s's dead letter as the indexer: %v", e.Record.Stage, err)
		}
	}
	reqs, _ := crawlview.CrawlRequests([]string{"https://news.example/b"}, time.Now().UTC())
	if err := crawlview.Submit(ctx, bus.NewPublisher(ijs), reqs, func(schema.CrawlRequest) error { return nil }); err != nil {
		t.Errorf("submit as the indexer: %v", err)
	}
	if left, err := crawlview.DeadLetters(ctx, admin, timeout, 0); err != nil || len(left) != 0 {
		t.Errorf("dead letters after the retries: %v, %v", left, err)
	}
	if v.has("permissions violation") {
		t.Errorf("the crawl view tripped permissions: %v", v.errs)
	}
}
