package config

import (
	"flag"
	"io"
	"testing"

	"github.com/newsflow/newsflow/pkg/bus"
)

// TestRegisterNATSMatchesServices checks that the operator's tool and the
// services take the same NATS flags: same names, defaults and help, and
// that each fills the same field.
func TestRegisterNATSMatchesServices(t *testing.T) {
	env := map[string]string{"NATS_URL": "nats://a:4222,nats://b:4222", "NATS_USER": "admin", "NATS_PASSWORD": "pw",
		"NATS_CREDS": "/c.creds", "NATS_NKEY": "/k.nk", "NATS_TLS_CA": "/ca.pem", "NATS_TLS_CERT": "/c.pem", "NATS_TLS_KEY": "/k.pem"}
	getenv := func(k string) string { return env[k] }

	svc := flag.NewFlagSet("svc", flag.ContinueOnError)
	common := RegisterCommon(svc, getenv, "fetcher", ":8081")
	cli := flag.NewFlagSet("cli", flag.ContinueOnError)
	var o bus.ConnOptions
	RegisterNATS(cli, getenv, &o)

	for _, name := range natsFlagNames {
		s, c := svc.Lookup(name), cli.Lookup(name)
		if s == nil || c == nil {
			t.Errorf("flag -%s: services %v, RegisterNATS %v", name, s != nil, c != nil)
			continue
		}
		if s.DefValue != c.DefValue || s.Usage != c.Usage {
			t.Errorf("flag -%s differs: services (%q, %q), RegisterNATS (%q, %q)", name, s.DefValue, s.Usage, c.DefValue, c.Usage)
		}
	}
	// Every nats-* flag of the services is one of them.
	svc.VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 5 && f.Name[:5] == "nats-" && f.Name != "nats-replicas" && cli.Lookup(f.Name) == nil {
			t.Errorf("the services define -%s, RegisterNATS does not", f.Name)
		}
	})

	args := []string{"-nats-url", "nats://c:4222", "-nats-user", "u", "-nats-password", "p", "-nats-creds", "x.creds",
		"-nats-nkey", "x.nk", "-nats-tls-ca", "ca", "-nats-tls-cert", "cert", "-nats-tls-key", "key"}
	svc.SetOutput(io.Discard)
	if err := svc.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := cli.Parse(args); err != nil {
		t.Fatal(err)
	}
	want := common.NATS
	want.Name = ""
	if o != want {
		t.Errorf("RegisterNATS filled %+v, the services %+v", o, want)
	}
}
