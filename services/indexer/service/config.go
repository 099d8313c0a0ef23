package service

import (
	"flag"
	"fmt"
	"time"

	"github.com/newsflow/newsflow/pkg/config"
)

// Name is the indexer's service name: its logger, NATS client and flag set.
const Name = "indexer"

// Config is the indexer's configuration.
type Config struct {
	Common config.Common
	// Store is a SQLite file path or a postgres:// URL (INDEXER_STORE).
	Store string
	// BatchSize is the most articles written per transaction
	// (INDEXER_BATCH_SIZE); BatchWait the longest an article waits for
	// its batch to fill (INDEXER_BATCH_WAIT; bus.BatchRunner.MaxWait).
	BatchSize int
	BatchWait time.Duration
	// AddrOut, if not nil, receives the bound HTTP address once the
	// listener is open (useful with port 0). It must be buffered or read.
	AddrOut chan<- string
}

// DefaultConfig returns the configuration of an indexer when neither
// flags nor the environment say otherwise.
func DefaultConfig() Config {
	return Config{
		Common:    config.DefaultCommon(Name, ":8080"),
		Store:     "newsflow.db",
		BatchSize: 100,
		BatchWait: 250 * time.Millisecond,
	}
}

// LoadConfig reads the configuration from args, with defaults from getenv.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	d := DefaultConfig()
	common := config.RegisterCommon(fs, getenv, Name, d.Common.HTTPAddr)
	env := config.Env(getenv)
	var cfg Config
	batch, err := env.Int("INDEXER_BATCH_SIZE", d.BatchSize)
	if err != nil {
		return cfg, err
	}
	wait, err := env.Duration("INDEXER_BATCH_WAIT", d.BatchWait)
	if err != nil {
		return cfg, err
	}
	fs.StringVar(&cfg.Store, "store", env.String("INDEXER_STORE", d.Store), "where articles are kept: a SQLite file path or a postgres:// URL (env INDEXER_STORE)")
	fs.IntVar(&cfg.BatchSize, "batch-size", batch, "most articles written per transaction (env INDEXER_BATCH_SIZE)")
	fs.DurationVar(&cfg.BatchWait, "batch-wait", wait, "longest an article waits for its batch to fill; a batch is written early when no article comes for a tenth of it (env INDEXER_BATCH_WAIT)")
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
	if c.Store == "" {
		return fmt.Errorf("store: empty")
	}
	if c.BatchSize < 1 || c.BatchSize > 1000 {
		return fmt.Errorf("batch-size: %d, want 1 to 1000", c.BatchSize)
	}
	if c.BatchWait <= 0 || c.BatchWait > time.Minute {
		return fmt.Errorf("batch-wait: %v, want more than 0 and at most 1m", c.BatchWait)
	}
	return nil
}
