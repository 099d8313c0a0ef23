package service

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

// DefaultUserAgent identifies the crawler with a contact URL.
const DefaultUserAgent = "NewsflowBot/0.1 (+https://github.com/newsflow/newsflow)"

// Config is the fetcher's configuration.
type Config struct {
	Common config.Common
	// HostRate is requests per second per host across all replicas
	// (FETCHER_HOST_RATE).
	HostRate float64
	// AllowPrivate switches off the address guard (FETCHER_ALLOW_PRIVATE).
	AllowPrivate bool
	// AddrOut, if not nil, receives the bound HTTP address once the
	// listener is open (useful with port 0). It must be buffered or read.
	AddrOut chan<- string
	// UserAgent is sent with every request and matched (its product
	// token) against robots.txt (FETCHER_USER_AGENT).
	UserAgent string
	// Workers fetch at once (FETCHER_WORKERS).
	Workers int
	// MaxBody is the largest decompressed body in bytes (FETCHER_MAX_BODY).
	MaxBody int64
	// MaxListingBody is the largest decompressed body of a URL expected to
	// be a feed or a sitemap (FETCHER_MAX_LISTING_BODY).
	MaxListingBody int64
	// Timeout bounds one fetch, body included (FETCHER_TIMEOUT);
	// ConnectTimeout the TCP/TLS connect (FETCHER_CONNECT_TIMEOUT);
	// FirstByteTimeout the wait for response headers
	// (FETCHER_FIRST_BYTE_TIMEOUT).
	Timeout, ConnectTimeout, FirstByteTimeout time.Duration
	// MaxRedirects followed per fetch (FETCHER_MAX_REDIRECTS).
	MaxRedirects int
	// MaxCrawlDelay caps robots.txt Crawl-delay (FETCHER_MAX_CRAWL_DELAY).
	MaxCrawlDelay time.Duration
	// MaxHostWait is the longest in-process wait for a host slot before
	// the message is redelivered later (FETCHER_MAX_HOST_WAIT).
	MaxHostWait time.Duration
	// HostWaiters bounds this process's fetches waiting on one host
	// (FETCHER_HOST_WAITERS).
	HostWaiters int
	// RobotsTTL is how long a robots.txt is cached, at most 24h
	// (FETCHER_ROBOTS_TTL).
	RobotsTTL time.Duration
	// SeenTTL is how long a fetched URL stays in the seen-set
	// (FETCHER_SEEN_TTL).
	SeenTTL time.Duration
	// RecrawlFeeds, RecrawlSeeds: how soon a feed, sitemap or registered
	// page, and a seed, may be fetched again (FETCHER_RECRAWL_FEEDS,
	// FETCHER_RECRAWL_SEEDS).
	RecrawlFeeds, RecrawlSeeds time.Duration
	// InlineMax is the largest encoded body carried in the message;
	// larger ones go to the object store (FETCHER_INLINE_MAX).
	InlineMax int
	// GzipPassthrough publishes an HTML page the origin gzipped as its
	// gzip, undecoded (schema.EncodingGzip), rather than inflating and
	// re-encoding it (FETCHER_GZIP_PASSTHROUGH). Parsers must read gzip
	// first: switch it off while older parsers run.
	GzipPassthrough bool

	// Resolver and Dial replace DNS and the final dial, for tests and
	// benchmarks (many host names on loopback). Not flags.
	Resolver guard.Resolver
	Dial     func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Name is the fetcher's service name: its logger, NATS client and flag set.
const Name = "fetcher"

// DefaultConfig returns the configuration of a fetcher when neither flags
// nor the environment say otherwise.
func DefaultConfig() Config {
	return Config{
		Common:           config.DefaultCommon(Name, ":8081"),
		HostRate:         1,
		UserAgent:        DefaultUserAgent,
		Workers:          16,
		MaxBody:          pagebody.DefaultPage,
		MaxListingBody:   pagebody.DefaultListing,
		Timeout:          30 * time.Second,
		ConnectTimeout:   10 * time.Second,
		FirstByteTimeout: 15 * time.Second,
		MaxRedirects:     10,
		MaxCrawlDelay:    30 * time.Second,
		MaxHostWait:      30 * time.Second,
		HostWaiters:      4,
		RobotsTTL:        24 * time.Hour,
		SeenTTL:          30 * 24 * time.Hour,
		RecrawlFeeds:     time.Minute,
		RecrawlSeeds:     30 * time.Minute,
		InlineMax:        pagebody.DefaultInline,
		GzipPassthrough:  true,
	}
}

// LoadConfig reads flags from args with defaults from getenv. It returns
// flag.ErrHelp for -h.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: fetcher [flags]\n\nFetches crawl.urls politely and publishes pages.fetched and crawl.outcome.\nEvery flag defaults to the environment variable named in its description.\n\n")
		fs.PrintDefaults()
	}
	var cfg Config
	d := DefaultConfig()
	common := config.RegisterCommon(fs, getenv, Name, d.Common.HTTPAddr)
	env := config.Env(getenv)
	var errs []error
	num := func(key string, def float64) float64 {
		v, err := env.Float(key, def)
		errs = append(errs, err)
		return v
	}
	integer := func(key string, def int) int {
		v, err := env.Int(key, def)
		errs = append(errs, err)
		return v
	}
	dur := func(key string, def time.Duration) time.Duration {
		v, err := env.Duration(key, def)
		errs = append(errs, err)
		return v
	}
	boolean := func(key string, def bool) bool {
		v, err := env.Bool(key, def)
		errs = append(errs, err)
		return v
	}
	fs.Float64Var(&cfg.HostRate, "host-rate", num("FETCHER_HOST_RATE", d.HostRate), "requests per second per host, across all fetcher replicas (env FETCHER_HOST_RATE)")
	fs.BoolVar(&cfg.AllowPrivate, "allow-private", boolean("FETCHER_ALLOW_PRIVATE", d.AllowPrivate), "switch off the guard against private, loopback and metadata addresses (demo and tests only) (env FETCHER_ALLOW_PRIVATE)")
	fs.StringVar(&cfg.UserAgent, "user-agent", env.String("FETCHER_USER_AGENT", d.UserAgent), "User-Agent sent; its product token is matched against robots.txt (env FETCHER_USER_AGENT)")
	fs.IntVar(&cfg.Workers, "workers", integer("FETCHER_WORKERS", d.Workers), "fetches at once (env FETCHER_WORKERS)")
	var maxBody int
	fs.IntVar(&maxBody, "max-body", integer("FETCHER_MAX_BODY", int(d.MaxBody)), fmt.Sprintf("largest body in bytes, after decompression; at most %d, what the parser reads (env FETCHER_MAX_BODY)", pagebody.MaxPage))
	var maxListing int
	fs.IntVar(&maxListing, "max-listing-body", integer("FETCHER_MAX_LISTING_BODY", int(d.MaxListingBody)), fmt.Sprintf("largest body in bytes of a feed or sitemap, after decompression, at most %d; the parser reads its first %d (env FETCHER_MAX_LISTING_BODY)", pagebody.MaxListing, pagebody.ListingRead))
	fs.DurationVar(&cfg.Timeout, "timeout", dur("FETCHER_TIMEOUT", d.Timeout), "total time of one fetch, redirects and body included (env FETCHER_TIMEOUT)")
	fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", dur("FETCHER_CONNECT_TIMEOUT", d.ConnectTimeout), "TCP and TLS connect timeout (env FETCHER_CONNECT_TIMEOUT)")
	fs.DurationVar(&cfg.FirstByteTimeout, "first-byte-timeout", dur("FETCHER_FIRST_BYTE_TIMEOUT", d.FirstByteTimeout), "wait for response headers (env FETCHER_FIRST_BYTE_TIMEOUT)")
	fs.IntVar(&cfg.MaxRedirects, "max-redirects", integer("FETCHER_MAX_REDIRECTS", d.MaxRedirects), "redirects followed per fetch (env FETCHER_MAX_REDIRECTS)")
	fs.DurationVar(&cfg.MaxCrawlDelay, "max-crawl-delay", dur("FETCHER_MAX_CRAWL_DELAY", d.MaxCrawlDelay), "cap on a robots.txt Crawl-delay (env FETCHER_MAX_CRAWL_DELAY)")
	fs.DurationVar(&cfg.MaxHostWait, "max-host-wait", dur("FETCHER_MAX_HOST_WAIT", d.MaxHostWait), "longest in-process wait for a host's slot; longer waits are redelivered later (env FETCHER_MAX_HOST_WAIT)")
	fs.IntVar(&cfg.HostWaiters, "host-waiters", integer("FETCHER_HOST_WAITERS", d.HostWaiters), "fetches of this process waiting on one host at most (env FETCHER_HOST_WAITERS)")
	fs.DurationVar(&cfg.RobotsTTL, "robots-ttl", dur("FETCHER_ROBOTS_TTL", d.RobotsTTL), "robots.txt cache expiry, at most 24h (env FETCHER_ROBOTS_TTL)")
	fs.DurationVar(&cfg.SeenTTL, "seen-ttl", dur("FETCHER_SEEN_TTL", d.SeenTTL), "how long a URL stays in the seen-set (env FETCHER_SEEN_TTL)")
	fs.DurationVar(&cfg.RecrawlFeeds, "recrawl-feeds", dur("FETCHER_RECRAWL_FEEDS", d.RecrawlFeeds), "how soon a feed, sitemap or registered page may be fetched again (env FETCHER_RECRAWL_FEEDS)")
	fs.DurationVar(&cfg.RecrawlSeeds, "recrawl-seeds", dur("FETCHER_RECRAWL_SEEDS", d.RecrawlSeeds), "how soon a seed (depth 0) may be fetched again (env FETCHER_RECRAWL_SEEDS)")
	fs.IntVar(&cfg.InlineMax, "inline-max", integer("FETCHER_INLINE_MAX", d.InlineMax), fmt.Sprintf("largest compressed body sent inside a message, at most %d; larger bodies go to the object store (env FETCHER_INLINE_MAX)", pagebody.MaxInline))
	fs.BoolVar(&cfg.GzipPassthrough, "gzip-passthrough", boolean("FETCHER_GZIP_PASSTHROUGH", d.GzipPassthrough), "publish an HTML page the server gzipped as its gzip, undecoded; parsers must read the gzip body encoding (switch off while older parsers run) (env FETCHER_GZIP_PASSTHROUGH)")
	for _, err := range errs {
		if err != nil {
			return cfg, err
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Common = *common
	cfg.MaxBody = int64(maxBody)
	cfg.MaxListingBody = int64(maxListing)
	return cfg, cfg.Validate()
}

// Validate checks the configuration, the shared settings included.
func (c *Config) Validate() error {
	if err := c.Common.Validate(); err != nil {
		return err
	}
	switch {
	case c.HostRate <= 0 || c.HostRate > 1000:
		return fmt.Errorf("host-rate: %v, want more than 0 and at most 1000", c.HostRate)
	case c.Workers < 1:
		return fmt.Errorf("workers: %d, want at least 1", c.Workers)
	case c.MaxBody < 1024 || c.MaxBody > pagebody.MaxPage:
		return fmt.Errorf("max-body: %d, want at least 1024 and at most %d, what the parser reads", c.MaxBody, pagebody.MaxPage)
	case c.MaxListingBody < 1024 || c.MaxListingBody > pagebody.MaxListing:
		return fmt.Errorf("max-listing-body: %d, want at least 1024 and at most %d", c.MaxListingBody, pagebody.MaxListing)
	case c.Timeout <= 0 || c.ConnectTimeout <= 0 || c.FirstByteTimeout <= 0:
		return fmt.Errorf("timeouts must be positive")
	case c.MaxRedirects < 0 || c.MaxRedirects > 20:
		return fmt.Errorf("max-redirects: %d, want 0 to 20", c.MaxRedirects)
	case c.RobotsTTL <= 0 || c.RobotsTTL > 24*time.Hour:
		return fmt.Errorf("robots-ttl: %v, want more than 0 and at most 24h", c.RobotsTTL)
	case c.SeenTTL < time.Minute:
		return fmt.Errorf("seen-ttl: %v, want at least 1m", c.SeenTTL)
	case c.InlineMax < 1024 || c.InlineMax > pagebody.MaxInline:
		return fmt.Errorf("inline-max: %d, want 1024 to %d", c.InlineMax, pagebody.MaxInline)
	case c.HostWaiters < 1:
		return fmt.Errorf("host-waiters: %d, want at least 1", c.HostWaiters)
	case strings.TrimSpace(c.UserAgent) == "":
		return fmt.Errorf("user-agent: empty")
	}
	return nil
}

// HostInterval is the spacing of requests to one host.
func (c *Config) HostInterval() time.Duration {
	return time.Duration(float64(time.Second) / c.HostRate)
}
