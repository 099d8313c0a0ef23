package robots

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/services/fetcher/internal/fetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/guard"
	"github.com/newsflow/newsflow/services/fetcher/internal/kv"
)

// Config configures a Cache.
type Config struct {
	// Agent is the product token matched against User-agent lines.
	Agent string
	// UserAgent is the full User-Agent header sent.
	UserAgent string
	// TTL of a fetched robots.txt (at most 24h).
	TTL time.Duration
	// RetryAfter is how long an unreachable robots.txt is cached (1m).
	RetryAfter time.Duration
	// Timeout of one robots.txt fetch (15s).
	Timeout time.Duration
	// LockWait is how long a replica waits for another's fetch (10s).
	LockWait time.Duration
	// LocalSize bounds the in-process cache (4096 hosts).
	LocalSize int
	// Acquire, if set, is called before each robots.txt fetch with the
	// host, so the fetch counts against the host's politeness budget; it
	// returns a release function.
	Acquire func(ctx context.Context, host string) (release func(), err error)
}

// Result says where rules came from, for metrics: "local", "kv" or
// "fetched".
type Result string

// Cache hands out robots rules per origin.
type Cache struct {
	cfg    Config
	kv     jetstream.KeyValue
	client *http.Client

	mu    sync.Mutex
	local map[string]*Rules
}

// NewCache returns a Cache storing in bucket and fetching with transport
// (the guarded raw transport).
func NewCache(cfg Config, bucket jetstream.KeyValue, transport http.RoundTripper) *Cache {
	if cfg.TTL <= 0 || cfg.TTL > 24*time.Hour {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.LockWait <= 0 {
		cfg.LockWait = 10 * time.Second
	}
	if cfg.LocalSize <= 0 {
		cfg.LocalSize = 4096
	}
	if cfg.Agent == "" {
		cfg.Agent = strings.SplitN(cfg.UserAgent, "/", 2)[0]
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return errTooManyRedirects
			}
			return nil
		},
	}
	return &Cache{cfg: cfg, kv: bucket, client: client, local: map[string]*Rules{}}
}

var errTooManyRedirects = errors.New("robots.txt: too many redirects")

// stored is the KV form: a JSON header line, then the body.
type stored struct {
	Status  int       `json:"status"`
	Reason  string    `json:"reason,omitempty"`
	Expires time.Time `json:"expires"`
}

