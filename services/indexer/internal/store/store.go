// Package store keeps the indexer's articles: the Store interface the
// indexer's service and HTTP API use, and its two implementations, SQLite
// (modernc.org/sqlite, pure Go, the zero-setup default) and PostgreSQL
// (pgx/v5, for a team that outgrows one machine).
//
// Both stores share one ingest algorithm (ingest.go): a batch is written in
// one transaction; an article is keyed by its canonical URL, so redelivery
// or two indexers at once never duplicate a row; a newer fetch of a URL
// updates the row and adds a version (content hash, modified and fetched
// time) to its history (when the text, title, description and language
// are the ones stored, only the fetch's metadata changes: the full-text
// entry and the fingerprint stay, which is most re-fetches); a new URL
// joins the story of an exact duplicate (same content hash) or of a near-duplicate (SimHash within distance 3,
// found through four indexed 16-bit bands), or starts its own story.
// Pages that are not articles (home, section, listing pages) are recorded
// in a separate pages table, never as articles.
//
// Hostile pages are ordinary input (limits.go): every article is cleaned
// before it is written (valid UTF-8, no NUL or control characters) and
// each free-text field is cut to a documented cap with a marker, so no
// page can fail a write by its size or its bytes. PostgreSQL keys URLs by
// their SHA-256, since a btree entry cannot hold a 3 KB URL. An Ingest
// error is either an outage, which holds the batch, or an item's fault,
// which the caller narrows down by writing the batch one item at a time
// (outage.go: IsOutage, Outage, HeldWatch).
//
// Schema migrations are embedded (migrations/<store>/NNNN_name.sql) and
// applied in order at Open. The package does not depend on NATS.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/query"
)

// ErrNotFound is returned by Article and Story when nothing matches.
var ErrNotFound = errors.New("not found")

// Store keeps articles and answers the search API. Implementations are
// safe for concurrent use.
type Store interface {
	// Ingest writes a batch in one transaction. It is idempotent: writing
	// the same articles again changes nothing. An error wrapping
	// ErrInvalid means the data, not the store, is at fault; IsOutage and
	// Outage tell any other error's cause.
	Ingest(ctx context.Context, batch []schema.Article) (IngestResult, error)
	// Search runs a full-text query with filters.
	Search(ctx context.Context, s Search) (SearchResult, error)
	// Article returns the article whose URL or canonical URL is url, or
	// ErrNotFound.
	Article(ctx context.Context, url string) (Stored, error)
	// Story returns the copies of one story, or ErrNotFound.
	Story(ctx context.Context, id int64) (Story, error)
	// Stats counts what is stored.
	Stats(ctx context.Context) (Stats, error)
	// Pages lists the stored non-article pages (pages_query.go).
	Pages(ctx context.Context, q PageQuery) (PageList, error)
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// ErrInvalid is wrapped by Ingest errors caused by the data itself.
var ErrInvalid = errors.New("invalid article")

// Open opens the store named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL, anything else is a SQLite file path (optionally
// prefixed with "sqlite:"). Migrations are applied before it returns.
func Open(ctx context.Context, dsn string) (Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn)
	case dsn == "":
		return nil, errors.New("open store: empty location")
	default:
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	}
}

// IngestResult counts what one Ingest did.
type IngestResult struct {
	Inserted  int // new articles
	Updated   int // newer fetches of known articles
	Unchanged int // redeliveries and older fetches
	Pages     int // non-article pages recorded
	Exact     int // new articles that are exact duplicates of another URL
	Near      int // new articles that are near-duplicates of another URL
	// Items says what became of each article of the batch, in the
	// batch's order, for its log line.
	Items []Item
}

// Item is what one Ingest did with one article.
type Item struct {
	// Result is "inserted", "updated", "unchanged" (a redelivery or an
	// older fetch) or "page" (a non-article page recorded).
	Result string
	// Duplicate is "exact" or "near" for a new article that copies
	// another URL's story, else "".
	Duplicate string
	// Story is the story the article belongs to (0 for a page).
	Story int64
}

