package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"

	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

// HeaderOriginalContentType carries the server's Content-Type past colly,
// which would otherwise transcode the body to UTF-8 while the header still
// named the old charset. The parser decodes from the raw bytes.
const HeaderOriginalContentType = "X-Newsflow-Content-Type"

// HeaderPassedGzip and HeaderGzipSize tell Fetch that the body handed to
// colly is the origin's gzip as it came (not inflated) and the decoded
// size its trailer announces. Fetch moves them into the Result.
const (
	HeaderPassedGzip = "X-Newsflow-Passed-Gzip"
	HeaderGzipSize   = "X-Newsflow-Gzip-Size"
)

// sniffLen is how much of a gzip body passed through the fetcher
// inflates, and only when the server names no media type: what
// http.DetectContentType considers ("at most the first 512 bytes").
const sniffLen = 512

// maxDeflateRatio is the most a deflate stream inflates per byte (a
// 258-byte match in two 1-bit codes): a gzip trailer announcing more
// than this times the body's size is no trailer at all.
const maxDeflateRatio = 1032

// gzipMember is how a gzip member starts: magic and the deflate method.
var gzipMember = []byte{0x1f, 0x8b, 0x08}

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
	// ErrHeadersTooLarge: the response headers exceed the transport's
	// MaxResponseHeaderBytes. Permanent: the same server sends the same
	// headers again.
	ErrHeadersTooLarge = errors.New("response headers too large")
	// ErrCredentials: the URL (or a redirect target) carries userinfo.
	// Credentials are never sent as Basic auth, and never logged.
	ErrCredentials = errors.New("url has credentials (userinfo), refused")
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
// sitemap, since sites serve listings under whatever type their server
// guesses: JSON feeds as application/json, RSS as application/x-rss+xml,
// text sitemaps as text/plain, and `.xml.gz` sitemaps as gzip or as
// application/octet-stream. The parser decides what the bytes are.
func acceptedForKind(media, kind string) bool {
	if acceptedTypes[media] {
		return true
	}
	if kind != "feed" && kind != "sitemap" {
		return false
	}
	switch media {
	case "text/plain", "application/json", "application/x-rss+xml", "application/x-atom+xml",
		"application/gzip", "application/x-gzip", "application/octet-stream", "binary/octet-stream":
		return true
	}
	return false
}

// maxRedirectBody is how much of the body of a redirect the HTTP client
// may read (it reads 2 KiB to reuse the connection, then closes).
const maxRedirectBody = 4 << 10

