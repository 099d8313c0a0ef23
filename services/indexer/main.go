// Command indexer consumes parsed articles from NATS JetStream, stores
// them (SQLite by default, PostgreSQL at scale) and serves the search API
// and the operator page over HTTP.
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
	"github.com/newsflow/newsflow/services/indexer/service"
)

func main() {
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		go func() {
			err := http.ListenAndServe(addr, nil)
			_ = json.NewEncoder(os.Stderr).Encode(map[string]string{"level": "error", "msg": "pprof stopped", "service": "indexer", "error": err.Error()})
		}()
	}
	cli.Main(cli.Service[service.Config]{
		Name:     "indexer",
		Load:     service.LoadConfig,
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
		// GOGC=200 costs the indexer no memory to speak of and saves a
		// little GC work (docs/PERFORMANCE.md); the limit keeps its
		// heap within its budget. GOGC and GOMEMLIMIT in the
		// environment win.
		GC: cli.GC{Percent: 200, MemoryLimit: 120 << 20},
	})
}
