package bus_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsflow/newsflow/pkg/bus"
)

// TestLogLines: every per-message line of both runners has the same keys,
// took_ms is a number, and a stage's own facts (from Describe, Report
// and Write) are on it.
func TestLogLines(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	describe := func(in string) bus.Meta {
		return bus.Meta{URL: "https://news.example/" + in, Fields: []zap.Field{zap.Int("depth", 2)}}
	}

	h := newHarness(t, 5*time.Second, 5)
	var flaky atomic.Int32
	r := newRunner(h, func(ctx context.Context, in string) ([]bus.Out, error) {
		switch in {
		case "permanent":
			return nil, bus.Permanent(errors.New("no retry helps"))
		case "flaky":
			if flaky.Add(1) == 1 {
				return nil, errors.New("try again")
			}
		}
		bus.Note(ctx, zap.Int("links_found", 7))
		return []bus.Out{{Subject: "out.page", Body: in}}, nil
	})
	r.Log = zap.New(core)
	r.Describe = describe
	r.Report = func(in string, outs []bus.Out) bus.Report {
		return bus.Report{Outcome: "fetched", Fields: []zap.Field{zap.Int("status", 200), zap.Int("outputs", len(outs))}}
	}
	run(t, r)
	for _, give := range []string{"ok", "flaky", "permanent", "bad payload"} {
		h.publish(t, give)
	}
	waitFor(t, "five lines", func() bool { return logs.FilterField(zap.String("stage", "test")).Len() >= 5 })

	hb := newHarness(t, 5*time.Second, 5)
	d := testDelivery(hb)
	d.Log, d.Describe, d.Stage = zap.New(core), describe, "batch"
	runBatch(t, &bus.BatchRunner[string]{
		Delivery: d,
		Write: func(ctx context.Context, batch []string) (bus.Report, error) {
			each := make([][]zap.Field, len(batch))
			for i, in := range batch {
				each[i] = []zap.Field{zap.String("result", "inserted"), zap.String("of", in)}
			}
			return bus.Report{Outcome: "indexed", Fields: []zap.Field{zap.Int("inserted", len(batch))}, Each: each}, nil
		},
	})
	hb.publish(t, "article")
	waitFor(t, "the batch line", func() bool { return logs.FilterField(zap.String("stage", "batch")).Len() >= 1 })

	want := map[string]int{"fetched": 2, "retrying": 1, "rejected": 2, "indexed": 1}
	got := map[string]int{}
	for _, e := range logs.All() {
		got[e.Message]++
		fields := e.ContextMap()
		for _, key := range []string{"stage", "outcome", "url", "trace_id", "attempt", "took_ms"} {
			if _, ok := fields[key]; !ok {
				t.Errorf("%q line lacks %s: %v", e.Message, key, fields)
			}
		}
		if _, ok := fields["took_ms"].(float64); !ok {
			t.Errorf("%q line: took_ms is %T, want a number", e.Message, fields["took_ms"])
		}
		if fields["trace_id"] == "" {
			t.Errorf("%q line: empty trace_id", e.Message)
		}
		switch e.Message {
		case "fetched":
			if fields["outcome"] != "fetched" || fields["status"] != int64(200) || fields["depth"] != int64(2) || fields["links_found"] != int64(7) || !strings.HasPrefix(fields["url"].(string), "https://news.example/") {
				t.Errorf("fetched line: %v", fields)
			}
		case "retrying":
			if fields["outcome"] != "retrying" || fields["error"] != "try again" || fields["attempt"] != int64(1) {
				t.Errorf("retrying line: %v", fields)
			}
		case "rejected":
			if o := fields["outcome"]; o != "failed" && o != "invalid" {
				t.Errorf("rejected line: outcome %v, want failed or invalid", o)
			}
			if fields["reason"] == "" {
				t.Errorf("rejected line without a reason: %v", fields)
			}
		case "indexed":
			if fields["inserted"] != int64(1) || fields["batch_size"] != int64(1) || fields["url"] != "https://news.example/article" ||
				fields["result"] != "inserted" || fields["of"] != "article" {
				t.Errorf("indexed line: %v", fields)
			}
		}
	}
	for msg, n := range want {
		if got[msg] != n {
			t.Errorf("%d %q lines, want %d (all: %v)", got[msg], msg, n, got)
		}
	}
}