// Origin returns "scheme://host[:port]" of u, the unit robots.txt governs.
func Origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// Get returns the rules for u's origin and where they came from. Errors
// are KV failures and a *guard.BlockedError when robots.txt itself is on
// a blocked address.
func (c *Cache) Get(ctx context.Context, u *url.URL) (*Rules, Result, error) {
	origin := Origin(u)
	now := time.Now()
	c.mu.Lock()
	r, ok := c.local[origin]
	c.mu.Unlock()
	if ok && now.Before(r.Expires) {
		return r, "local", nil
	}
	key := kv.Key(origin)
	deadline := now.Add(c.cfg.LockWait)
	for {
		if r, ok, err := c.load(ctx, key); err != nil {
			return nil, "", err
		} else if ok && time.Now().Before(r.Expires) {
			c.remember(origin, r)
			return r, "kv", nil
		}
		won, err := c.lock(ctx, key)
		if err != nil {
			return nil, "", err
		}
		if won {
			// The previous holder may have stored the rules and released
			// the lock between our load and our lock: look once more.
			if r, ok, err := c.load(ctx, key); err == nil && ok && time.Now().Before(r.Expires) {
				_ = c.kv.Delete(ctx, "l."+key)
				c.remember(origin, r)
				return r, "kv", nil
			}
			break
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	r, body, err := c.fetch(ctx, origin)
	if err != nil {
		_ = c.kv.Delete(context.WithoutCancel(ctx), "l."+key)
		return nil, "", err
	}
	c.store(ctx, key, r, body)
	c.remember(origin, r)
	return r, "fetched", nil
}

// Forget drops the rules of u's origin from this process and from the
// shared cache, so the next Get reads robots.txt again. The fetcher calls
// it when what it must do with a fresh read (hand on its Sitemap lines)
// failed: otherwise the retry would find the rules cached and the lines
// would be lost until they expire.
func (c *Cache) Forget(ctx context.Context, u *url.URL) error {
	origin := Origin(u)
	c.mu.Lock()
	delete(c.local, origin)
	c.mu.Unlock()
	if err := c.kv.Delete(ctx, "r."+kv.Key(origin)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("robots cache: forget %s: %w", origin, err)
	}
	return nil
}

func (c *Cache) load(ctx context.Context, key string) (*Rules, bool, error) {
	e, err := c.kv.Get(ctx, "r."+key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("robots cache: %w", err)
	}
	head, body, _ := bytes.Cut(e.Value(), []byte{'\n'})
	var s stored
	if err := json.Unmarshal(head, &s); err != nil {
		return nil, false, nil // corrupt entry: refetch
	}
	r := Parse(s.Status, body, c.cfg.Agent, s.Expires)
	r.Reason = s.Reason
	return r, true, nil
}

// lock claims the right to fetch key's robots.txt for LockWait.
func (c *Cache) lock(ctx context.Context, key string) (bool, error) {
	val := []byte(time.Now().Add(c.cfg.LockWait).Format(time.RFC3339Nano))
	_, err := c.kv.Create(ctx, "l."+key, val)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return false, fmt.Errorf("robots lock: %w", err)
	}
	e, err := c.kv.Get(ctx, "l."+key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil // released in between: look again
	}
	if err != nil {
		return false, fmt.Errorf("robots lock: %w", err)
	}
	until, perr := time.Parse(time.RFC3339Nano, string(e.Value()))
	if perr == nil && time.Now().Before(until) {
		return false, nil
	}
	// A stale lock (its holder died): take it over.
	if _, err := c.kv.Update(ctx, "l."+key, val, e.Revision()); err != nil {
		return false, nil
	}
	return true, nil
}

func (c *Cache) store(ctx context.Context, key string, r *Rules, body []byte) {
	head, _ := json.Marshal(stored{Status: r.Status, Reason: r.Reason, Expires: r.Expires})
	val := append(append(head, '\n'), body...)
	// A failed store only costs another fetch later.
	_, _ = c.kv.Put(ctx, "r."+key, val)
	_ = c.kv.Delete(ctx, "l."+key)
}

func (c *Cache) remember(origin string, r *Rules) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.local) >= c.cfg.LocalSize {
		// Drop expired entries, then an arbitrary half: memory stays flat.
		now := time.Now()
		for k, v := range c.local {
			if now.After(v.Expires) {
				delete(c.local, k)
			}
		}
		for k := range c.local {
			if len(c.local) < c.cfg.LocalSize/2 {
				break
			}
			delete(c.local, k)
		}
	}
	c.local[origin] = r
}

// fetch downloads origin/robots.txt. Only a blocked address and an
// Acquire error are errors; every other failure becomes rules.
func (c *Cache) fetch(ctx context.Context, origin string) (*Rules, []byte, error) {
	now := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/robots.txt", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("robots.txt request: %w", err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/plain,*/*;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if c.cfg.Acquire != nil {
		release, err := c.cfg.Acquire(ctx, req.URL.Host)
		if err != nil {
			return nil, nil, err
		}
		defer release()
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if guard.IsBlocked(err) {
			return nil, nil, err
		}
		if errors.Is(err, errTooManyRedirects) {
			return Parse(404, nil, c.cfg.Agent, now.Add(c.cfg.TTL)), nil, nil
		}
		r := Parse(0, nil, c.cfg.Agent, now.Add(c.cfg.RetryAfter))
		r.Reason = err.Error()
		return r, nil, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// The raw transport does not decode: a robots.txt served with a
		// Content-Encoding is decoded here, and at most MaxSize decoded
		// bytes are read (a bomb costs no more than a plain file).
		dec, err := fetch.DecodeBody(resp.Body, resp.Header.Get("Content-Encoding"))
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(dec, MaxSize))
			dec.Close()
		}
		if err != nil {
			r := Parse(0, nil, c.cfg.Agent, now.Add(c.cfg.RetryAfter))
			r.Reason = "read robots.txt: " + err.Error()
			return r, nil, nil
		}
		return Parse(resp.StatusCode, body, c.cfg.Agent, now.Add(c.cfg.TTL)), body, nil
	}
	r := Parse(resp.StatusCode, nil, c.cfg.Agent, now.Add(c.cfg.TTL))
	if r.Unreachable {
		r.Expires = now.Add(c.cfg.RetryAfter)
		r.Reason = fmt.Sprintf("robots.txt status %d", resp.StatusCode)
	}
	return r, nil, nil
}
