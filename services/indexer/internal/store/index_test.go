package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestNearDuplicateLookupUsesIndexes checks that the band lookup reads
// four indexes, never the whole table.
func TestNearDuplicateLookupUsesIndexes(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "plan.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+sqliteBands, 1, 2, 3, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		text := strings.Join(plan, "\n")
		for _, band := range []string{"articles_band0", "articles_band1", "articles_band2", "articles_band3"} {
			if !strings.Contains(text, "COVERING INDEX "+band) {
				t.Errorf("plan does not read %s as a covering index:\n%s", band, text)
			}
		}
		if strings.Contains(text, "SCAN articles") {
			t.Errorf("plan scans the articles table:\n%s", text)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := PostgresSchema(t)
		if dsn == "" {
			return
		}
		s, err := OpenPostgres(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var plan []string
		err = pgx.BeginFunc(t.Context(), s.pool, func(tx pgx.Tx) error {
			// An empty table is cheapest to scan; forbid it to see whether
			// the indexes serve the query.
			if _, err := tx.Exec(context.Background(), "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			rows, err := tx.Query(t.Context(), "EXPLAIN "+pgBands, 1, 2, 3, 4)
			if err != nil {
				return err
			}
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		for _, band := range []string{"articles_band0", "articles_band1", "articles_band2", "articles_band3"} {
			if !strings.Contains(text, band) {
				t.Errorf("plan does not use %s:\n%s", band, text)
			}
		}
		if strings.Contains(text, "Seq Scan") {
			t.Errorf("plan scans the articles table:\n%s", text)
		}
	})
}
