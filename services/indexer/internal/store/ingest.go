package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/simhash"
)

// nearMinWords is the shortest body looked up for near-duplicates: the
// fingerprints of a few words say nothing, and would all collide.
const nearMinWords = 20

// bandLimit bounds the candidates read per band, so one popular band value
// cannot turn a lookup into a scan.
const bandLimit = 50

// row is an article prepared for writing.
type row struct {
	i         int // index in the batch
	a         *schema.Article
	host      string
	site      string
	doc       []byte // the article as JSON, without its body (docOf)
	simhash   uint64
	bands     [simhash.Bands]int64
	dated     time.Time // published, else fetched
	published string    // RFC 3339 with the page's offset, or ""
	words     int
	// fingerprinted says simhash, bands and words are set: only a new
	// article or a changed text needs them (fingerprint).
	fingerprinted bool
}

// fingerprint computes the row's SimHash, its bands and its word count,
// once.
func (r *row) fingerprint() {
	if r.fingerprinted {
		return
	}
	r.simhash, r.words = simhash.Count(r.a.Body)
	r.bands = simhash.Split(r.simhash)
	r.fingerprinted = true
}

// stored is what ingest reads of an article already stored: its fetch
// time, which tells a redelivery from a newer fetch, and the fields its
// full-text entry and fingerprint derive from.
type stored struct {
	id, story                                int64
	fetched                                  time.Time
	hash, title, description, body, language string
}

// sameText reports whether r's indexed text is the one stored: then its
// full-text entry, text columns and fingerprint stay as they are, and
// only the fetch's metadata changes (touch). The body is compared, not
// only its hash: the content hash is of the lowercased, whitespace-folded
// body, and the stored text must be the latest fetch's. The language is
// compared because PostgreSQL stems by it.
func (s stored) sameText(r *row) bool {
	return s.hash == r.a.ContentHash && s.title == r.a.Title && s.description == r.a.Description &&
		s.language == r.a.Language && s.body == r.a.Body
}

// match says which earlier article a new one duplicates.
type match struct {
	kind     string // "", "exact" or "near"
	of       int64
	story    int64
	distance int
}

type candidate struct {
	id, story int64
	simhash   uint64
}

// ingestTx is what one store offers the ingest algorithm inside one
// transaction.
type ingestTx interface {
	page(ctx context.Context, r *row, now time.Time) error
	// lookup returns the article stored at canonical.
	lookup(ctx context.Context, canonical string) (st stored, ok bool, err error)
	byHash(ctx context.Context, hash string) (candidate, bool, error)
	byBands(ctx context.Context, bands [simhash.Bands]int64) ([]candidate, error)
	// insert adds a new article, in the story of m, or, when m.kind is
	// "", in a new story whose id is the article's; ok is false when
	// another writer inserted the same canonical URL first.
	insert(ctx context.Context, r *row, m match, now time.Time) (id int64, ok bool, err error)
	// update replaces the article's text, its full-text entry and its
	// fingerprint, and the fetch's metadata.
	update(ctx context.Context, id int64, r *row, now time.Time) error
	// touch replaces only the fetch's metadata (URL, site, dates, the
	// doc) of an article whose text is unchanged (stored.sameText).
	touch(ctx context.Context, id int64, r *row, now time.Time) error
	version(ctx context.Context, id int64, r *row, now time.Time) error
	// alias records that the article id arrived under url.
	alias(ctx context.Context, id int64, url string) error
	// flush finishes the batch's writes before the commit.
	flush(ctx context.Context) error
}

// prepare validates and normalises a batch, sorted by canonical URL and
// fetch time: a fixed order keeps concurrent writers from deadlocking on
// each other's rows, and applies fetches of one URL oldest first.
func prepare(batch []schema.Article) ([]row, error) {
	rows := make([]row, 0, len(batch))
	for i := range batch {
		a := batch[i]
		clean(&a)
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, a.CanonicalURL, err)
		}
		if a.FetchedAt.IsZero() {
			return nil, fmt.Errorf("%w: %s: no fetched_at", ErrInvalid, a.CanonicalURL)
		}
		doc, err := docOf(a)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, a.CanonicalURL, err)
		}
		host := ""
		if u, err := url.Parse(a.CanonicalURL); err == nil {
			host = strings.ToLower(u.Hostname())
		}
		r := row{i: i, a: &a, host: host, site: siteOf(&a, host), doc: doc, dated: a.FetchedAt.UTC()}
		if a.Published != nil {
			r.dated = a.Published.UTC()
			r.published = a.Published.Format(time.RFC3339Nano)
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		return cmp.Or(strings.Compare(x.a.CanonicalURL, y.a.CanonicalURL), x.a.FetchedAt.Compare(y.a.FetchedAt))
	})
	return rows, nil
}

