package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/schema"
)

var clusterArticles = flag.Int("cluster-articles", 60, "articles of the demo site TestClusterCommands crawls (the compose demo has 240 per site)")

// jsCluster is a JetStream cluster of embedded servers in this process.
type jsCluster struct {
	servers []*server.Server
}

// startCluster starts n JetStream servers with routes to each other, as
// the compose file's three nodes, and waits until they have a meta leader
// that knows every peer.
func startCluster(t *testing.T, n int) *jsCluster {
	t.Helper()
	var routes []*url.URL
	for range n {
		routes = append(routes, &url.URL{Scheme: "nats", Host: freeAddr(t)})
	}
	c := &jsCluster{}
	for i := range n {
		port := routes[i].Port()
		var p int
		fmt.Sscan(port, &p)
		opts := &server.Options{
			ServerName:         fmt.Sprintf("nats-%d", i+1),
			Host:               "127.0.0.1",
			Port:               -1,
			JetStream:          true,
			StoreDir:           t.TempDir(),
			JetStreamMaxMemory: 256 << 20,
			NoSigs:             true,
			Cluster:            server.ClusterOpts{Name: "newsflow", Host: "127.0.0.1", Port: p},
			Routes:             routes,
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		c.servers = append(c.servers, s)
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	}
	for _, s := range c.servers {
		if !s.ReadyForConnections(30 * time.Second) {
			t.Fatalf("%s not ready", s.Name())
		}
	}
	waitUntil(t, "a meta leader that knows every peer", func() bool {
		l := c.metaLeader()
		return l != nil && len(l.JetStreamClusterPeers()) == n
	})
	return c
}

func (c *jsCluster) metaLeader() *server.Server {
	for _, s := range c.servers {
		if s.Running() && s.JetStreamIsLeader() {
			return s
		}
	}
	return nil
}

// urls is the comma-separated client URL list of every node, down or not,
// as an operator would configure it.
func (c *jsCluster) urls() string {
	var u []string
	for _, s := range c.servers {
		u = append(u, s.ClientURL())
	}
	return strings.Join(u, ",")
}

// connect opens a client on the whole cluster, reconnecting as nodes go.
func (c *jsCluster) connect(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(c.urls(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// cmdWithin runs a newsflow command in-process against the cluster and
// fails the test unless it answers within 30 s.
func (c *jsCluster) cmdWithin(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	start := time.Now()
	err := run(ctx, append(args, "--nats-url", c.urls()), strings.NewReader(""), &out, &errb)
	if ctx.Err() != nil {
		t.Fatalf("newsflow %s did not answer within 30s (%v)", strings.Join(args, " "), err)
	}
	t.Logf("newsflow %s: %v in %v", strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond))
	return out.String(), err
}

// TestClusterCommands runs the demo crawl through a 3-node JetStream
// cluster with R3 streams, shuts a node down mid-crawl, and checks that the
// whole site is indexed and that every operator command answers, with all
// nodes up and with one down.
func TestClusterCommands(t *testing.T) {
	c := startCluster(t, 3)
	site := demosite.New(demosite.Options{Articles: *clusterArticles})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	manifest := site.Manifest(srv.URL)
	api, stageErrs := runStages(t, sameEnv(map[string]string{
		"NATS_URL": c.urls(), "NATS_REPLICAS": "3", "NATS_ACK_WAIT": "5s",
		"FETCHER_ALLOW_PRIVATE": "true", "FETCHER_HOST_RATE": "500",
		"INDEXER_STORE": filepath.Join(t.TempDir(), "cluster.db"),
	}, nil, nil, nil))
	js := c.connect(t)
	for _, st := range bus.DefaultTopology().Streams() {
		info, err := js.Stream(t.Context(), st.Name)
		if err != nil {
			t.Fatal(err)
		}
		if r := info.CachedInfo().Config.Replicas; r != 3 {
			t.Fatalf("stream %s has %d replicas, want 3", st.Name, r)
		}
	}
	if err := submit(t.Context(), bus.NewPublisher(js), []string{manifest.Home}, discard{}); err != nil {
		t.Fatal(err)
	}
	want := len(manifest.Articles)
	for start := time.Now(); statsOf(t, api).Articles < want/5; time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-stageErrs:
			t.Fatalf("a stage stopped before the crawl got going: %v", err)
		default:
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("the crawl did not get going: %d of %d indexed", statsOf(t, api).Articles, want)
		}
	}

	// All nodes up, mid-crawl: the commands that failed with "no
	// responders" answer (the counts may be busy).
	if out, err := c.cmdWithin(t, "ledger", "--json", "--api", api); err != nil {
		t.Errorf("ledger, all nodes up: %v\n%s", err, out)
	}
	if out, err := c.cmdWithin(t, "reparse", "--dry-run"); err != nil || !strings.Contains(out, "would send") {
		t.Errorf("reparse --dry-run, all nodes up: %v\n%s", err, out)
	}

	// Shut the meta leader down mid-crawl.
	victim := c.metaLeader()
	if victim == nil {
		t.Fatal("no meta leader")
	}
	t.Logf("shutting down %s with %d of %d articles indexed", victim.Name(), statsOf(t, api).Articles, want)
	victim.Shutdown()
	// At once, while the streams elect new leaders: an answer or a clear
	// error, within the timeout, not a hang.
	if out, err := c.cmdWithin(t, "ledger", "--api", api); err != nil {
		t.Logf("ledger during the election: %v", err)
	} else if !strings.Contains(out, "accepted URLs") {
		t.Errorf("ledger during the election printed:\n%s", out)
	}

	waitDrainedWithin(t, js, api, want, 3*time.Minute)
	if got := statsOf(t, api).Articles; got < want {
		t.Fatalf("indexed %d of %d demo articles with a node down", got, want)
	}

	// One node down: every command answers.
	out, err := c.cmdWithin(t, "ledger", "--json", "--api", api)
	if err != nil {
		t.Errorf("ledger, a node down: %v\n%s", err, out)
	}
	var l Ledger
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("ledger --json: %v\n%s", err, out)
	}
	if l.Lost != 0 || l.OverCounted != 0 || l.Busy || l.Parser[schema.PageArticle] < want || l.Indexed < want {
		t.Errorf("ledger with a node down: %+v", l)
	}
	out, err = c.cmdWithin(t, "reparse", "--dry-run")
	var n int
	if err != nil || func() error { _, err := fmt.Sscanf(out, "would send %d", &n); return err }() != nil || n < want {
		t.Errorf("reparse --dry-run, a node down: %v, %q; want at least %d pages", err, out, want)
	}
	if out, err := c.cmdWithin(t, "deadletters", "list"); err != nil || !strings.Contains(out, "dead letter(s)") {
		t.Errorf("deadletters list, a node down: %v\n%s", err, out)
	}
	if out, err := c.cmdWithin(t, "sources", "add", manifest.Home, "--every", "1h", "--kind", "page"); err != nil {
		t.Errorf("sources add, a node down: %v\n%s", err, out)
	}
	out, err = c.cmdWithin(t, "sources", "list", "--json")
	if err != nil || !strings.Contains(out, `"every":"1h0m0s"`) {
		t.Errorf("sources list, a node down: %v\n%s", err, out)
	}
	// The registry kept the cluster's replicas.
	if kv, err := js.Stream(t.Context(), "KV_sources"); err != nil || kv.CachedInfo().Config.Replicas != 3 {
		t.Errorf("sources bucket: %v", err)
	}
	if out, err := c.cmdWithin(t, "submit", srv.URL+"/missing-page"); err != nil {
		t.Errorf("submit, a node down: %v\n%s", err, out)
	}
}

// waitDrainedWithin waits until want articles are indexed and no stage
// has work.
func waitDrainedWithin(t *testing.T, js jetstream.JetStream, api string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	quiet := 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("not drained within %v: %d of %d indexed; consumers: %s", within, statsOf(t, api).Articles, want, consumerStates(t.Context(), js))
		}
		time.Sleep(250 * time.Millisecond)
		if statsOf(t, api).Articles >= want && !pipelineBusy(t.Context(), js) {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// consumerStates describes the pipeline's consumers for a failure message.
func consumerStates(ctx context.Context, js jetstream.JetStream) string {
	var out []string
	for name, sc := range bus.DefaultTopology().Consumers() {
		c, err := js.Consumer(ctx, sc.Stream, name)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		info, err := c.Info(ctx)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		out = append(out, fmt.Sprintf("%s: pending %d, ack pending %d, redelivered %d, leader %s", name, info.NumPending, info.NumAckPending, info.NumRedelivered, leaderOf(info)))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func leaderOf(info *jetstream.ConsumerInfo) string {
	if info.Cluster == nil {
		return "?"
	}
	return info.Cluster.Leader
}
