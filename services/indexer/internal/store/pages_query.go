package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PageQuery asks for a page of the non-article pages (home, section,
// listing, feed, other...), newest fetch first. Empty fields do not
// filter.
type PageQuery struct {
	Type string // page_type, exactly
	Site string // site, case-insensitive
	// URL matches a page's URL or canonical URL exactly.
	URL           string
	Limit, Offset int
}

// PageRow is one stored non-article page.
type PageRow struct {
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
	PageType     string    `json:"page_type"`
	Title        string    `json:"title"`
	Site         string    `json:"site"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// PageList is one page of PageRows, the number of pages matching, and
// the number of stored pages of each type (for the type filter).
type PageList struct {
	Total  int       `json:"total"`
	Pages  []PageRow `json:"pages"`
	ByType []Count   `json:"by_type"`
}

// pageWhere builds the WHERE clause of q with ? placeholders, and its
// arguments.
func pageWhere(q PageQuery) (string, []any) {
	var conds []string
	var args []any
	if q.Type != "" {
		conds, args = append(conds, "page_type = ?"), append(args, q.Type)
	}
	if q.Site != "" {
		conds, args = append(conds, "lower(site) = lower(?)"), append(args, q.Site)
	}
	if q.URL != "" {
		conds, args = append(conds, "(canonical_url = ? OR url = ?)"), append(args, q.URL, q.URL)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// dollars numbers the ? placeholders of a query for PostgreSQL ($1, $2...).
func dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Pages lists stored non-article pages.
func (s *SQLite) Pages(ctx context.Context, q PageQuery) (PageList, error) {
	where, args := pageWhere(q)
	out := PageList{Pages: []PageRow{}}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pages`+where, args...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT url, canonical_url, page_type, title, site, fetched_at FROM pages`+where+
		` ORDER BY fetched_at DESC, canonical_url LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PageRow
		var fetched int64
		if err := rows.Scan(&p.URL, &p.CanonicalURL, &p.PageType, &p.Title, &p.Site, &fetched); err != nil {
			return out, fmt.Errorf("pages: %w", err)
		}
		p.FetchedAt = time.UnixMilli(fetched).UTC()
		out.Pages = append(out.Pages, p)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	out.ByType, err = counts(ctx, s.db, `SELECT page_type, count(*) FROM pages GROUP BY page_type ORDER BY count(*) DESC, page_type LIMIT 50`)
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	return out, nil
}

// Pages lists stored non-article pages.
func (p *Postgres) Pages(ctx context.Context, q PageQuery) (PageList, error) {
	where, args := pageWhere(q)
	out := PageList{Pages: []PageRow{}}
	if err := p.pool.QueryRow(ctx, dollars(`SELECT count(*) FROM pages`+where), args...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	rows, err := p.pool.Query(ctx, dollars(`SELECT url, canonical_url, page_type, title, site, fetched_at FROM pages`+where+
		` ORDER BY fetched_at DESC, canonical_url LIMIT ? OFFSET ?`), append(args, q.Limit, q.Offset)...)
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	pages, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PageRow, error) {
		var p PageRow
		err := r.Scan(&p.URL, &p.CanonicalURL, &p.PageType, &p.Title, &p.Site, &p.FetchedAt)
		p.FetchedAt = p.FetchedAt.UTC()
		return p, err
	})
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	out.Pages = append(out.Pages, pages...)
	rows, err = p.pool.Query(ctx, `SELECT page_type, count(*) FROM pages GROUP BY page_type ORDER BY count(*) DESC, page_type LIMIT 50`)
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	out.ByType, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		var n int64
		err := r.Scan(&c.Key, &n)
		c.Count = int(n)
		return c, err
	})
	if err != nil {
		return out, fmt.Errorf("pages: %w", err)
	}
	return out, nil
}
