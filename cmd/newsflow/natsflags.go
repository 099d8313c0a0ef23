package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/config"
)

// defaultTimeout is how long a command waits for one answer (a connection,
// a request, a batch of messages) before it gives up: an operator at a
// terminal wants an error, not silence.
const defaultTimeout = 5 * time.Second

// natsAliases maps the flag names of earlier versions to the names the
// services use. They are still accepted but no longer documented.
var natsAliases = map[string]string{
	"nats": "nats-url", "user": "nats-user", "password": "nats-password", "creds": "nats-creds",
	"nkey": "nats-nkey", "tls-ca": "nats-tls-ca", "tls-cert": "nats-tls-cert", "tls-key": "nats-tls-key",
}

// natsFlags defines the connection flags the operator's commands share:
// the services' own (-nats-url, -nats-user, ... with defaults from NATS_URL,
// NATS_USER, ...) and -timeout, which makes the
// connection fail fast.
func natsFlags(fs *flag.FlagSet, name string) *bus.ConnOptions {
	o := &bus.ConnOptions{Name: name}
	config.RegisterNATS(fs, os.Getenv, o)
	timeoutFlag(fs, &o.Timeout)
	return o
}

// timeoutFlag defines -timeout on fs.
func timeoutFlag(fs *flag.FlagSet, d *time.Duration) {
	*d = defaultTimeout
	fs.Var((*positiveDuration)(d), "timeout", "give up when the server has not answered a step (connecting, a request, the next messages) for this `duration`")
}

// positiveDuration is a flag.Value holding a duration above zero.
type positiveDuration time.Duration

func (d *positiveDuration) String() string { return time.Duration(*d).String() }

func (d *positiveDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (e.g. 5s, 1m)")
	}
	if v <= 0 {
		return errors.New("must be above zero")
	}
	*d = positiveDuration(v)
	return nil
}

// connect opens the connection of a command; it fails within o.Timeout
// with an error naming the server.
func connect(ctx context.Context, o *bus.ConnOptions) (*nats.Conn, jetstream.JetStream, error) {
	nc, js, err := bus.Connect(ctx, *o, zap.NewNop())
	if errors.Is(err, nats.ErrNoServers) {
		return nil, nil, fmt.Errorf("%w (is NATS running there? set --nats-url or NATS_URL)", err)
	}
	return nc, js, err
}

// parseFlags parses args on fs and returns the positional arguments.
// Flags may come before, between or after them ("search election -limit 2");
// "--" ends the flags. The flag names of earlier versions are accepted.
// For -h it prints fs.Usage to stdout and returns flag.ErrHelp, which main
// turns into exit status 0; other errors name the command and its -h.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	args = rewriteAliases(fs, args)
	out := fs.Output()
	fs.SetOutput(io.Discard) // errors are returned, not printed twice
	defer fs.SetOutput(out)
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w (see 'newsflow %s -h')", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// rewriteAliases replaces the old names of fs's flags in args, following
// the flag package's own reading of them: a non-boolean flag without "="
// takes the next argument as its value, and "--" ends the flags.
func rewriteAliases(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		dashes := "-"
		name := a[1:]
		if strings.HasPrefix(name, "-") {
			dashes, name = "--", name[1:]
		}
		name, value, hasValue := strings.Cut(name, "=")
		if alias, ok := natsAliases[name]; ok && fs.Lookup(name) == nil && fs.Lookup(alias) != nil {
			name = alias
			out[len(out)-1] = dashes + name
			if hasValue {
				out[len(out)-1] += "=" + value
			}
		}
		f := fs.Lookup(name)
		if f == nil || hasValue {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// usageFunc returns a flag.FlagSet Usage that prints text and then the
// flags, on the flag set's output.
func usageFunc(fs *flag.FlagSet, text string) func() {
	return func() {
		fmt.Fprint(fs.Output(), text)
		if !strings.HasSuffix(text, "\n\n") {
			fmt.Fprintln(fs.Output())
		}
		fmt.Fprintln(fs.Output(), "Flags:")
		fs.PrintDefaults()
	}
}
