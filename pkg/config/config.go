// Package config reads the configuration every Newsflow binary shares:
// flags whose defaults come from environment variables with the same names
// everywhere (NATS_URL, LOG_LEVEL, HTTP_ADDR, ...). Loaders are pure
// functions of (args, getenv), so they are tested without touching the
// process environment.
package config

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/bus"
)

// Common is the configuration shared by every service.
type Common struct {
	NATS     bus.ConnOptions
	Replicas int
	// AckWait overrides the stage's consumer AckWait when set.
	AckWait time.Duration

	envErr   error // a malformed environment default, reported by Validate
	LogLevel string
	// HTTPAddr is the service's HTTP listener (health, metrics, API);
	// empty disables it.
	HTTPAddr string
}

// Env reads defaults for flags from getenv.
type Env func(string) string

// String returns the value of key, or def when unset or empty.
func (e Env) String(key, def string) string {
	if v := strings.TrimSpace(e(key)); v != "" {
		return v
	}
	return def
}

// DefaultNATSURL is the NATS server a service connects to by default.
const DefaultNATSURL = "nats://127.0.0.1:4222"

// DefaultCommon returns the shared settings of service when neither flags
// nor the environment say otherwise; httpAddr is its HTTP listener ("" for
// none). Code that runs services in process (newsflow up) starts from it.
func DefaultCommon(service, httpAddr string) Common {
	return Common{NATS: bus.ConnOptions{URL: DefaultNATSURL, Name: service}, Replicas: 1, LogLevel: "info", HTTPAddr: httpAddr}
}

// RegisterCommon defines the shared flags on fs with defaults from getenv and
// returns the struct they fill when fs is parsed. defaultHTTP is the
// service's default HTTP_ADDR.
func RegisterCommon(fs *flag.FlagSet, getenv func(string) string, service, defaultHTTP string) *Common {
	env := Env(getenv)
	d := DefaultCommon(service, defaultHTTP)
	c := &Common{NATS: bus.ConnOptions{Name: service}}
	RegisterNATS(fs, getenv, &c.NATS)
	replicas, err := env.Int("NATS_REPLICAS", d.Replicas)
	if err != nil {
		c.envErr = err
	}
	fs.IntVar(&c.Replicas, "nats-replicas", replicas, "replicas of each stream when this service creates it (env NATS_REPLICAS)")
	ackWait, err := env.Duration("NATS_ACK_WAIT", d.AckWait)
	if err != nil {
		c.envErr = err
	}
	fs.DurationVar(&c.AckWait, "ack-wait", ackWait, "override the stage consumer's AckWait, e.g. 5s (env NATS_ACK_WAIT; default: the stage's own)")
	fs.StringVar(&c.LogLevel, "log-level", env.String("LOG_LEVEL", d.LogLevel), "log level: debug, info, warn, error (env LOG_LEVEL)")
	fs.StringVar(&c.HTTPAddr, "http-addr", env.String("HTTP_ADDR", d.HTTPAddr), "HTTP listen address for health, metrics (and API); \"off\" disables it (env HTTP_ADDR)")
	return c
}

// Topology returns the stream topology these settings ask for.
func (c *Common) Topology() bus.Topology {
	return bus.Topology{Replicas: c.Replicas, AckWait: c.AckWait}
}

// Validate checks the shared settings.
func (c *Common) Validate() error {
	if c.envErr != nil {
		return c.envErr
	}
	if c.HTTPAddr == "off" {
		c.HTTPAddr = ""
	}
	if c.NATS.URL == "" {
		return fmt.Errorf("nats-url: empty")
	}
	if c.AckWait < 0 {
		return fmt.Errorf("ack-wait: %v is negative", c.AckWait)
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		return fmt.Errorf("nats-replicas: %d, want 1 to 5", c.Replicas)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: %q, want debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// Duration parses an environment default for a duration flag.
func (e Env) Duration(key string, def time.Duration) (time.Duration, error) {
	v := e.String(key, "")
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return d, nil
}

// Int parses an environment default for an int flag.
func (e Env) Int(key string, def int) (int, error) {
	v := e.String(key, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", key, v)
	}
	return n, nil
}

// Float parses an environment default for a float flag.
func (e Env) Float(key string, def float64) (float64, error) {
	v := e.String(key, "")
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", key, v)
	}
	return f, nil
}

// Bool parses an environment default for a bool flag.
func (e Env) Bool(key string, def bool) (bool, error) {
	v := e.String(key, "")
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", key, v)
	}
	return b, nil
}