// docOf is the article as stored in the doc column: its JSON without the
// body, which the body column already holds (restoreBody puts it back on
// read). Storing it twice doubled the bytes written per article.
func docOf(a schema.Article) ([]byte, error) {
	a.Body = ""
	return json.Marshal(&a)
}

// ingest writes rows through tx.
func ingest(ctx context.Context, tx ingestTx, rows []row, now time.Time) (IngestResult, error) {
	res := IngestResult{Items: make([]Item, len(rows))}
	for i := range rows {
		r := &rows[i]
		if r.a.PageType != schema.PageArticle {
			if err := tx.page(ctx, r, now); err != nil {
				return res, wrap("record page", err)
			}
			res.Pages++
			res.Items[r.i] = Item{Result: "page"}
			continue
		}
		if err := ingestArticle(ctx, tx, r, now, &res); err != nil {
			return res, err
		}
	}
	return res, wrap("flush", tx.flush(ctx))
}

func ingestArticle(ctx context.Context, tx ingestTx, r *row, now time.Time, res *IngestResult) error {
	item := &res.Items[r.i]
	st, ok, err := tx.lookup(ctx, r.a.CanonicalURL)
	if err != nil {
		return wrap("look up article", err)
	}
	id := st.id
	if !ok {
		r.fingerprint()
		m, err := findMatch(ctx, tx, r)
		if err != nil {
			return err
		}
		var inserted bool
		id, inserted, err = tx.insert(ctx, r, m, now)
		if err != nil {
			return wrap("insert article", err)
		}
		if inserted {
			switch m.kind {
			case "exact":
				res.Exact++
			case "near":
				res.Near++
			}
			res.Inserted++
			*item = Item{Result: "inserted", Duplicate: m.kind, Story: cmp.Or(m.story, id)}
			if err := tx.alias(ctx, id, r.a.URL); err != nil {
				return wrap("record url", err)
			}
			return wrap("record version", tx.version(ctx, id, r, now))
		}
		// Another writer inserted this URL since the lookup.
		if st, ok, err = tx.lookup(ctx, r.a.CanonicalURL); err != nil || !ok {
			return wrap("look up article", cmp.Or(err, fmt.Errorf("%s vanished", r.a.CanonicalURL)))
		}
		id = st.id
	}
	if err := tx.version(ctx, id, r, now); err != nil {
		return wrap("record version", err)
	}
	if err := tx.alias(ctx, id, r.a.URL); err != nil {
		return wrap("record url", err)
	}
	// A newer fetch replaces the article; so does a re-extraction of the
	// same fetch (newsflow reparse, after an extractor upgrade). A
	// redelivery or an older fetch changes nothing.
	// (Stores keep milliseconds, so compare at that precision.)
	reparse := r.a.Reparse != "" && r.a.FetchedAt.Truncate(time.Millisecond).Equal(st.fetched.Truncate(time.Millisecond))
	if !r.a.FetchedAt.After(st.fetched) && !reparse {
		res.Unchanged++
		*item = Item{Result: "unchanged", Story: st.story}
		return nil
	}
	// Most newer fetches of a known page carry the same text: keep its
	// index entry rather than delete and re-index it.
	if st.sameText(r) {
		err = tx.touch(ctx, id, r, now)
	} else {
		r.fingerprint()
		err = tx.update(ctx, id, r, now)
	}
	if err != nil {
		return wrap("update article", err)
	}
	res.Updated++
	*item = Item{Result: "updated", Story: st.story}
	return nil
}

// findMatch finds the story a new article belongs to: the first article
// with the same content hash, else the nearest SimHash within
// simhash.MaxDistance among the articles sharing a band.
func findMatch(ctx context.Context, tx ingestTx, r *row) (match, error) {
	c, ok, err := tx.byHash(ctx, r.a.ContentHash)
	if err != nil {
		return match{}, wrap("find exact duplicate", err)
	}
	if ok {
		return match{kind: "exact", of: c.id, story: c.story, distance: simhash.Distance(c.simhash, r.simhash)}, nil
	}
	if r.words < nearMinWords {
		return match{}, nil
	}
	cands, err := tx.byBands(ctx, r.bands)
	if err != nil {
		return match{}, wrap("find near duplicate", err)
	}
	best := match{distance: simhash.MaxDistance + 1}
	for _, c := range cands {
		d := simhash.Distance(c.simhash, r.simhash)
		if d < best.distance || (d == best.distance && best.kind != "" && c.id < best.of) {
			best = match{kind: "near", of: c.id, story: c.story, distance: d}
		}
	}
	if best.kind == "" {
		return match{}, nil
	}
	return best, nil
}
