package store

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// BenchmarkIngest reports articles/s written by each store, one article
// per transaction and 100 per transaction, with realistic 250-word
// bodies, full-text indexing and duplicate lookup included. Run with
//
//	go test -run '^$' -bench Ingest -benchtime 3000x ./internal/store/
func BenchmarkIngest(b *testing.B) {
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprintf("sqlite/batch=%d", size), func(b *testing.B) {
			s, err := OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchIngest(b, s, size)
		})
		b.Run(fmt.Sprintf("postgres/batch=%d", size), func(b *testing.B) {
			dsn := PostgresSchema(b)
			if dsn == "" {
				b.Skip("no PostgreSQL")
			}
			s, err := OpenPostgres(b.Context(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchIngest(b, s, size)
		})
	}
}

func benchIngest(b *testing.B, s Store, size int) {
	// Build the articles first: the benchmark measures the store.
	arts := make([]schema.Article, b.N)
	for i := range arts {
		arts[i] = articletest.Article(fmt.Sprintf("site%d.example", i%20), i)
	}
	b.ResetTimer()
	for i := 0; i < len(arts); i += size {
		if _, err := s.Ingest(b.Context(), arts[i:min(i+size, len(arts))]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
