package stage

import (
	"bytes"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// Describe tells the runner what a request is about: its URL, depth and
// the page that linked to it (referrer, "" for a seed). Credentials in a URL are never
// logged: they are cut out here (the stage refuses such URLs).
func Describe(in schema.CrawlRequest) bus.Meta {
	// referrer is on every line, "" for a seed, so the keys of a line
	// kind do not vary.
	fields := []zap.Field{zap.Int("depth", in.Depth), zap.String("referrer", "")}
	if in.DiscoveredFrom != "" {
		fields[1] = zap.String("referrer", urlnorm.Redact(in.DiscoveredFrom))
	}
	return bus.Meta{URL: urlnorm.Redact(in.URL), TraceID: in.TraceID, Fields: fields}
}

// Report says what became of a request, from the stage's outputs: its
// outcome, reason and status. Handle notes a fetched page's size, type and
// final URL on the same line (bus.Note).
func Report(in schema.CrawlRequest, outs []bus.Out) bus.Report {
	var r bus.Report
	for _, o := range outs {
		switch b := o.Body.(type) {
		case schema.Outcome:
			r.Outcome = b.Outcome
			if b.Reason != "" {
				r.Fields = append(r.Fields, zap.String("reason", b.Reason))
			}
			if b.Status != 0 {
				r.Fields = append(r.Fields, zap.Int("status", b.Status))
			}
		}
	}
	return r
}

// Reject records a message the runner terminates: undecodable (invalid)
// or out of retries (dead_letter).
func (s *Stage) Reject(rej bus.Rejection[schema.CrawlRequest]) []bus.Out {
	in := schema.CrawlRequest{URL: urlnorm.Redact(printable(rej.Data))}
	if rej.In != nil && rej.In.URL != "" {
		in = *rej.In
	}
	outcome := schema.OutcomeDeadLetter
	if rej.Fate == bus.FateInvalid {
		outcome = schema.OutcomeInvalid
	}
	return []bus.Out{s.outcome(in, rej.TraceID, done(outcome, rej.Reason, 0))}
}

// printable returns the start of a payload as a URL field for an outcome.
func printable(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "(empty)"
	}
	s := strings.ToValidUTF8(string(data[:min(len(data), 200)]), "?")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// selectHeaders keeps the response headers the parser and operators use.
func selectHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"Content-Type", "Content-Language", "Last-Modified", "ETag", "Link", "X-Robots-Tag", "Date"} {
		if v := h.Get(k); v != "" {
			out[k] = truncate(v, 1024)
		}
	}
	return out
}
