// Package service wires the fetcher stage to NATS: configuration, the
// consumer of crawl.urls, the KV buckets shared by the replicas (seen-set,
// robots.txt cache, host slots, and the sources registry's validators),
// the object store for large bodies, health and metrics. cmd/newsflow runs
// it in-process; main runs it as a binary.
//
// Files:
//
//	service.go  Run, RunWithConn: the stage on pkg/stagehost, declared
//	build.go    Build: the buckets, the HTTP client and the stage
//	config.go   Config, DefaultConfig, LoadConfig: flags and environment
package service
