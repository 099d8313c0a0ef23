package bus_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/bus/bustest"
)

// TestEnsureBucketsChangesOnlyWhatDiffers: a bucket already in shape is
// only read (a stage without stream-admin rights starts on a prepared
// bus), a missing one is created, one that differs is updated.
func TestEnsureBucketsChangesOnlyWhatDiffers(t *testing.T) {
	s := bustest.Server(t)
	nc, js := bustest.Connect(t, s)
	ctx := t.Context()
	var changes atomic.Int32
	sub, err := nc.Subscribe("$JS.API.STREAM.*.*", func(m *nats.Msg) {
		if strings.HasPrefix(m.Subject, "$JS.API.STREAM.CREATE.") || strings.HasPrefix(m.Subject, "$JS.API.STREAM.UPDATE.") {
			changes.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	settled := func(want int32) {
		t.Helper()
		_ = nc.Flush()
		time.Sleep(100 * time.Millisecond)
		if got := changes.Load(); got != want {
			t.Errorf("%d stream creates and updates, want %d", got, want)
		}
	}
	kvCfg := jetstream.KeyValueConfig{Bucket: "test_kv", TTL: time.Hour, History: 1}
	osCfg := jetstream.ObjectStoreConfig{Bucket: "test_os", TTL: time.Hour}
	ensure := func() {
		t.Helper()
		if _, err := bus.EnsureKeyValue(ctx, js, kvCfg); err != nil {
			t.Fatal(err)
		}
		if _, err := bus.EnsureObjectStore(ctx, js, osCfg); err != nil {
			t.Fatal(err)
		}
	}
	ensure()
	settled(2)
	ensure()
	settled(2)
	kvCfg.TTL, osCfg.TTL = 2*time.Hour, 2*time.Hour
	ensure()
	settled(4)
	kv, err := js.KeyValue(ctx, "test_kv")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := kv.Status(ctx); err != nil || st.TTL() != 2*time.Hour {
		t.Errorf("kv TTL after the update = %v (%v), want 2h", st.TTL(), err)
	}
}
