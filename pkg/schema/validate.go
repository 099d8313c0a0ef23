package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors returned by the decoders. Wrapped errors can be tested with errors.Is.
var (
	// ErrEmpty is returned for an empty (or all-whitespace) payload.
	ErrEmpty = errors.New("empty payload")
	// ErrMalformed is returned for a payload that is not valid JSON of the
	// expected shape (or, on crawl.urls, not a URL either).
	ErrMalformed = errors.New("malformed payload")
	// ErrVersion is returned for a message whose schema version is unknown.
	ErrVersion = errors.New("unsupported schema version")
)

// FieldError says which field of a message is invalid and why.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return "invalid " + e.Field + ": " + e.Problem }

// MaxURLLength is the longest URL the pipeline accepts.
const MaxURLLength = 4096

// MaxDepth is the deepest crawl depth a message may carry. It is far
// beyond any sensible crawl (the parser's default limit is a handful of
// hops) and far from overflow, so code may compute depth+1 of a valid
// message freely. A crawl configured deeper than MaxDepth stops there.
const MaxDepth = 1000

// The range of timestamps a message may carry. The pipeline's own times
// (submitted_at, fetched_at, at) lie in [MinTime, MaxTime); the times a
// page claims (published, modified, and the hints of a feed entry) in
// [MinContentTime, MaxTime), since archives reach back centuries. A zero
// time means "not set" and is always accepted where the field is optional.
var (
	MinTime        = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MinContentTime = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime        = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkTime returns a *FieldError unless t is zero or within [min, MaxTime).
func checkTime(field string, t time.Time, min time.Time) error {
	if t.IsZero() || (!t.Before(min) && t.Before(MaxTime)) {
		return nil
	}
	return &FieldError{field, fmt.Sprintf("%s is outside [%s, %s)", t.Format(time.RFC3339), min.Format(time.DateOnly), MaxTime.Format(time.DateOnly))}
}

// checkContentTime is checkTime for an optional time a page claims.
func checkContentTime(field string, t *time.Time) error {
	if t == nil {
		return nil
	}
	if t.IsZero() { // set, yet to nothing: year 1
		return &FieldError{field, "zero time"}
	}
	return checkTime(field, *t, MinContentTime)
}

// inContentRange reports whether an optional page-claimed time is usable.
func inContentRange(t *time.Time) bool { return checkContentTime("", t) == nil }

// checkDepth returns a *FieldError unless depth is within [0, MaxDepth].
func checkDepth(depth int) error {
	switch {
	case depth < 0:
		return &FieldError{"depth", fmt.Sprintf("%d is negative", depth)}
	case depth > MaxDepth:
		return &FieldError{"depth", fmt.Sprintf("%d exceeds the maximum %d", depth, MaxDepth)}
	}
	return nil
}

func (h *Hints) validate() error {
	if h == nil {
		return nil
	}
	if h.Budget < 0 {
		return &FieldError{"hints.budget", fmt.Sprintf("%d is negative", h.Budget)}
	}
	return checkContentTime("hints.published", h.Published)
}

// dropBadTimes clears the hints' published time if it is out of range:
// a hint is a feed's claim, and a bad one must not cost the URL its crawl.
func (h *Hints) dropBadTimes() {
	if h != nil && !inContentRange(h.Published) {
		h.Published = nil
	}
}

// CheckURL returns a *FieldError unless raw is an absolute http(s) URL with
// a host, no longer than MaxURLLength.
func CheckURL(field, raw string) error {
	if raw == "" {
		return &FieldError{field, "missing"}
	}
	if len(raw) > MaxURLLength {
		return &FieldError{field, fmt.Sprintf("longer than %d bytes", MaxURLLength)}
	}
	if !utf8.ValidString(raw) {
		return &FieldError{field, "not valid UTF-8"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &FieldError{field, "unparseable: " + unwrapURLError(err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return &FieldError{field, "not an absolute URL"}
		}
		return &FieldError{field, fmt.Sprintf("unsupported scheme %q", u.Scheme)}
	}
	if u.Hostname() == "" {
		return &FieldError{field, "no host"}
	}
	return nil
}

func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Validate reports the first problem of the request, or nil.
func (r *CrawlRequest) Validate() error {
	if r.V != Version {
		return fmt.Errorf("%w: %d", ErrVersion, r.V)
	}
	if err := CheckURL("url", r.URL); err != nil {
		return err
	}
	if err := checkDepth(r.Depth); err != nil {
		return err
	}
	if err := checkTime("submitted_at", r.SubmittedAt, MinTime); err != nil {
		return err
	}
	return r.Hints.validate()
}

func (r *CrawlRequest) dropBadTimes() { r.Hints.dropBadTimes() }

// Validate reports the first problem of the page, or nil.
func (p *FetchedPage) Validate() error {
	if p.V != Version {
		return fmt.Errorf("%w: %d", ErrVersion, p.V)
	}
	if err := CheckURL("url", p.URL); err != nil {
		return err
	}
	if p.FinalURL != "" {
		if err := CheckURL("final_url", p.FinalURL); err != nil {
			return err
		}
	}
	if p.Status < 100 || p.Status > 599 {
		return &FieldError{"status", fmt.Sprintf("%d is not an HTTP status", p.Status)}
	}
	switch p.BodyEncoding {
	case EncodingS2, EncodingZstd, EncodingGzip, EncodingIdentity:
	default:
		return &FieldError{"body_encoding", fmt.Sprintf("unknown encoding %q", p.BodyEncoding)}
	}
	if len(p.Body) > 0 && p.BodyRef != "" {
		return &FieldError{"body", "both body and body_ref set"}
	}
	if p.FetchedAt.IsZero() {
		return &FieldError{"fetched_at", "missing"}
	}
	if err := checkTime("fetched_at", p.FetchedAt, MinTime); err != nil {
		return err
	}
	if err := checkDepth(p.Depth); err != nil {
		return err
	}
	if p.BodySize < 0 {
		return &FieldError{"body_size", fmt.Sprintf("%d is negative", p.BodySize)}
	}
	return p.Hints.validate()
}

func (p *FetchedPage) dropBadTimes() { p.Hints.dropBadTimes() }

// Validate reports the first problem of the article, or nil.
func (a *Article) Validate() error {
	if a.V != Version {
		return fmt.Errorf("%w: %d", ErrVersion, a.V)
	}
	if err := CheckURL("url", a.URL); err != nil {
		return err
	}
	if err := CheckURL("canonical_url", a.CanonicalURL); err != nil {
		return err
	}
	switch a.PageType {
	case PageArticle, PageListing, PageSection, PageHome, PageFeed, PageSitemap, PageOther:
	default:
		return &FieldError{"page_type", fmt.Sprintf("unknown page type %q", a.PageType)}
	}
	if a.ContentHash == "" {
		return &FieldError{"content_hash", "missing"}
	}
	if err := checkTime("fetched_at", a.FetchedAt, MinTime); err != nil {
		return err
	}
	if err := checkContentTime("published", a.Published); err != nil {
		return err
	}
	if err := checkContentTime("modified", a.Modified); err != nil {
		return err
	}
	if a.WordCount < 0 {
		return &FieldError{"word_count", fmt.Sprintf("%d is negative", a.WordCount)}
	}
	if a.Truncated && len(a.Body) > MaxBodyText {
		return &FieldError{"body", fmt.Sprintf("truncated body of %d bytes exceeds %d", len(a.Body), MaxBodyText)}
	}
	return nil
}

// dropBadTimes clears a published or modified time out of range: the
// page's claim is wrong, the article is still worth keeping.
func (a *Article) dropBadTimes() {
	if !inContentRange(a.Published) {
		a.Published = nil
	}
	if !inContentRange(a.Modified) {
		a.Modified = nil
	}
}

// Validate reports the first problem of the outcome, or nil.
func (o *Outcome) Validate() error {
	if o.V != Version {
		return fmt.Errorf("%w: %d", ErrVersion, o.V)
	}
	if o.URL == "" {
		return &FieldError{"url", "missing"}
	}
	if o.Outcome == "" {
		return &FieldError{"outcome", "missing"}
	}
	return checkTime("at", o.At, MinTime)
}

// validator is implemented by every message type.
type validator interface{ Validate() error }

// timeDropper is implemented by the messages that carry times a page
// claims (published, modified, hints).
type timeDropper interface{ dropBadTimes() }

// Decode unmarshals a JSON message into v and validates it. A time a page
// claims (published, modified, a hint) that is out of range is dropped,
// not fatal: the message is still worth handling. Every other field out of
// range fails. Errors wrap ErrEmpty, ErrMalformed, ErrVersion or are a
// *FieldError.
func Decode[T any, PT interface {
	*T
	validator
}](data []byte) (T, error) {
	var v T
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return v, ErrEmpty
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return v, fmt.Errorf("%w: trailing data after JSON value", ErrMalformed)
	}
	if d, ok := any(&v).(timeDropper); ok {
		d.dropBadTimes()
	}
	if err := PT(&v).Validate(); err != nil {
		return v, err
	}
	return v, nil
}

// DecodeCrawlRequest decodes a crawl.urls payload: a JSON CrawlRequest, or a
// plain URL, exactly what `nats pub crawl.urls https://...` sends. A plain
// URL becomes a seed: depth 0, its own origin, submitted now.
func DecodeCrawlRequest(data []byte, now time.Time) (CrawlRequest, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return CrawlRequest{}, ErrEmpty
	}
	if trimmed[0] == '{' {
		req, err := Decode[CrawlRequest](trimmed)
		if err != nil {
			return req, err
		}
		if req.SubmittedAt.IsZero() {
			req.SubmittedAt = now
		}
		if req.Origin == "" {
			req.Origin = req.URL
		}
		return req, nil
	}
	raw := string(trimmed)
	if strings.ContainsAny(raw, " \t\r\n") || !utf8.ValidString(raw) {
		return CrawlRequest{}, fmt.Errorf("%w: neither JSON nor a single URL", ErrMalformed)
	}
	req := CrawlRequest{V: Version, URL: raw, Origin: raw, SubmittedAt: now}
	if err := req.Validate(); err != nil {
		return req, err
	}
	return req, nil
}

// Preview returns the first n bytes of a payload, quoted, for logs of bad input.
func Preview(data []byte, n int) string {
	if len(data) > n {
		return fmt.Sprintf("%q...", data[:n])
	}
	return fmt.Sprintf("%q", data)
}
