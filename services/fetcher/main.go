// Command fetcher fetches the URLs on crawl.urls politely and safely
// (robots.txt, per-host rate across replicas, address guard, size and time
// limits) and publishes pages.fetched and one crawl.outcome per URL.
// Run with -h for its flags and environment variables.
//
// With PPROF_ADDR set (say 127.0.0.1:6060) it also serves net/http/pprof
// there, for profiling (docs/PERFORMANCE.md).
package main

import (
	"encoding/json"
	"net/http"
	_ "net/http/pprof" // on http.DefaultServeMux, served only on PPROF_ADDR
	"os"

	"github.com/newsflow/newsflow/pkg/cli"
	"github.com/newsflow/newsflow/services/fetcher/service"
)

func main() {
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		go func() {
			err := http.ListenAndServe(addr, nil)
			_ = json.NewEncoder(os.Stderr).Encode(map[string]string{"level": "error", "msg": "pprof stopped", "service": "fetcher", "error": err.Error()})
		}()
	}
	cli.Main(cli.Service[service.Config]{
		Name: "fetcher",
		Load: service.LoadConfig,
		// As the parser's and the indexer's: with pages passed through
		// as the origin gzipped them, the collector and the scavenger
		// returning its memory were a sixth of the fetcher's CPU at
		// Go's 100 (docs/PERFORMANCE.md, phase 3).
		GC:       cli.GC{Percent: 200, MemoryLimit: 120 << 20},
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
	})
}
