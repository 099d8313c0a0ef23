// Package bustest starts an in-process JetStream server for the tests of
// every module: a real nats-server on a random port with its store in a
// temporary directory, shut down when the test ends.
package bustest

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/natsserver"
)

// Server starts a JetStream server for tb and returns it; it is shut down
// at the end of the test.
func Server(tb testing.TB) *server.Server {
	tb.Helper()
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// Connect opens a client connection to s, closed at the end of the test.
func Connect(tb testing.TB, s *server.Server) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return nc, js
}
