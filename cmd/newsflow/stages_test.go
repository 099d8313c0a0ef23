package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	fetcher "github.com/newsflow/newsflow/services/fetcher/service"
	indexer "github.com/newsflow/newsflow/services/indexer/service"
	parser "github.com/newsflow/newsflow/services/parser/service"
)

// stageEnv is the environment of each stage run in-process by runStages.
type stageEnv struct{ fetcher, parser, indexer map[string]string }

// runStages runs the three services in this process, each configured from
// its own environment exactly as its binary would be (the indexer's HTTP
// listener on a free loopback port), until the test ends. It returns the
// indexer's API base URL and a channel of stage failures.
func runStages(tb testing.TB, env stageEnv) (api string, errs <-chan error) {
	tb.Helper()
	lookup := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	fcfg, err := fetcher.LoadConfig(nil, lookup(env.fetcher))
	if err != nil {
		tb.Fatal(err)
	}
	pcfg, err := parser.LoadConfig(nil, lookup(env.parser))
	if err != nil {
		tb.Fatal(err)
	}
	icfg, err := indexer.LoadConfig(nil, lookup(env.indexer))
	if err != nil {
		tb.Fatal(err)
	}
	fcfg.Common.HTTPAddr, pcfg.Common.HTTPAddr, icfg.Common.HTTPAddr = "", "", "127.0.0.1:0"
	addr := make(chan string, 1)
	icfg.AddrOut = addr

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	failed := make(chan error, 3)
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return fetcher.Run(ctx, fcfg, zap.NewNop()) },
		func(ctx context.Context) error { return parser.Run(ctx, pcfg, zap.NewNop()) },
		func(ctx context.Context) error { return indexer.Run(ctx, icfg, zap.NewNop()) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				failed <- err
			}
		}()
	}
	tb.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case a := <-addr:
		return "http://" + a, failed
	case err := <-failed:
		tb.Fatalf("a stage failed at start: %v", err)
	case <-time.After(30 * time.Second):
		tb.Fatal("the indexer did not start within 30s")
	}
	return "", nil
}

// sameEnv gives every stage one environment plus its own additions.
func sameEnv(common map[string]string, fetcherExtra, parserExtra, indexerExtra map[string]string) stageEnv {
	return stageEnv{merge(common, fetcherExtra), merge(common, parserExtra), merge(common, indexerExtra)}
}
