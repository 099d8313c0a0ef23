package store

import (
	"path/filepath"
	"testing"
)

// TestSQLiteIngestSettings: the settings the ingest rate depends on are
// in force on a freshly opened database, durability included.
func TestSQLiteIngestSettings(t *testing.T) {
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, query, want string
	}{
		{"synchronous FULL", `PRAGMA synchronous`, "2"},
		{"WAL", `PRAGMA journal_mode`, "wal"},
		{"checkpoint every 4,000 pages", `PRAGMA wal_autocheckpoint`, "4000"},
		{"FTS5 automerge", `SELECT v FROM articles_fts_config WHERE k = 'automerge'`, "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(t.Context(), tt.query).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %s, want %s", tt.query, got, tt.want)
			}
		})
	}
}
