package fetch

import (
	"bufio"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

// HeaderOriginalContentType carries the server's Content-Type past colly,
// which would otherwise transcode the body to UTF-8 while the header still
// named the old charset. The parser decodes from the raw bytes.
const HeaderOriginalContentType = "X-Newsflow-Content-Type"

// Timeouts of one fetch.
type Timeouts struct {
	// Connect bounds the TCP connect (and TLS handshake).
	Connect time.Duration
	// FirstByte bounds the wait for response headers after the request
	// is sent.
	FirstByte time.Duration
	// Total bounds the whole fetch, redirects and body included, so a
	// slow drip cannot hold a worker.
	Total time.Duration
}

// TransportOptions tune NewTransport.
type TransportOptions struct {
	Timeouts Timeouts
	// MaxConnsPerHost bounds parallel connections to one host (default 2:
	// politeness allows one fetch at a time, robots.txt may be a second).
	MaxConnsPerHost int
}

// NewTransport returns the raw HTTP transport every fetcher connection
// uses: the guarded dialer, no proxy (proxy environment variables are
// ignored on purpose: a proxy would dial on our behalf, past the guard),
// no transparent decompression (the page transport decompresses itself
// so it can bound the decompressed size).
func NewTransport(d *guard.Dialer, o TransportOptions) *http.Transport {
	t := o.Timeouts
	if t.Connect <= 0 {
		t.Connect = 10 * time.Second
	}
	if t.FirstByte <= 0 {
		t.FirstByte = 20 * time.Second
	}
	if d.Timeout <= 0 {
		d.Timeout = t.Connect
	}
	if o.MaxConnsPerHost <= 0 {
		o.MaxConnsPerHost = 2
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    t.Connect,
		ResponseHeaderTimeout:  t.FirstByte,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    1,
		MaxConnsPerHost:        o.MaxConnsPerHost,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 256 << 10,
	}
}

// Errors of a fetch. Test with errors.Is / errors.As.
var (
	// ErrTooLarge: the body (after decompression) exceeds the limit.
	ErrTooLarge = errors.New("body too large")
	// ErrTooManyRedirects: more redirects than allowed.
	ErrTooManyRedirects = errors.New("too many redirects")
)

// ContentTypeError says a response's media type is not one the crawler
// reads.
type ContentTypeError struct{ Type string }

func (e *ContentTypeError) Error() string {
	if e.Type == "" {
		return "unrecognised content type"
	}
	return "unaccepted content type " + e.Type
}

// EncodingError says a response used a Content-Encoding we cannot read.
type EncodingError struct{ Encoding string }

func (e *EncodingError) Error() string { return "unsupported content-encoding " + e.Encoding }

// accepted media types for pages, feeds and sitemaps.
var acceptedTypes = map[string]bool{
	"text/html":             true,
	"application/xhtml+xml": true,
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/rdf+xml":   true,
	"application/xml":       true,
	"text/xml":              true,
	"application/feed+json": true,
}

// acceptedForKind widens the list for a URL expected to be a feed or a
// sitemap (JSON feeds served as application/json, text sitemaps, gzipped
// sitemaps).
func acceptedForKind(media, kind string) bool {
	if acceptedTypes[media] {
		return true
	}
	switch kind {
	case "feed":
		return media == "application/json" || media == "text/plain"
	case "sitemap":
		return media == "text/plain" || media == "application/gzip" || media == "application/x-gzip"
	}
	return false
}

// pageTransport checks and decodes page responses: it accepts only the
// allowed media types, bounds the body after decompression, decodes gzip,
// deflate and brotli, and hides the charset from colly.
type pageTransport struct {
	base       http.RoundTripper
	maxBody    int64
	maxListing int64 // for a URL expected to be a feed or a sitemap
}

func (p *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req.Header.Set("Accept-Encoding", "gzip, br")
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
		return resp, nil // the client follows it; the body is a few bytes
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Error pages are recorded by status; their bodies are not read.
		resp.Body.Close()
		resp.Body = http.NoBody
		resp.ContentLength = 0
		resp.Header.Del("Content-Encoding")
		return resp, nil
	}
	kind := kindOf(req.Context())
	media, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	media = strings.ToLower(media)
	if media != "" && !acceptedForKind(media, kind) {
		resp.Body.Close()
		return nil, &ContentTypeError{Type: media}
	}
	limit := p.maxBody
	if kind == "feed" || kind == "sitemap" {
		limit = max(limit, p.maxListing)
	}
	if limit > 0 && resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: content-length %d exceeds %d", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := decoder(resp.Body, resp.Header.Get("Content-Encoding"))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	var r io.Reader = body
	if media == "application/gzip" || media == "application/x-gzip" {
		gz, err := gzip.NewReader(r)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("gzipped sitemap: %w", err)
		}
		r, media = gz, "application/xml"
	}
	r = &limitReader{r: r, left: limit}
	if media == "" {
		// No Content-Type: sniff as a browser would.
		br := bufio.NewReaderSize(r, 512)
		head, _ := br.Peek(512)
		media, params, _ = mime.ParseMediaType(http.DetectContentType(head))
		if !acceptedForKind(media, kind) {
			resp.Body.Close()
			return nil, &ContentTypeError{Type: media}
		}
		r = br
	}
	orig := resp.Header.Get("Content-Type")
	if orig == "" {
		orig = mime.FormatMediaType(media, params)
	}
	resp.Header.Set(HeaderOriginalContentType, orig)
	resp.Header.Set("Content-Type", media) // no charset: colly must not transcode
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	resp.Body = &readCloser{Reader: r, closers: []io.Closer{body, resp.Body}}
	return resp, nil
}

// decoder returns a reader that undoes a Content-Encoding.
func decoder(body io.ReadCloser, encoding string) (io.ReadCloser, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return io.NopCloser(body), nil
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		return gz, nil
	case "br":
		return io.NopCloser(brotli.NewReader(body)), nil
	case "deflate":
		z, err := zlib.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("deflate body: %w", err)
		}
		return z, nil
	}
	return nil, &EncodingError{Encoding: encoding}
}

// limitReader fails with ErrTooLarge once more than left bytes are read,
// rather than truncating silently as io.LimitReader does.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe one byte: exactly at the limit is fine, beyond is not.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: decompressed body exceeds the limit", ErrTooLarge)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

type readCloser struct {
	io.Reader
	closers []io.Closer
}

func (r *readCloser) Close() error {
	var first error
	for _, c := range r.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
