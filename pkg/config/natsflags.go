package config

import (
	"flag"

	"github.com/newsflow/newsflow/pkg/bus"
)

// RegisterNATS defines the flags that say how to reach NATS on fs, filling
// o when fs is parsed, with defaults from getenv: -nats-url, -nats-creds,
// -nats-user, -nats-password, -nats-nkey, -nats-tls-ca, -nats-tls-cert, -nats-tls-key and
// -nats-inbox-prefix (env NATS_URL, NATS_CREDS, ...). The services (through
// RegisterCommon) and the operator's tool use these same names.
func RegisterNATS(fs *flag.FlagSet, getenv func(string) string, o *bus.ConnOptions) {
	env := Env(getenv)
	fs.StringVar(&o.URL, "nats-url", env.String("NATS_URL", "nats://127.0.0.1:4222"), "NATS server URL(s), comma-separated (env NATS_URL)")
	fs.StringVar(&o.Creds, "nats-creds", env.String("NATS_CREDS", ""), "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&o.User, "nats-user", env.String("NATS_USER", ""), "NATS user (env NATS_USER)")
	fs.StringVar(&o.Password, "nats-password", env.String("NATS_PASSWORD", ""), "NATS password (env NATS_PASSWORD)")
	fs.StringVar(&o.NKey, "nats-nkey", env.String("NATS_NKEY", ""), "NATS nkey seed file (env NATS_NKEY)")
	fs.StringVar(&o.TLSCA, "nats-tls-ca", env.String("NATS_TLS_CA", ""), "CA certificate for NATS TLS (env NATS_TLS_CA)")
	fs.StringVar(&o.TLSCert, "nats-tls-cert", env.String("NATS_TLS_CERT", ""), "client certificate for NATS TLS (env NATS_TLS_CERT)")
	fs.StringVar(&o.TLSKey, "nats-tls-key", env.String("NATS_TLS_KEY", ""), "client key for NATS TLS (env NATS_TLS_KEY)")
	fs.StringVar(&o.InboxPrefix, "nats-inbox-prefix", env.String("NATS_INBOX_PREFIX", ""), "prefix of reply subjects instead of _INBOX, e.g. _INBOX_fetcher (env NATS_INBOX_PREFIX)")
}

// natsFlagNames lists the flags RegisterNATS defines.
var natsFlagNames = []string{"nats-url", "nats-creds", "nats-user", "nats-password", "nats-nkey", "nats-tls-ca", "nats-tls-cert", "nats-tls-key", "nats-inbox-prefix"}
