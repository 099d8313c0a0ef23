// Package natsserver runs an in-process nats-server with JetStream, for
// `newsflow up` and for tests. It depends only on nats-server.
package natsserver

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options configure an embedded server.
type Options struct {
	// Host and Port to listen on; Port -1 picks a free port.
	Host string
	Port int
	// StoreDir holds the JetStream file store.
	StoreDir string
	// Accounts, Users and NKeys configure authorization; nil means none.
	Accounts []*server.Account
	Users    []*server.User
	// SyncInterval is how often the file store fsyncs (0: server default, 2m).
	SyncInterval time.Duration
	// MaxPayload is the largest message accepted (0: 1 MiB, the server's
	// default).
	MaxPayload int32
	// Log turns on the server's own logging (to stderr).
	Log bool
	// MaxStore caps the file store (0: MaxStore). JetStream reserves every
	// stream's MaxBytes against it when the stream is created; left
	// dynamic, it is 75% of the free disk, and the pipeline's streams
	// (some 8.5 GiB of limits, see bus.Topology) would not fit on a
	// laptop with a few GiB free, although they hold far less.
	MaxStore int64
}

// MaxStore is the embedded server's default file-store cap: room for the
// pipeline's stream limits, not a claim on the disk (only what streams
// hold is written).
const MaxStore = 64 << 30

// Start starts a server and waits until it accepts connections.
func Start(o Options) (*server.Server, error) {
	if o.StoreDir == "" {
		return nil, errors.New("nats server: StoreDir is required")
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = server.MAX_PAYLOAD_SIZE
	}
	if o.MaxStore == 0 {
		o.MaxStore = MaxStore
	}
	opts := &server.Options{
		ServerName:         "newsflow-embedded",
		Host:               o.Host,
		Port:               o.Port,
		JetStream:          true,
		StoreDir:           o.StoreDir,
		NoSigs:             true,
		MaxPayload:         o.MaxPayload,
		Accounts:           o.Accounts,
		Users:              o.Users,
		SyncInterval:       o.SyncInterval,
		JetStreamMaxMemory: 256 << 20,
		JetStreamMaxStore:  o.MaxStore,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	if o.Log {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("nats server: not ready after 10s")
	}
	return s, nil
}
