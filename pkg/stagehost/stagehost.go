package stagehost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/newsflow/newsflow/pkg/buildinfo"
	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/config"
	"github.com/newsflow/newsflow/pkg/ops"
)

// Stage declares what is a service's own; the host does the rest.
type Stage struct {
	// Consumer names the stage's durable consumer (schema.ConsumerFetcher,
	// ...), which names its stream.
	Consumer string
	// Common is the configuration every service shares: the only source
	// of the topology (replicas, AckWait) and of the HTTP address.
	Common config.Common
	// Registry holds the service's own metrics; the host adds the
	// runner's, the consumer's lag and Go's. Nil: a new one.
	Registry *prometheus.Registry
	// Checks are readiness checks beside the host's own (nats, topology,
	// stopping).
	Checks map[string]ops.Check
	// Routes adds the service's own HTTP routes (an API) beside /healthz,
	// /readyz and /metrics. Optional.
	Routes func(mux *http.ServeMux)
	// Jobs run beside the runner until the stage stops (a schedule, say).
	// A job that returns an error stops the stage; one that returns nil
	// has just finished.
	Jobs map[string]Job
	// Fields describe the stage on its start line (workers, rate...).
	Fields []zap.Field
	// AddrOut, if not nil, receives the bound HTTP address once the
	// listener is open (useful with port 0). It must be buffered or read.
	AddrOut chan<- string
	// Streams makes sure the pipeline's streams exist. Nil:
	// bus.EnsureStreams, which creates or updates what it may and
	// verifies the rest; a deployment whose services may only verify
	// passes its own.
	Streams func(ctx context.Context, js jetstream.JetStream, t bus.Topology) error
}

// Job is work a stage runs beside its runner. It returns when ctx is
// cancelled.
type Job func(ctx context.Context) error

// Runner is what the host runs: a bus.Runner or a bus.BatchRunner, bound
// by the host to the stage's consumer, a publisher, the logger and the
// metrics.
type Runner interface {
	// Name is the stage's name, on the host's own log lines.
	Name() string
	Bind(bus.Binding)
	Run(ctx context.Context) error
}

// Conn is a connection to NATS and its JetStream context.
type Conn struct {
	NC *nats.Conn
	JS jetstream.JetStream
}

// Dial connects to NATS as o says (see bus.Connect).
func Dial(ctx context.Context, o bus.ConnOptions, log *zap.Logger) (Conn, error) {
	nc, js, err := bus.Connect(ctx, o, log)
	if err != nil {
		return Conn{}, err
	}
	return Conn{NC: nc, JS: js}, nil
}

// Close drains the connection, so publishes in flight reach the server,
// and closes it. A connection that is down (the server went away) has
// nothing to drain: it is closed, and whatever was not acked is
// redelivered by the server, so stopping then is still a clean stop.
func (c Conn) Close() error {
	if c.NC.IsReconnecting() {
		c.NC.Close()
		return nil
	}
	if err := c.NC.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		c.NC.Close()
		return fmt.Errorf("drain nats: %w", err)
	}
	return nil
}

