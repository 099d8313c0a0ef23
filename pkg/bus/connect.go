package bus

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// ConnOptions says how to reach and authenticate to NATS. Every binary
// fills it from the same flags and environment variables (NATS_URL,
// NATS_CREDS, NATS_USER, NATS_PASSWORD, NATS_NKEY, NATS_TLS_CA,
// NATS_TLS_CERT, NATS_TLS_KEY, NATS_INBOX_PREFIX).
type ConnOptions struct {
	URL      string
	Name     string // client name shown by the server, e.g. "fetcher"
	Creds    string // path of a .creds file (JWT + seed)
	User     string
	Password string
	NKey     string // path of an nkey seed file
	TLSCA    string
	TLSCert  string
	TLSKey   string
	// InboxPrefix replaces _INBOX as the prefix of reply subjects. The
	// deploy/nats users may subscribe only to their own prefix
	// (_INBOX_fetcher.> ...), so no identity reads another's replies or
	// consumer deliveries.
	InboxPrefix string
	// Timeout, when set, makes Connect fail fast, as an operator's command
	// should: one connection attempt, each step of it and every JetStream
	// API request bounded by Timeout. Zero (the services) retries the
	// first connection for about 30s.
	Timeout time.Duration
}

// Connect dials NATS with reconnects forever and returns the connection and
// its JetStream context. It refuses a server older than MinServerVersion.
// Connection events are logged on log.
func Connect(ctx context.Context, o ConnOptions, log *zap.Logger) (*nats.Conn, jetstream.JetStream, error) {
	if o.URL == "" {
		return nil, nil, errors.New("connect: no NATS URL")
	}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.ReconnectBufSize(-1), // publishes fail fast while disconnected instead of being buffered and lost
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", zap.String("server", nc.ConnectedUrlRedacted()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			fields := []zap.Field{zap.Error(err)}
			if sub != nil {
				fields = append(fields, zap.String("subject", sub.Subject))
			}
			log.Warn("nats async error", fields...)
		}),
	}
	if o.Timeout > 0 {
		opts = append(opts, nats.Timeout(o.Timeout))
	}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	if o.User != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.NKey != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKey)
		if err != nil {
			return nil, nil, fmt.Errorf("nkey %s: %w", o.NKey, err)
		}
		opts = append(opts, opt)
	}
	if o.InboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(o.InboxPrefix))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}

	// Retry the first connection for a while: in a compose cluster the
	// services often start before NATS is ready.
	var nc *nats.Conn
	var err error
	for attempt := 1; ; attempt++ {
		nc, err = nats.Connect(o.URL, opts...)
		if err == nil {
			break
		}
		if refused(err) || attempt >= 30 || o.Timeout > 0 {
			return nil, nil, fmt.Errorf("connect %s: %w", redact(o.URL), err)
		}
		log.Warn("nats not reachable, retrying", zap.String("nats_url", redact(o.URL)), zap.Int("attempt", attempt), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	version := nc.ConnectedServerVersion()
	if err := CheckServer(version); err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("connect %s: %w", redact(o.URL), err)
	}
	// An asynchronous publish the server never answers fails after
	// PubAckTimeout instead of staying pending for ever.
	jsOpts := []jetstream.JetStreamOpt{jetstream.WithPublishAsyncTimeout(PubAckTimeout)}
	if o.Timeout > 0 {
		jsOpts = append(jsOpts, jetstream.WithDefaultTimeout(o.Timeout))
	}
	js, err := jetstream.New(nc, jsOpts...)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	f := ServerFeatures(version)
	log.Info("nats connected", zap.String("server", nc.ConnectedUrlRedacted()), zap.String("server_version", version),
		zap.Bool("term_reason", f.TermReason))
	return nc, js, nil
}

// refused says whether a connection error is the server (or its
// certificate) turning us away, which retrying cannot fix: bad
// credentials, a certificate that does not verify, a TLS alert such as
// "certificate required", or the server hanging up right after the TLS
// handshake, which is how TLS 1.3 often reports a client certificate the
// server refused (the alert can be lost when the client writes first).
func refused(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	return errors.Is(err, nats.ErrAuthorization) || errors.As(err, &verify) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		// The server's TLS alerts (crypto/tls keeps their type unexported).
		strings.Contains(err.Error(), "remote error: tls: ") ||
		errors.Is(err, nats.ErrTLS) && strings.Contains(err.Error(), "closed by remote after TLS handshake")
}

// redact hides credentials in a URL (or a comma-separated list of URLs)
// for logs and errors.
func redact(raw string) string {
	parts := strings.Split(raw, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			u.User = url.User("***")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
