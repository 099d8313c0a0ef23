// Package service wires the parser stage to NATS: configuration, the
// consumer of pages.fetched, the object store for large bodies, the
// schedule of registered sources, health and metrics. cmd/newsflow runs it
// in-process; main runs it as a binary.
//
// Files:
//
//	service.go      Run, RunWithConn: the stage on pkg/stagehost, declared
//	stage.go        the stage, Handler, and the page counter
//	sources.go      the job that queues registered sources when due
//	config.go       Config, DefaultConfig, LoadConfig: flags and environment
//	fault*.go       fault injection, in chaos builds only
package service
