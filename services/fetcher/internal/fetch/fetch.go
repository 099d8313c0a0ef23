// Package fetch downloads one page with colly v2 behind a small interface,
// with the hygiene a polite and safe crawler needs: connect, first-byte and
// total timeouts, at most N redirects with the final URL recorded, gzip,
// deflate and brotli, a maximum body enforced after decompression (an HTML
// page's gzip passed through undecoded, bounded by its trailer), a media
// type allowlist, the charset kept for the parser, and every connection
// through the address guard.
//
// colly is the page engine. Three of its defaults are switched off because
// they fail at scale: its robots.txt handling (per process, no expiry, no
// RFC 9309 status rules: see package robots), its visited set (in memory,
// grows forever: the fetcher keeps a seen-set in JetStream KV) and its
// gzip decoding (unbounded, and applied to bodies of any status). Its body
// limit applies before its own decoding and truncates silently, so it is
// only a second line: the transport here bounds every body whatever the
// status (2xx after decompression, failing loudly; a redirect's to a few
// KiB; every other status's to nothing) and hands colly decoded bytes.
//
// A URL with credentials (userinfo) is refused, at the request and at
// every redirect: they are never sent as Basic auth, and errors show the
// URL without them (RedactURL).
//
// It knows nothing about NATS.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/newsflow/newsflow/pkg/schema"

	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
)

// Request is one page to fetch.
type Request struct {
	URL string
	// Header holds extra request headers (If-None-Match,
	// If-Modified-Since).
	Header http.Header
	// Kind is "feed", "sitemap" or "" (a page); it widens the accepted
	// media types.
	Kind string
	// CheckRedirect, if set, vets every redirect target before it is
	// followed (robots.txt of the target, say). Its error ends the fetch.
	CheckRedirect func(ctx context.Context, target *url.URL) error
}

// Result is a fetched response. Non-2xx responses have no body.
type Result struct {
	URL      string
	FinalURL string
	Status   int
	Header   http.Header
	// ContentType is the server's Content-Type (sniffed if absent).
	ContentType string
	// MediaType is ContentType without parameters, lower-case.
	MediaType string
	// Charset is the charset parameter of ContentType, if any.
	Charset string
	// Body is the decoded body, or, when BodyEncoding is set, the body in
	// that encoding as the origin sent it (schema.EncodingGzip: an HTML
	// page the server gzipped, passed through undecoded).
	Body         []byte
	BodyEncoding string
	// BodySize is the decoded size: len(Body), or what the gzip trailer
	// of a passed-through body announces (a claim the reader bounds).
	BodySize  int
	Redirects int
	Took      time.Duration
}

// Fetcher fetches one page; *Client implements it.
type Fetcher interface {
	Fetch(ctx context.Context, req Request) (*Result, error)
}

var _ Fetcher = (*Client)(nil)

// Config configures a Client.
type Config struct {
	UserAgent string
	Timeouts  Timeouts
	// MaxBody bounds a page's body after decompression (5 MiB).
	MaxBody int64
	// MaxListingBody bounds the body of a URL expected to be a feed or a
	// sitemap (50 MiB, the sitemap protocol's own limit), if larger.
	MaxListingBody int64
	MaxRedirects   int
	// DecodeGzip inflates the gzip body of an HTML page, as every other
	// body is, rather than passing the origin's gzip through
	// (Result.BodyEncoding). For parsers that do not read
	// schema.EncodingGzip, during an upgrade.
	DecodeGzip bool
	// Transport is the raw transport (NewTransport); required.
	Transport http.RoundTripper
}

// Client fetches pages with colly.
type Client struct {
	cfg  Config
	base *colly.Collector
}

type stateKey struct{}

// fetchState travels in the request context through colly and the
// redirect hook.
type fetchState struct {
	req       Request
	redirects int
}

func kindOf(ctx context.Context) string {
	if st, ok := ctx.Value(stateKey{}).(*fetchState); ok {
		return st.req.Kind
	}
	return ""
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 5 << 20
	}
	if cfg.MaxListingBody <= 0 {
		cfg.MaxListingBody = 50 << 20
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = 10
	}
	if cfg.Timeouts.Total <= 0 {
		cfg.Timeouts.Total = 60 * time.Second
	}
	maxListing := max(cfg.MaxBody, cfg.MaxListingBody)
	c := colly.NewCollector(
		colly.IgnoreRobotsTxt(),
		colly.AllowURLRevisit(),
		colly.ParseHTTPErrorResponse(),
		// A second line behind pageTransport, which bounds the decoded body
		// and fails loudly first: one byte more never truncates a body the
		// transport accepted.
		colly.MaxBodySize(int(min(maxListing+1, math.MaxInt32))),
		colly.UserAgent(cfg.UserAgent),
	)
	c.SetClient(&http.Client{
		Transport: &pageTransport{base: cfg.Transport, maxBody: cfg.MaxBody, maxListing: maxListing, decodeGzip: cfg.DecodeGzip},
		Timeout:   cfg.Timeouts.Total + time.Second, // backstop; the context bounds the fetch
	})
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		st, _ := req.Context().Value(stateKey{}).(*fetchState)
		if len(via) > cfg.MaxRedirects {
			return fmt.Errorf("%w (%d)", ErrTooManyRedirects, cfg.MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to unsupported scheme %q", req.URL.Scheme)
		}
		if req.URL.User != nil {
			return fmt.Errorf("redirect: %w", ErrCredentials)
		}
		if st != nil {
			st.redirects = len(via)
			if st.req.CheckRedirect != nil {
				return st.req.CheckRedirect(req.Context(), req.URL)
			}
		}
		return nil
	})
	return &Client{cfg: cfg, base: c}
}

