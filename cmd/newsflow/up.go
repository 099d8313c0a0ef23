package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/logging"
	"github.com/newsflow/newsflow/pkg/natsserver"
	"github.com/newsflow/newsflow/pkg/schema"
	fetcher "github.com/newsflow/newsflow/services/fetcher/service"
	indexer "github.com/newsflow/newsflow/services/indexer/service"
	parser "github.com/newsflow/newsflow/services/parser/service"
)

// upConfig is the configuration of `newsflow up`.
type upConfig struct {
	DataDir      string
	NATSAddr     string
	APIAddr      string
	FetcherAddr  string
	ParserAddr   string
	Demo         bool
	DemoSites    int
	DemoArticles int
	ExitWhenIdle bool
	Fresh        bool
	HostRate     float64
	AllowPrivate bool
	MaxDepth     int
	LogFile      string
	LogLevel     string
	Seeds        []string
}

func parseUp(args []string, stdout io.Writer) (upConfig, error) {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	var c upConfig
	fs.StringVar(&c.DataDir, "data", envOr("NEWSFLOW_DATA", ".newsflow"), "directory for the JetStream store, the SQLite database and the log (env NEWSFLOW_DATA)")
	fs.StringVar(&c.NATSAddr, "nats-addr", "127.0.0.1:4333", "listen address of the embedded NATS server (port 0 picks a free one)")
	fs.StringVar(&c.APIAddr, "addr", envOr("HTTP_ADDR", "127.0.0.1:8080"), "listen address of the search API and operator page (env HTTP_ADDR)")
	fs.StringVar(&c.FetcherAddr, "fetcher-addr", "127.0.0.1:8081", "listen address of the fetcher's /metrics, /healthz and /readyz (\"off\" disables)")
	fs.StringVar(&c.ParserAddr, "parser-addr", "127.0.0.1:8082", "listen address of the parser's /metrics, /healthz and /readyz (\"off\" disables)")
	fs.BoolVar(&c.Demo, "demo", false, "serve the demo news site on loopback and crawl it")
	fs.IntVar(&c.DemoSites, "demo-sites", 2, "demo sites sharing wire stories")
	fs.IntVar(&c.DemoArticles, "demo-articles", 240, "article pages per demo site")
	fs.BoolVar(&c.ExitWhenIdle, "exit-when-idle", false, "exit 0 once the crawl has drained, after printing a summary")
	fs.BoolVar(&c.Fresh, "fresh", false, "delete the data directory first (the demo's sites get new addresses every run)")
	fs.Float64Var(&c.HostRate, "host-rate", 0, "requests per second per host (default 1, or 100 with --demo, whose site is local)")
	fs.BoolVar(&c.AllowPrivate, "allow-private", false, "allow fetching loopback and private addresses (implied by --demo)")
	fs.IntVar(&c.MaxDepth, "max-depth", 4, "deepest crawl depth of a followed link")
	fs.StringVar(&c.LogFile, "log", "", "file for the stages' JSON logs (default DATA/newsflow.log; - for stderr)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "log level of the stages (env LOG_LEVEL)")
	fs.Usage = usageFunc(fs, "Usage: newsflow up [flags] [SEED_URL...]\n\nRuns an embedded NATS JetStream server and the three stages in one process,\nsubmits the seeds (and, with --demo, the demo site), prints progress and\nserves the search API until interrupted. Each stage serves its metrics:\nthe indexer on --addr, the fetcher on --fetcher-addr, the parser on\n--parser-addr.\n")
	seeds, err := parseFlags(fs, args, stdout)
	if err != nil {
		return c, err
	}
	c.Seeds = seeds
	for _, a := range []*string{&c.FetcherAddr, &c.ParserAddr} {
		if *a == "off" {
			*a = ""
		}
	}
	if c.Demo {
		c.AllowPrivate = true
		if c.HostRate == 0 {
			c.HostRate = 100
		}
	}
	if c.HostRate == 0 {
		c.HostRate = 1
	}
	if c.LogFile == "" {
		c.LogFile = filepath.Join(c.DataDir, "newsflow.log")
	}
	if !c.Demo && len(c.Seeds) == 0 && c.ExitWhenIdle {
		return c, errors.New("--exit-when-idle needs --demo or seed URLs")
	}
	return c, nil
}

// runUp runs the whole pipeline in one process.
func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseUp(args, stdout)
	if err != nil {
		return err
	}
	if cfg.Fresh {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	logOut := io.Writer(stderr)
	if cfg.LogFile != "-" {
		f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	loggers := map[string]*zap.Logger{}
	for _, name := range []string{fetcher.Name, parser.Name, indexer.Name, "newsflow"} {
		l, err := logging.NewTo(logOut, name, cfg.LogLevel)
		if err != nil {
			return err
		}
		loggers[name] = l
	}

	host, port, err := splitHostPort(cfg.NATSAddr)
	if err != nil {
		return fmt.Errorf("nats-addr: %w", err)
	}
	ns, err := natsserver.Start(natsserver.Options{Host: host, Port: port, StoreDir: filepath.Join(cfg.DataDir, "jetstream")})
	if err != nil {
		return err
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	natsURL := ns.ClientURL()
	fmt.Fprintf(stdout, "nats      %s  (try: nats --server %s sub 'crawl.outcome')\n", natsURL, natsURL)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var seeds []string
	var demos []*demoServer
	if cfg.Demo {
		demos, err = startDemoSites(ctx, "127.0.0.1", cfg.DemoSites, demosite.Options{Articles: cfg.DemoArticles})
		if err != nil {
			return err
		}
		for _, d := range demos {
			fmt.Fprintf(stdout, "demo site %s  (truth: %s/_manifest.json)\n", d.base, d.base)
			seeds = append(seeds, d.base+"/")
		}
	}
	seeds = append(seeds, cfg.Seeds...)

	// The stages run in this process, configured as structs: each starts
	// from its defaults, on the embedded server, without HTTP of its own
	// but the indexer's API.
	common := func(service string) config.Common {
		c := config.DefaultCommon(service, "")
		c.NATS.URL, c.LogLevel = natsURL, cfg.LogLevel
		return c
	}
	fcfg := fetcher.DefaultConfig()
	fcfg.Common = common(fetcher.Name)
	fcfg.Common.HTTPAddr = cfg.FetcherAddr
	fcfg.HostRate, fcfg.AllowPrivate = cfg.HostRate, cfg.AllowPrivate
	pcfg := parser.DefaultConfig()
	pcfg.Common = common(parser.Name)
	pcfg.Common.HTTPAddr = cfg.ParserAddr
	pcfg.MaxDepth = cfg.MaxDepth
	icfg := indexer.DefaultConfig()
	icfg.Common = common(indexer.Name)
	icfg.Common.HTTPAddr = cfg.APIAddr
	icfg.Store = filepath.Join(cfg.DataDir, "newsflow.db")
	apiAddr, fetcherAddr, parserAddr := make(chan string, 1), make(chan string, 1), make(chan string, 1)
	icfg.AddrOut, fcfg.AddrOut, pcfg.AddrOut = apiAddr, fetcherAddr, parserAddr
	for name, validate := range map[string]func() error{fetcher.Name: fcfg.Validate, parser.Name: pcfg.Validate, indexer.Name: icfg.Validate} {
		if err := validate(); err != nil {
			return fmt.Errorf("%s config: %w", name, err)
		}
	}

	var wg sync.WaitGroup
	errc := make(chan error, 3)
	start := func(name string, run func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	start(fetcher.Name, func(ctx context.Context) error { return fetcher.Run(ctx, fcfg, loggers[fetcher.Name]) })
	start(parser.Name, func(ctx context.Context) error { return parser.Run(ctx, pcfg, loggers[parser.Name]) })
	start(indexer.Name, func(ctx context.Context) error { return indexer.Run(ctx, icfg, loggers[indexer.Name]) })
	defer wg.Wait()

	// The addresses the stages bound (port 0 picks one), the indexer's
	// first: the others may be off.
	bound := map[string]string{}
	for _, st := range []struct {
		name string
		addr <-chan string
		on   bool
	}{{indexer.Name, apiAddr, true}, {fetcher.Name, fetcherAddr, cfg.FetcherAddr != ""}, {parser.Name, parserAddr, cfg.ParserAddr != ""}} {
		if !st.on {
			continue
		}
		select {
		case bound[st.name] = <-st.addr:
		case err := <-errc:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("%s did not start within 30s", st.name)
		}
	}
	apiURL := "http://" + bound[indexer.Name]
	fmt.Fprintf(stdout, "search    %s/  (API: %s/api/search?q=...)\n", apiURL, apiURL)
	fmt.Fprintf(stdout, "metrics   indexer %s/metrics", apiURL)
	for _, name := range []string{fetcher.Name, parser.Name} {
		if addr, ok := bound[name]; ok {
			fmt.Fprintf(stdout, "  %s http://%s/metrics", name, addr)
		}
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "logs      %s\n", cfg.LogFile)

	nc, js, err := bus.Connect(ctx, bus.ConnOptions{URL: natsURL, Name: "newsflow-up"}, loggers["newsflow"])
	if err != nil {
		return err
	}
	defer nc.Close()
	prog, err := watchProgress(nc)
	if err != nil {
		return err
	}
	if err := waitForTopology(ctx, js); err != nil {
		return err
	}
	if len(seeds) > 0 {
		if err := submit(ctx, bus.NewPublisher(js), seeds, io.Discard); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "submitted %d seed(s); crawling...\n", len(seeds))
	}

	idle := make(chan struct{})
	go reportProgress(ctx, stdout, js, prog, apiURL, len(seeds) > 0, idle)
	select {
	case <-idle:
		summary(ctx, stdout, apiURL, demos, prog)
		if cfg.ExitWhenIdle {
			cancel()
			wg.Wait()
			return firstErr(errc)
		}
		fmt.Fprintf(stdout, "crawl drained; search at %s/ (Ctrl-C to stop)\n", apiURL)
		<-ctx.Done()
	case <-ctx.Done():
	}
	cancel()
	wg.Wait()
	return firstErr(errc)
}

func firstErr(errc chan error) error {
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, err
	}
	if port == 0 {
		port = -1 // nats-server: pick a free port
	}
	return host, port, nil
}

// progress counts what flows through the pipeline's subjects. "Not
// fetched" means what it means in the ledger: every fetcher outcome but
// fetched; duplicates (and not_modified) are counted apart as well.
type progress struct {
	fetched, articles, nonArticles, notFetched, duplicates atomic.Int64
}

func watchProgress(nc *nats.Conn) (*progress, error) {
	p := &progress{}
	_, err := nc.Subscribe(schema.SubjectArticlesParsed, func(m *nats.Msg) {
		if m.Header.Get(schema.HeaderPageType) == schema.PageArticle {
			p.articles.Add(1)
		} else {
			p.nonArticles.Add(1)
		}
	})
	if err != nil {
		return nil, err
	}
	_, err = nc.Subscribe(schema.SubjectCrawlOutcome, func(m *nats.Msg) {
		var o schema.Outcome
		if json.Unmarshal(m.Data, &o) != nil {
			return
		}
		switch o.Outcome {
		case schema.OutcomeFetched:
			p.fetched.Add(1)
		case schema.OutcomeDuplicate, schema.OutcomeNotModified:
			p.duplicates.Add(1)
			p.notFetched.Add(1)
		default:
			p.notFetched.Add(1)
		}
	})
	return p, err
}

func waitForTopology(ctx context.Context, js jetstream.JetStream) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := bus.CheckTopology(ctx, js)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topology not ready: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reportProgress prints a line a second and closes idle once the crawl has
// drained: nothing pending in any stage for two seconds after work began.
func reportProgress(ctx context.Context, w io.Writer, js jetstream.JetStream, p *progress, apiURL string, expectWork bool, idle chan<- struct{}) {
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	quiet := 0
	closed := false
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		indexed := indexedCount(ctx, apiURL)
		busy := pipelineBusy(ctx, js)
		secs := time.Since(start).Seconds()
		line := fmt.Sprintf("fetched %5d  parsed %5d (+%d non-article)  indexed %5d  not fetched %d (%d duplicate)",
			p.fetched.Load(), p.articles.Load(), p.nonArticles.Load(), indexed, p.notFetched.Load(), p.duplicates.Load())
		// Once drained, speak only when something new arrives.
		if !closed || line != last {
			fmt.Fprintf(w, "%5.0fs  %s  %6.1f pages/s\n", secs, line, float64(p.fetched.Load())/secs)
		}
		last = line
		if closed {
			continue
		}
		if !busy && (p.fetched.Load() > 0 || p.notFetched.Load() > 0 || !expectWork) {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= 2 {
			close(idle)
			closed = true
		}
	}
}

// pipelineBusy reports whether any stage has messages pending or in flight.
func pipelineBusy(ctx context.Context, js jetstream.JetStream) bool {
	for name, sc := range bus.DefaultTopology().Consumers() {
		c, err := js.Consumer(ctx, sc.Stream, name)
		if err != nil {
			return true
		}
		info, err := c.Info(ctx)
		if err != nil || info.NumPending > 0 || info.NumAckPending > 0 {
			return true
		}
	}
	return false
}

func indexedCount(ctx context.Context, apiURL string) int64 {
	var stats struct {
		Articles int64 `json:"articles"`
	}
	if err := getJSON(ctx, apiURL+"/api/stats", &stats); err != nil {
		return -1
	}
	return stats.Articles
}

func getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func summary(ctx context.Context, w io.Writer, apiURL string, demos []*demoServer, p *progress) {
	indexed := indexedCount(ctx, apiURL)
	want := 0
	for _, d := range demos {
		want += len(d.site.Manifest(d.base).Articles)
	}
	fmt.Fprintf(w, "summary: fetched %d pages, %d articles parsed, %d non-article pages, %d not fetched (%d duplicate URLs, %d robots.txt, dead links, errors); indexed %d articles",
		p.fetched.Load(), p.articles.Load(), p.nonArticles.Load(), p.notFetched.Load(), p.duplicates.Load(), p.notFetched.Load()-p.duplicates.Load(), indexed)
	if len(demos) > 0 {
		fmt.Fprintf(w, " (the demo sites have %d)", want)
	}
	fmt.Fprintln(w)
}
