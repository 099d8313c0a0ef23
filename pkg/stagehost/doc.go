// Package stagehost runs one pipeline stage as a service, the role of
// watermill's Router: given the stage's consumer name, the common
// configuration (the only source of topology, AckWait and replicas),
// readiness checks, extra HTTP routes and background jobs, it ensures the
// streams and the consumer, registers the runner's and the lag metrics,
// serves /healthz, /readyz and /metrics (pkg/ops), runs the runner and
// the jobs under one errgroup, returns the first error, and on
// cancellation (SIGTERM) stops in order: unready, runner and jobs
// drained, HTTP last. A service declares only what is its own:
//
//	return stagehost.Run(ctx, log, conn, stagehost.Stage{
//		Consumer: schema.ConsumerParser,
//		Common:   cfg.Common,
//		Jobs:     map[string]stagehost.Job{"sources": poll},
//	}, runner)
//
// Files:
//
//	stagehost.go  Stage, Job, Runner, Conn, Run, Connected
//	doc.go        this overview
package stagehost