// Fetch downloads req.URL. A non-2xx status is a Result, not an error,
// and has no body. Errors wrap ErrTooLarge, ErrHeadersTooLarge,
// ErrTooManyRedirects, ErrCredentials, *ContentTypeError, *EncodingError,
// *guard.BlockedError, context.DeadlineExceeded (the total timeout) or a
// network error; Classify sorts them. No error text holds credentials.
func (c *Client) Fetch(ctx context.Context, req Request) (*Result, error) {
	if u, err := url.Parse(req.URL); err == nil && u.User != nil {
		return nil, fmt.Errorf("fetch %s: %w", RedactURL(req.URL), ErrCredentials)
	}
	start := time.Now()
	st := &fetchState{req: req}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, stateKey{}, st), c.cfg.Timeouts.Total)
	defer cancel()

	// A clone per fetch carries this fetch's context and callbacks; it
	// shares the parent's HTTP client and connection pool.
	cc := c.base.Clone()
	cc.Context = ctx
	var (
		res    *Result
		cbErr  error
		header = http.Header{}
	)
	for k, v := range req.Header {
		header[k] = v
	}
	header.Set("User-Agent", c.cfg.UserAgent)
	header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,application/atom+xml,application/feed+json,*/*;q=0.5")
	cc.OnResponse(func(r *colly.Response) {
		res = &Result{
			URL:       req.URL,
			FinalURL:  r.Request.URL.String(),
			Status:    r.StatusCode,
			Header:    r.Headers.Clone(),
			Body:      r.Body,
			Redirects: st.redirects,
		}
	})
	cc.OnError(func(r *colly.Response, err error) {
		if r != nil && r.StatusCode != 0 && err == nil {
			return
		}
		cbErr = err
	})
	err := cc.Request(http.MethodGet, req.URL, nil, nil, header)
	if err == nil {
		err = cbErr
	}
	if err != nil {
		// net/http names the redirect target in its error, userinfo and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = RedactURL(ue.URL)
		}
		if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %v", ctx.Err(), err)
		}
		return nil, fmt.Errorf("fetch %s: %w", RedactURL(req.URL), err)
	}
	if res == nil {
		return nil, fmt.Errorf("fetch %s: no response", RedactURL(req.URL))
	}
	res.Took = time.Since(start)
	ct := res.Header.Get(HeaderOriginalContentType)
	if ct == "" {
		ct = res.Header.Get("Content-Type")
	} else {
		res.Header.Set("Content-Type", ct)
		res.Header.Del(HeaderOriginalContentType)
	}
	res.ContentType = ct
	res.BodySize = len(res.Body)
	if res.Header.Get(HeaderPassedGzip) != "" {
		res.BodyEncoding = schema.EncodingGzip
		n, _ := strconv.ParseUint(res.Header.Get(HeaderGzipSize), 10, 32)
		res.BodySize = int(n)
	}
	res.Header.Del(HeaderPassedGzip)
	res.Header.Del(HeaderGzipSize)
	if media, params, err := mime.ParseMediaType(ct); err == nil {
		res.MediaType = strings.ToLower(media)
		res.Charset = strings.ToLower(params["charset"])
	}
	return res, nil
}

// Class of a failed fetch, as a crawl outcome name and whether a retry
// may help.
type Class struct {
	Outcome   string
	Transient bool
}

// Classify maps a Fetch error to an outcome: blocked_address, too_large
// (a body or the response headers over their limit), invalid (a URL with
// credentials), bad_content_type, timeout (transient), network_error
// (transient) or http_error for redirect trouble.
func Classify(err error) Class {
	var ct *ContentTypeError
	var enc *EncodingError
	var ne interface{ Timeout() bool }
	switch {
	case guard.IsBlocked(err):
		return Class{Outcome: "blocked_address"}
	case errors.Is(err, ErrCredentials):
		return Class{Outcome: "invalid"}
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrHeadersTooLarge):
		return Class{Outcome: "too_large"}
	case errors.As(err, &ct), errors.As(err, &enc):
		return Class{Outcome: "bad_content_type"}
	case errors.Is(err, ErrTooManyRedirects):
		return Class{Outcome: "http_error"}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return Class{Outcome: "timeout", Transient: true}
	case errors.Is(err, context.Canceled):
		return Class{Outcome: "network_error", Transient: true}
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Error(), "redirect to unsupported scheme") {
		return Class{Outcome: "http_error"}
	}
	return Class{Outcome: "network_error", Transient: true}
}

// RedactURL returns raw without its userinfo ("http://***@host/..."), for
// logs, errors and outcomes: a username can be a token as much as a
// password is. A string that does not parse has everything between "//"
// and the last "@" before the path replaced.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		if u.User == nil {
			return raw
		}
		u.User = nil
		return strings.Replace(u.String(), "//", "//***@", 1)
	}
	scheme, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		return scheme + "//***@" + rest[at+1:]
	}
	return raw
}
