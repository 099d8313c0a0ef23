package service

import (
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/parser/internal/parse"
)

// Config is the parser's configuration.
type Config struct {
	Common config.Common
	// MaxDepth is the deepest crawl depth of a followed link (PARSER_MAX_DEPTH).
	MaxDepth int
	// AddrOut, if not nil, receives the bound HTTP address once the
	// listener is open (useful with port 0). It must be buffered or read.
	AddrOut chan<- string
	// MaxLinks caps the links followed from one page (PARSER_MAX_LINKS).
	MaxLinks int
	// Workers parse pages at once (PARSER_WORKERS, default: the CPU
	// count + 2). A worker waits for the stream to acknowledge a page's
	// outputs before it takes the next; with one worker per CPU a CPU
	// idles through each wait.
	Workers int
	// Expand queues the entries of feeds, sitemaps and robots.txt Sitemap
	// lines, and the feeds a seed page announces (PARSER_EXPAND).
	Expand bool
	// SourcesPoll is how often registered feeds and sitemaps are checked
	// for being due and queued on crawl.urls; 0 disables
	// (PARSER_SOURCES_POLL).
	SourcesPoll time.Duration
	// ListingBudget is how many feed and sitemap fetches one root listing
	// may lead to, itself included (PARSER_LISTING_BUDGET).
	ListingBudget int
}

// Name is the parser's service name: its logger, NATS client, flag set
// and stage.
const Name = "parser"

// DefaultConfig returns the configuration of a parser when neither flags
// nor the environment say otherwise.
func DefaultConfig() Config {
	return Config{
		Common:        config.DefaultCommon(Name, ":8082"),
		MaxDepth:      4,
		MaxLinks:      1000,
		Workers:       runtime.NumCPU() + 2,
		Expand:        true,
		SourcesPoll:   15 * time.Second,
		ListingBudget: parse.DefaultListingBudget,
	}
}

// LoadConfig reads flags from args with defaults from getenv.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: parser [flags]\n\nParses pages.fetched into articles.parsed and feeds discovered links to crawl.urls.\nEvery flag defaults to the environment variable named in its description.\n\n")
		fs.PrintDefaults()
	}
	var cfg Config
	d := DefaultConfig()
	common := config.RegisterCommon(fs, getenv, Name, d.Common.HTTPAddr)
	env := config.Env(getenv)
	depth, err := env.Int("PARSER_MAX_DEPTH", d.MaxDepth)
	if err != nil {
		return cfg, err
	}
	links, err := env.Int("PARSER_MAX_LINKS", d.MaxLinks)
	if err != nil {
		return cfg, err
	}
	workers, err := env.Int("PARSER_WORKERS", d.Workers)
	if err != nil {
		return cfg, err
	}
	expand, err := env.Bool("PARSER_EXPAND", d.Expand)
	if err != nil {
		return cfg, err
	}
	poll, err := env.Duration("PARSER_SOURCES_POLL", d.SourcesPoll)
	if err != nil {
		return cfg, err
	}
	budget, err := env.Int("PARSER_LISTING_BUDGET", d.ListingBudget)
	if err != nil {
		return cfg, err
	}
	fs.IntVar(&cfg.MaxDepth, "max-depth", depth, "deepest crawl depth of a followed link; the seed is 0 (env PARSER_MAX_DEPTH)")
	fs.IntVar(&cfg.MaxLinks, "max-links", links, "most links followed from one page (env PARSER_MAX_LINKS)")
	fs.IntVar(&cfg.Workers, "workers", workers, "pages parsed at once (env PARSER_WORKERS)")
	fs.BoolVar(&cfg.Expand, "expand", expand, "queue the entries of feeds, sitemaps and robots.txt Sitemap lines, and the feeds a seed announces (env PARSER_EXPAND)")
	fs.DurationVar(&cfg.SourcesPoll, "sources-poll", poll, "how often registered feeds and sitemaps are checked for being due; 0 disables (env PARSER_SOURCES_POLL)")
	fs.IntVar(&cfg.ListingBudget, "listing-budget", budget, "most feed and sitemap fetches one root listing (a robots.txt Sitemap line, a registered source) may lead to per poll (env PARSER_LISTING_BUDGET)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Common = *common
	return cfg, cfg.Validate()
}

// Validate checks the configuration, the shared settings included.
func (c *Config) Validate() error {
	if err := c.Common.Validate(); err != nil {
		return err
	}
	if c.MaxDepth < 0 {
		return fmt.Errorf("max-depth: %d is negative", c.MaxDepth)
	}
	if c.MaxDepth >= schema.MaxDepth {
		return fmt.Errorf("max-depth: %d, want less than %d (the deepest crawl request)", c.MaxDepth, schema.MaxDepth)
	}
	if c.ListingBudget < 1 {
		return fmt.Errorf("listing-budget: %d, want at least 1", c.ListingBudget)
	}
	if c.Workers < 1 {
		return fmt.Errorf("workers: %d, want at least 1", c.Workers)
	}
	if c.SourcesPoll < 0 {
		return fmt.Errorf("sources-poll: %v is negative", c.SourcesPoll)
	}
	return nil
}
