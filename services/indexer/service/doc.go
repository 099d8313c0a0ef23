// Package service runs the indexer: it consumes articles.parsed in
// batches, writes each batch to the store in one transaction, acks after
// the commit, and serves the search API, the operator page, health,
// readiness and metrics over HTTP.
//
// Files:
//
//	service.go  Run, RunWithConn: the batch runner on pkg/stagehost, declared;
//	            the batch write, its report and the store's readiness
//	metrics.go  the indexer's own metrics
//	config.go   Config, DefaultConfig, LoadConfig: flags and environment
package service
