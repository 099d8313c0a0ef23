// Package buildinfo says which build of Newsflow is running: the version
// set at link time or recorded by the Go toolchain, the VCS revision and
// the Go version, for `version` commands and the newsflow_build_info
// metric. It depends only on the standard library and the Prometheus
// client.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Version is the release version, set at link time:
//
//	go build -ldflags "-X github.com/newsflow/newsflow/pkg/buildinfo.Version=v1.2.0" ./cmd/newsflow
//
// When empty, Read takes the main module's version from the build
// information ("devel" for a build from a source tree).
var Version string

// Info describes one build.
type Info struct {
	// Version is the release version, or "devel".
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from, "" if unknown.
	Revision string `json:"revision,omitempty"`
	// Time is the commit time (RFC 3339), "" if unknown.
	Time string `json:"time,omitempty"`
	// Modified says the source tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the toolchain that built the binary.
	GoVersion string `json:"go"`
}

// Read returns the running binary's build information.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuildInfo(bi, Version)
}

// fromBuildInfo builds an Info from the toolchain's record (nil when the
// binary carries none) and the link-time version.
func fromBuildInfo(bi *debug.BuildInfo, linked string) Info {
	i := Info{Version: linked}
	if bi == nil {
		if i.Version == "" {
			i.Version = "devel"
		}
		return i
	}
	i.GoVersion = bi.GoVersion
	if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		i.Version = bi.Main.Version
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// ShortRevision is the first 12 characters of the revision.
func (i Info) ShortRevision() string {
	if len(i.Revision) > 12 {
		return i.Revision[:12]
	}
	return i.Revision
}

// String renders the build for a version line, e.g.
// "v1.2.0 (rev 0ce440b2f1aa, 2025-06-01T10:00:00Z, go1.26.8)".
func (i Info) String() string {
	var parts []string
	if r := i.ShortRevision(); r != "" {
		if i.Modified {
			r += "+dirty"
		}
		parts = append(parts, "rev "+r)
	}
	if i.Time != "" {
		parts = append(parts, i.Time)
	}
	if i.GoVersion != "" {
		parts = append(parts, i.GoVersion)
	}
	if len(parts) == 0 {
		return i.Version
	}
	return fmt.Sprintf("%s (%s)", i.Version, strings.Join(parts, ", "))
}

// MetricName is the name of the build-information gauge.
const MetricName = "newsflow_build_info"

// NewGauge returns the newsflow_build_info gauge of a service: always 1,
// with the build in its labels (service, version, revision, goversion), so
// dashboards can show which build each replica runs and join on it:
//
//	reg.MustRegister(buildinfo.NewGauge("fetcher"))
func NewGauge(service string) prometheus.Gauge {
	i := Read()
	return newGauge(service, i)
}

func newGauge(service string, i Info) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: MetricName,
		Help: "Build of the running binary (always 1): version, VCS revision and Go version in the labels.",
		ConstLabels: prometheus.Labels{
			"service":   service,
			"version":   i.Version,
			"revision":  i.Revision,
			"goversion": i.GoVersion,
		},
	})
	g.Set(1)
	return g
}