// followed reports whether net/http follows a response with this status
// (given a Location): every other 3xx is handed back as a final response.
func followed(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// pageTransport checks and decodes page responses: it refuses requests
// that carry credentials, accepts only the allowed media types, bounds
// every body whatever the status (a 2xx body after decompression, a
// redirect's raw body to a few KiB, any other body to nothing), decodes
// gzip, deflate and brotli, and hides the charset from colly.
type pageTransport struct {
	base       http.RoundTripper
	maxBody    int64
	maxListing int64 // for a URL expected to be a feed or a sitemap
	// decodeGzip inflates gzip pages too, rather than passing them
	// through (for parsers that do not read schema.EncodingGzip).
	decodeGzip bool
}

func (p *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Defence in depth: net/http turns URL userinfo into an Authorization
	// header before the transport runs. Nothing that carries credentials
	// leaves the fetcher.
	if req.URL.User != nil || req.Header.Get("Authorization") != "" || req.Header.Get("Proxy-Authorization") != "" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrCredentials
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		return nil, headerError(err)
	}
	// colly gunzips a body itself unless told it is already decoded (and
	// also whenever the path ends in .xml.gz): every response is.
	resp.Uncompressed = true
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if followed(resp.StatusCode) && resp.Header.Get("Location") != "" {
			// The client follows it, reading a little of the raw body.
			resp.Body = &readCloser{Reader: io.LimitReader(resp.Body, maxRedirectBody), closers: []io.Closer{resp.Body}}
		} else {
			// 1xx, unfollowed 3xx, 4xx, 5xx: recorded by status, their
			// bodies are never read, whatever they claim to be.
			resp.Body.Close()
			resp.Body = http.NoBody
		}
		resp.ContentLength = -1
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
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
	if limit > 0 && resp.ContentLength > rawLimit(limit) {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: content-length %d exceeds %d", ErrTooLarge, resp.ContentLength, limit)
	}
	// Both sides are bounded: the bytes on the wire (a stream of empty
	// gzip members decodes to nothing, for ever) and the decoded bytes.
	var raw io.Reader = &limitReader{r: resp.Body, left: rawLimit(limit), what: "body"}
	if p.passGzip(kind, media, resp.Header.Get("Content-Encoding")) {
		passed, members, err := passGzip(resp, raw, limit, kind, media, params)
		if members == nil {
			return passed, err
		}
		// Perhaps several members: the trailer counts only the last,
		// so the body is inflated here, bounded, as any other.
		raw = bytes.NewReader(members)
	}
	body, err := DecodeBody(raw, resp.Header.Get("Content-Encoding"))
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
	r = &limitReader{r: r, left: limit, what: "decompressed body"}
	if media == "" {
		// No Content-Type: sniff as a browser would.
		br := bufio.NewReaderSize(r, 512)
		head, err := br.Peek(512)
		if errors.Is(err, ErrTooLarge) {
			resp.Body.Close()
			return nil, err
		}
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
	resp.Body = &readCloser{Reader: r, closers: []io.Closer{body, resp.Body}}
	return resp, nil
}

// passGzip reports whether a response's body is passed through as the
// origin's gzip: an HTML page (or a page of no declared type, sniffed
// from the inflated head) sent with Content-Encoding gzip. Feeds,
// sitemaps and robots.txt are inflated in full as before: they are few,
// and their readers want the decoded bytes.
func (p *pageTransport) passGzip(kind, media, encoding string) bool {
	if p.decodeGzip || kind == "feed" || kind == "sitemap" {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "gzip", "x-gzip":
	default:
		return false
	}
	return media == "" || media == "text/html" || media == "application/xhtml+xml"
}

// passGzip reads the gzip body of resp off the wire (raw, bounded) and
// hands it on as it is: no inflate here, no re-encode later. The fetcher
// still bounds what it accepts: a trailer announcing more than limit
// decoded bytes is ErrTooLarge, the too_large outcome, as an inflated
// body over the limit is. A trailer that lies (or a body of several
// members, whose trailer counts the last one) is caught by the reader's
// bounded inflation: the parser refuses the page as too large, a dead
// letter with its reason.
//
// What is checked here costs no inflating for a page of named type: the
// gzip member header (magic, method, flags and the fields they announce,
// parsed by a gzip reader's Reset, which inflates nothing), and a trailer
// size deflate could reach from this many bytes and within the limit;
// a trailer that fails either (a body cut short ends in bytes that are
// no trailer) is inflated up to the limit to tell a bomb (too_large) from
// a broken stream (network_error). Only a page of no named type is
// inflated, sniffLen bytes of it, to sniff its media type. So a body
// whose header and trailer look right but whose deflate data is broken
// (a corrupt block; a wrong CRC; a cut whose last 4 bytes happen to read
// as a size under the limit: for random bytes limit/4 GiB of cuts, 1 in
// about 800 at the default 5 MiB) is passed on and recorded fetched: the
// parser's inflate fails with pagebody.ErrCorrupt, a permanent error, and
// the page is a parser dead letter with its reason, where the prefix
// inflate this replaced made it a fetcher network_error, retried (which
// helps only if the origin's next answer differs: a connection broken
// mid-body fails the HTTP framing before this point, unless the body is
// delimited by the connection's close).
//
// A body that may hold several gzip members (the bytes of a member header
// appear after the first) is not passed: its trailer says nothing of the
// whole. passGzip then returns the bytes read as members, for the
// decoded path. Deflate data holds those 3 bytes by chance about once in
// 16 MiB, so a few honest pages take the slower path too.
func passGzip(resp *http.Response, raw io.Reader, limit int64, kind, media string, params map[string]string) (_ *http.Response, members []byte, _ error) {
	data, err := readBody(raw, resp.ContentLength, rawLimit(limit))
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	size, ok := pagebody.GzipSize(data)
	if !ok {
		return nil, nil, fmt.Errorf("gzip body: %d bytes, not a gzip stream", len(data))
	}
	if bytes.Contains(data[10:], gzipMember) {
		return nil, data, nil
	}
	if (limit > 0 && int64(size) > limit) || uint64(size) > maxDeflateRatio*uint64(len(data)) {
		// Too large, or not gzip to its end (a body cut short ends in
		// bytes that are no trailer): inflating up to the limit tells
		// which. Rare, and no dearer than the decoded path.
		out, err := pagebody.Decode(schema.EncodingGzip, data, int(limit), 0)
		switch {
		case errors.Is(err, pagebody.ErrTooLarge):
			return nil, nil, fmt.Errorf("%w: gzip trailer announces %d bytes, limit %d", ErrTooLarge, size, limit)
		case err != nil:
			return nil, nil, fmt.Errorf("gzip body: %w", err)
		}
		size = uint32(len(out))
	}
	// The header always; the head only when it must be sniffed.
	sniff := 0
	if media == "" {
		sniff = sniffLen
	}
	head, err := pagebody.DecodePrefix(schema.EncodingGzip, data, sniff)
	if err != nil {
		return nil, nil, fmt.Errorf("gzip body: %w", err)
	}
	if media == "" {
		// No Content-Type: sniff as a browser would.
		media, params, _ = mime.ParseMediaType(http.DetectContentType(head))
		if !acceptedForKind(media, kind) {
			return nil, nil, &ContentTypeError{Type: media}
		}
	}
	orig := resp.Header.Get("Content-Type")
	if orig == "" {
		orig = mime.FormatMediaType(media, params)
	}
	resp.Header.Set(HeaderOriginalContentType, orig)
	resp.Header.Set("Content-Type", media) // no charset: colly must not transcode
	resp.Header.Set(HeaderPassedGzip, "1")
	resp.Header.Set(HeaderGzipSize, strconv.FormatUint(uint64(size), 10))
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = int64(len(data))
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil, nil
}

// passBuffers are buffers for reading gzip bodies of unknown length
// (a chunked response, as most gzipped pages are): grown from nothing,
// a bytes.Buffer copies and clears a 34 KB page several times over, and
// a fresh 64 KiB one costs clearing 64 KiB. Reading into a buffer kept
// for reuse, then copying out exactly the body (an allocation Go need
// not clear), costs one copy. BenchmarkPassGzip measures it.
var passBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// maxPassBuffer is the largest buffer kept in passBuffers: one grown by
// a rare large body is left to the collector.
const maxPassBuffer = 1 << 20

// readBody reads all of r: into a buffer of its known length, or through
// a pooled one. bound caps the first allocation (r itself bounds what it
// yields).
func readBody(r io.Reader, length, bound int64) ([]byte, error) {
	if length > 0 {
		// ReadFrom wants MinRead bytes free before each read, the one
		// that finds the end too: without them a body of exactly its
		// length would be copied once more.
		buf := bytes.NewBuffer(make([]byte, 0, min(length, bound)+bytes.MinRead))
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), err
	}
	buf := passBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r)
	var data []byte
	if err == nil {
		data = bytes.Clone(buf.Bytes())
	}
	if buf.Cap() <= maxPassBuffer {
		passBuffers.Put(buf)
	}
	return data, err
}