// Add adds o to r.
func (r *IngestResult) Add(o IngestResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Pages += o.Pages
	r.Exact += o.Exact
	r.Near += o.Near
	r.Items = append(r.Items, o.Items...)
}

// Search is one search request. Zero From/To leave the range open; To is
// exclusive. The range applies to the published time, or the fetch time
// of an article without one.
type Search struct {
	Query         query.Query
	Site          string // site name or host, case-insensitive
	Lang          string // language code, e.g. "en"
	From, To      time.Time
	Limit, Offset int
}

// Hit is one search result. Snippet is HTML: text escaped, matches in
// <mark> elements.
type Hit struct {
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Published    *time.Time `json:"published,omitempty"`
	SiteName     string     `json:"site_name"`
	Language     string     `json:"language,omitempty"`
	StoryID      int64      `json:"story_id"`
	Snippet      string     `json:"snippet"`
}

// SearchResult is one page of hits and the total number of matches.
type SearchResult struct {
	Total   int   `json:"total"`
	Results []Hit `json:"results"`
}

// Version is one fetch of an article.
type Version struct {
	ContentHash string     `json:"content_hash"`
	Modified    *time.Time `json:"modified,omitempty"`
	FetchedAt   time.Time  `json:"fetched_at"`
}

// Copy is one article of a story.
type Copy struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	SiteName     string     `json:"site_name"`
	Language     string     `json:"language,omitempty"`
	Published    *time.Time `json:"published,omitempty"`
	// Duplicate is "" for the story's first article, else "exact" or
	// "near" (how it joined the story); Distance is the SimHash distance
	// to the article it matched.
	Duplicate string `json:"duplicate,omitempty"`
	Distance  int    `json:"distance,omitempty"`
}

// Stored is an article as the indexer keeps it: the latest fetch as
// received, plus its story, duplicate status and version history.
type Stored struct {
	schema.Article
	ID          int64     `json:"id"`
	StoryID     int64     `json:"story_id"`
	Duplicate   string    `json:"duplicate,omitempty"`
	DuplicateOf int64     `json:"duplicate_of,omitempty"`
	Distance    int       `json:"distance,omitempty"`
	SimHash     string    `json:"simhash"`
	FirstSeen   time.Time `json:"first_seen"`
	UpdatedAt   time.Time `json:"updated_at"`
	Versions    []Version `json:"versions"`
	// Copies are the other articles of the same story.
	Copies []Copy `json:"copies"`
}

// Story is the set of copies of one story, first article first.
type Story struct {
	ID       int64  `json:"id"`
	Articles []Copy `json:"articles"`
}

// Count is one bucket of Stats.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Stats counts the store's contents.
type Stats struct {
	Articles int `json:"articles"`
	// URLs counts the distinct URLs the articles arrived under (several
	// URLs may share one canonical URL, hence one row).
	URLs int `json:"urls"`
	// DuplicateRows counts rows sharing a canonical URL: always 0, kept
	// so an operator (and the ledger) can see it.
	DuplicateRows int     `json:"duplicate_rows"`
	Pages         int     `json:"pages"`
	Stories       int     `json:"stories"`
	Versions      int     `json:"versions"`
	Exact         int     `json:"exact_duplicates"`
	Near          int     `json:"near_duplicates"`
	BySite        []Count `json:"by_site"`
	ByLanguage    []Count `json:"by_language"`
	// ByDay counts articles per UTC day of publication (or fetch), for the
	// most recent MaxStatsDays days that have articles, newest first.
	ByDay []Count `json:"by_day"`
}

// MaxStatsDays bounds Stats.ByDay.
const MaxStatsDays = 90

// siteOf returns the site an article is filed under: its site name, or
// its host when the page names none.
func siteOf(a *schema.Article, host string) string {
	if s := strings.TrimSpace(a.SiteName); s != "" {
		return s
	}
	return host
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