// Run hosts a stage until ctx is cancelled or a part of it fails:
//
//  1. ensures the streams and the stage's consumer from st.Common;
//  2. registers the runner's metrics, the consumer's lag and the
//     newsflow_build_info gauge;
//  3. serves /healthz, /readyz, /metrics and st.Routes on
//     st.Common.HTTPAddr (none when empty);
//  4. runs the runner and st.Jobs under one errgroup.
//
// On cancellation it stops in order: /readyz turns unready, the runner
// finishes its in-flight messages and the jobs return, then the HTTP
// server shuts down. It returns the first error (a listener that cannot
// open, a job that fails), or nil after a clean stop. It neither opens
// nor closes conn.
func Run(ctx context.Context, log *zap.Logger, conn Conn, st Stage, r Runner) error {
	// The runner narrows log to its stage itself.
	hostLog := log.With(zap.String("stage", r.Name()))
	topo := st.Common.Topology()
	ensure := st.Streams
	if ensure == nil {
		ensure = bus.EnsureStreams
	}
	var stale *bus.NotUpdatedError
	if err := untilAvailable(ctx, hostLog, "streams", func() error { return ensure(ctx, conn.JS, topo) }); errors.As(err, &stale) {
		hostLog.Warn("streams differ from the topology and were not updated", zap.Strings("streams", stale.Streams), zap.Error(stale.Err))
	} else if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	var cons jetstream.Consumer
	err := untilAvailable(ctx, hostLog, "consumer", func() (err error) {
		cons, err = bus.EnsureConsumer(ctx, conn.JS, topo, st.Consumer)
		return err
	})
	if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	info := cons.CachedInfo()
	reg := st.Registry
	if reg == nil {
		reg = ops.NewRegistry()
	}
	reg.MustRegister(bus.NewLagCollector(conn.JS, info.Stream, info.Name), buildinfo.NewGauge(r.Name()))
	r.Bind(bus.Binding{Consumer: cons, Publisher: bus.NewPublisher(conn.JS), Log: log, Metrics: bus.NewMetrics(reg)})

	g, gctx := errgroup.WithContext(ctx)
	// The runner and the jobs stop first; HTTP, which answers probes
	// and scrapes while they drain, last.
	workCtx, stopWork := context.WithCancel(gctx)
	defer stopWork()
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()

	var stopping atomic.Bool
	httpAddr := ""
	if st.Common.HTTPAddr != "" {
		mux := ops.Mux(reg, checks(conn, st.Checks, &stopping))
		if st.Routes != nil {
			st.Routes(mux)
		}
		bound := make(chan string, 1)
		g.Go(func() error { return ops.Serve(httpCtx, st.Common.HTTPAddr, mux, hostLog, bound) })
		// The listener first: a stage whose address is taken does not
		// start at all.
		select {
		case httpAddr = <-bound:
			if st.AddrOut != nil {
				st.AddrOut <- httpAddr
			}
		case <-gctx.Done(): // the listener failed, or ctx is done
			stopHTTP()
			return g.Wait()
		}
	}
	var work sync.WaitGroup
	work.Add(1)
	g.Go(func() error {
		defer work.Done()
		// A runner that returns stops the stage.
		defer stopWork()
		return r.Run(workCtx)
	})
	for name, job := range st.Jobs {
		work.Add(1)
		g.Go(func() error {
			defer work.Done()
			if err := job(workCtx); err != nil && workCtx.Err() == nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-workCtx.Done()
		stopping.Store(true)
		work.Wait()
		stopHTTP()
		return nil
	})
	hostLog.Info("started", append([]zap.Field{
		zap.String("consumer", info.Name), zap.String("stream", info.Stream),
		zap.Duration("ack_wait", info.Config.AckWait), zap.Int("max_deliver", info.Config.MaxDeliver),
		zap.String("http_addr", httpAddr),
	}, st.Fields...)...)
	if err := g.Wait(); err != nil {
		return err
	}
	hostLog.Info("stopped")
	return nil
}

// checks are the readiness checks of a stage: the connection, the
// topology, not stopping, and the stage's own.
func checks(conn Conn, own map[string]ops.Check, stopping *atomic.Bool) map[string]ops.Check {
	all := map[string]ops.Check{
		"nats": func(context.Context) error {
			if !conn.NC.IsConnected() {
				return fmt.Errorf("nats %s", conn.NC.Status())
			}
			return nil
		},
		"topology": func(ctx context.Context) error { return bus.CheckTopology(ctx, conn.JS) },
		"stopping": func(context.Context) error {
			if stopping.Load() {
				return errors.New("shutting down")
			}
			return nil
		},
	}
	for name, c := range own {
		all[name] = c
	}
	return all
}

// Connected dials NATS as common says, calls run with the connection and
// drains and closes it when run returns: the whole life of a service's
// connection.
func Connected(ctx context.Context, common config.Common, log *zap.Logger, run func(Conn) error) error {
	conn, err := Dial(ctx, common.NATS, log)
	if err != nil {
		return err
	}
	err = run(conn)
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// StartupRetry is how long a stage keeps setting up its streams and
// consumer while JetStream cannot answer yet: a cluster electing its
// leaders, or a busy one timing requests out. Other errors (a stream
// missing where the stage may not create it, a permission) fail at once.
var StartupRetry = time.Minute

// untilAvailable runs step until it succeeds, fails for a reason other
// than JetStream being unavailable, or StartupRetry has passed, waiting
// longer between tries (250 ms doubling, at most 5 s).
func untilAvailable(ctx context.Context, log *zap.Logger, what string, step func() error) error {
	deadline := time.Now().Add(StartupRetry)
	wait := 250 * time.Millisecond
	for {
		err := step()
		if err == nil || !unavailable(err) || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		log.Warn("jetstream unavailable, retrying", zap.String("setting_up", what), zap.Duration("wait", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// unavailable reports whether err says JetStream could not answer now:
// a request that timed out, no responders, or a 503 other than
// JetStream being off (which waiting does not fix). A missing stream the
// stage could not create is not (a denied create times out too, and the
// operator must run newsflow setup), nor a stream the stage could not
// update (it runs on the stream as provisioned).
func unavailable(err error) bool {
	var stale *bus.NotUpdatedError
	if errors.Is(err, bus.ErrStreamMissing) || errors.As(err, &stale) {
		return false
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return api.Code == 503 && api.ErrorCode != jetstream.JSErrCodeJetStreamNotEnabled &&
			api.ErrorCode != jetstream.JSErrCodeJetStreamNotEnabledForAccount
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders)
}
