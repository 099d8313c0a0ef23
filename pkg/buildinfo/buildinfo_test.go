package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0ce440b2f1aa5e9c7d3b8a6f4e2d1c0b9a887766"},
		{Key: "vcs.time", Value: "2025-06-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name       string
		give       *debug.BuildInfo
		linked     string
		want       Info
		wantString string
	}{
		{
			name:       "source tree build",
			give:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			want:       Info{Version: "devel", Revision: "0ce440b2f1aa5e9c7d3b8a6f4e2d1c0b9a887766", Time: "2025-06-01T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
			wantString: "devel (rev 0ce440b2f1aa+dirty, 2025-06-01T10:00:00Z, go1.26.8)",
		},
		{
			name:       "go install of a tagged module",
			give:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			want:       Info{Version: "v1.4.0", GoVersion: "go1.26.8"},
			wantString: "v1.4.0 (go1.26.8)",
		},
		{
			name:       "link-time version wins",
			give:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			linked:     "v1.5.0-rc.1",
			want:       Info{Version: "v1.5.0-rc.1", GoVersion: "go1.26.8"},
			wantString: "v1.5.0-rc.1 (go1.26.8)",
		},
		{
			name:       "no build information",
			want:       Info{Version: "devel"},
			wantString: "devel",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuildInfo(tt.give, tt.linked)
			if got != tt.want {
				t.Errorf("fromBuildInfo = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.wantString {
				t.Errorf("String() = %q, want %q", s, tt.wantString)
			}
		})
	}
}

// TestReadInTest checks Read on the test binary itself, which the
// toolchain builds with build information.
func TestReadInTest(t *testing.T) {
	i := Read()
	if i.Version == "" || !strings.HasPrefix(i.GoVersion, "go") {
		t.Errorf("Read() = %+v, want a version and the Go version", i)
	}
}

func TestGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newGauge("fetcher", Info{Version: "v1.4.0", Revision: "abc", GoVersion: "go1.26.8"}))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != MetricName || len(mfs[0].GetMetric()) != 1 {
		t.Fatalf("gathered %v, want one %s series", mfs, MetricName)
	}
	m := mfs[0].GetMetric()[0]
	if v := m.GetGauge().GetValue(); v != 1 {
		t.Errorf("value = %v, want 1", v)
	}
	labels := map[string]string{}
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	want := map[string]string{"service": "fetcher", "version": "v1.4.0", "revision": "abc", "goversion": "go1.26.8"}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label %s = %q, want %q (labels %v)", k, labels[k], v, labels)
		}
	}
	// A second gauge of another service registers beside it.
	if err := reg.Register(NewGauge("parser")); err != nil {
		t.Errorf("register a second service's gauge: %v", err)
	}
}