// rawLimit bounds the bytes read off the wire for a decoded limit: a
// compressed body is smaller than its content, an incompressible one
// barely larger.
func rawLimit(limit int64) int64 { return limit + limit/8 + 64<<10 }

// headerError names the error of a response whose headers exceed
// MaxResponseHeaderBytes (net/http has no sentinel for it).
func headerError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "server response headers exceeded") || strings.Contains(msg, "response header list larger than") {
		return fmt.Errorf("%w: %v", ErrHeadersTooLarge, err)
	}
	return err
}

// DecodeBody returns a reader that undoes a Content-Encoding (gzip,
// deflate in its zlib or raw form, br, identity). It does not bound what
// it reads: wrap it. Errors are an *EncodingError for an encoding it does
// not know, or the decoder's error on a malformed header.
func DecodeBody(body io.Reader, encoding string) (io.ReadCloser, error) {
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
		// RFC 9110 says zlib; some servers send raw deflate, which
		// browsers accept too. A zlib stream starts with a header whose
		// 16 bits are a multiple of 31 and whose method is 8.
		br := bufio.NewReader(body)
		head, err := br.Peek(2)
		if err != nil {
			return nil, fmt.Errorf("deflate body: %w", err)
		}
		if head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			z, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("deflate body: %w", err)
			}
			return z, nil
		}
		return flate.NewReader(br), nil
	}
	return nil, &EncodingError{Encoding: encoding}
}

// limitReader fails with ErrTooLarge once more than left bytes are read,
// rather than truncating silently as io.LimitReader does.
type limitReader struct {
	r    io.Reader
	left int64
	what string
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe one byte: exactly at the limit is fine, beyond is not.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: %s exceeds the limit", ErrTooLarge, l.what)
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
