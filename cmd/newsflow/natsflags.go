package main

import (
	"flag"

	"github.com/newsflow/newsflow/pkg/bus"
)

// natsFlags defines the connection flags the operator's commands share,
// with defaults from the same environment variables as the services.
func natsFlags(fs *flag.FlagSet, name string) *bus.ConnOptions {
	o := &bus.ConnOptions{Name: name}
	fs.StringVar(&o.URL, "nats", envOr("NATS_URL", "nats://127.0.0.1:4222"), "NATS server URL (env NATS_URL)")
	fs.StringVar(&o.Creds, "creds", envOr("NATS_CREDS", ""), "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&o.User, "user", envOr("NATS_USER", ""), "NATS user (env NATS_USER)")
	fs.StringVar(&o.Password, "password", envOr("NATS_PASSWORD", ""), "NATS password (env NATS_PASSWORD)")
	fs.StringVar(&o.NKey, "nkey", envOr("NATS_NKEY", ""), "NATS nkey seed file (env NATS_NKEY)")
	fs.StringVar(&o.TLSCA, "tls-ca", envOr("NATS_TLS_CA", ""), "CA certificate for NATS TLS (env NATS_TLS_CA)")
	fs.StringVar(&o.TLSCert, "tls-cert", envOr("NATS_TLS_CERT", ""), "client certificate for NATS TLS (env NATS_TLS_CERT)")
	fs.StringVar(&o.TLSKey, "tls-key", envOr("NATS_TLS_KEY", ""), "client key for NATS TLS (env NATS_TLS_KEY)")
	return o
}
