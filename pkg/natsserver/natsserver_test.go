package natsserver_test

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/natsserver"
)

// TestStoreFitsTheTopology: JetStream reserves each stream's MaxBytes
// against the file-store cap, so the pipeline's streams need a cap larger
// than their limits. A small cap refuses them; the default takes them
// whatever the free disk.
func TestStoreFitsTheTopology(t *testing.T) {
	tests := []struct {
		name     string
		maxStore int64
		wantErr  bool
	}{
		{name: "default", maxStore: 0},
		{name: "a 1 GiB cap", maxStore: 1 << 30, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: t.TempDir(), MaxStore: tt.maxStore})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Shutdown)
			nc, err := nats.Connect(s.ClientURL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(nc.Close)
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			err = bus.EnsureStreams(t.Context(), js, bus.Topology{})
			if (err != nil) != tt.wantErr {
				t.Errorf("EnsureStreams = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
