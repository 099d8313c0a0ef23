// Command parser turns fetched pages (pages.fetched) into structured
// articles (articles.parsed) and feeds in-scope links back to crawl.urls.
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
	"github.com/newsflow/newsflow/services/parser/service"
)

func main() {
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		go func() {
			err := http.ListenAndServe(addr, nil)
			_ = json.NewEncoder(os.Stderr).Encode(map[string]string{"level": "error", "msg": "pprof stopped", "service": "parser", "error": err.Error()})
		}()
	}
	cli.Main(cli.Service[service.Config]{
		Name:     "parser",
		Load:     service.LoadConfig,
		LogLevel: func(c service.Config) string { return c.Common.LogLevel },
		Run:      service.Run,
		// The parser allocates about 1 MB per page and keeps little:
		// GOGC=400 spends about a tenth less CPU than 200 for about
		// 20 MiB more (docs/PERFORMANCE.md, phase 3); the limit keeps a
		// huge page from taking it past its memory budget. GOGC and
		// GOMEMLIMIT in the environment win.
		GC: cli.GC{Percent: 400, MemoryLimit: 120 << 20},
	})
}
