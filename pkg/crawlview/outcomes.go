package crawlview

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Bounds of Recent when RecentOptions leaves them zero.
const (
	DefaultWindow   = time.Hour
	DefaultBucket   = 5 * time.Minute
	DefaultMaxRead  = 20_000
	DefaultTopHosts = 10
)

// RecentOptions bound one read of the recent outcomes.
type RecentOptions struct {
	Window   time.Duration // how far back (default an hour)
	Bucket   time.Duration // the width of one bar of the histogram
	MaxRead  int           // the most records read (the oldest first)
	TopHosts int           // the most hosts listed
	Timeout  time.Duration // bounds each request
	Now      time.Time     // the end of the window (default now)
}

// Recent is the fetcher's work over a window: outcomes by kind, by time,
// and the hosts that failed most.
type Recent struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Read counts the records read; Truncated says MaxRead stopped the
	// read before the end of the window (the newest records are missing).
	Read      int            `json:"read"`
	Truncated bool           `json:"truncated"`
	ByKind    map[string]int `json:"by_kind"`
	Buckets   []Bucket       `json:"buckets"`
	Hosts     []HostFailures `json:"failing_hosts"`
}

// Bucket counts the outcomes recorded from Start for the bucket's width.
type Bucket struct {
	Start  time.Time      `json:"start"`
	ByKind map[string]int `json:"by_kind"`
}

// HostFailures is one host's failures in the window and the last of them.
type HostFailures struct {
	Host     string `json:"host"`
	Failures int    `json:"failures"`
	// Total counts all its outcomes, failures or not.
	Total       int       `json:"total"`
	LastOutcome string    `json:"last_outcome"`
	LastError   string    `json:"last_error"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastURL     string    `json:"last_url"`
	LastAt      time.Time `json:"last_at"`
}

// IsFailure says whether an outcome counts against its host: anything
// but a fetch, a not-modified, a duplicate, or the crawl's own policy
// (out of scope, robots.txt).
func IsFailure(outcome string) bool {
	switch outcome {
	case schema.OutcomeFetched, schema.OutcomeNotModified, schema.OutcomeDuplicate,
		schema.OutcomeOutOfScope, schema.OutcomeRobotsDenied:
		return false
	}
	return true
}

// RecentOutcomes reads the OUTCOMES stream from Now-Window on, at most
// MaxRead records. A missing stream is an empty window.
func RecentOutcomes(ctx context.Context, js jetstream.JetStream, o RecentOptions) (Recent, error) {
	o.Window = cmp.Or(o.Window, DefaultWindow)
	o.Bucket = cmp.Or(o.Bucket, DefaultBucket)
	o.MaxRead = cmp.Or(o.MaxRead, DefaultMaxRead)
	o.TopHosts = cmp.Or(o.TopHosts, DefaultTopHosts)
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	until := o.Now.UTC()
	since := until.Add(-o.Window)
	r := Recent{Since: since, Until: until, ByKind: map[string]int{}}
	n := int((o.Window + o.Bucket - 1) / o.Bucket)
	start := until.Truncate(o.Bucket).Add(-time.Duration(n-1) * o.Bucket)
	for i := range n {
		r.Buckets = append(r.Buckets, Bucket{Start: start.Add(time.Duration(i) * o.Bucket), ByKind: map[string]int{}})
	}
	hosts := map[string]*HostFailures{}
	err := Scan(ctx, js, schema.StreamOutcomes, ScanOptions{StartTime: &since, Timeout: o.Timeout}, func(m jetstream.Msg) error {
		if r.Read >= o.MaxRead {
			r.Truncated = true
			return ErrStop
		}
		r.Read++
		var out schema.Outcome
		if json.Unmarshal(m.Data(), &out) != nil || out.Outcome == "" {
			return nil
		}
		at := out.At
		if meta, err := m.Metadata(); err == nil && at.IsZero() {
			at = meta.Timestamp
		}
		r.ByKind[out.Outcome]++
		if i := int(at.Sub(start) / o.Bucket); at.After(start) && i >= 0 && i < n {
			r.Buckets[i].ByKind[out.Outcome]++
		}
		host := hostOf(out.URL)
		h := hosts[host]
		if h == nil {
			h = &HostFailures{Host: host}
			hosts[host] = h
		}
		h.Total++
		if IsFailure(out.Outcome) {
			h.Failures++
			h.LastOutcome, h.LastError, h.LastStatus, h.LastURL, h.LastAt = out.Outcome, out.Reason, out.Status, out.URL, at.UTC()
		}
		return nil
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return r, err
	}
	for _, h := range hosts {
		if h.Failures > 0 {
			r.Hosts = append(r.Hosts, *h)
		}
	}
	slices.SortFunc(r.Hosts, func(a, b HostFailures) int {
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), b.LastAt.Compare(a.LastAt), strings.Compare(a.Host, b.Host))
	})
	if len(r.Hosts) > o.TopHosts {
		r.Hosts = r.Hosts[:o.TopHosts]
	}
	if r.Hosts == nil {
		r.Hosts = []HostFailures{}
	}
	return r, nil
}

// hostOf returns a URL's host in lower case, or the URL itself when it has
// none.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	return raw
}
