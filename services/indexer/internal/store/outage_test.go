package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// TestIsOutageOnRealErrors provokes real errors from both databases and
// checks which ones hold a batch.
func TestIsOutageOnRealErrors(t *testing.T) {
	ctx := t.Context()
	type tc struct {
		name   string
		err    error
		outage bool
	}
	var tests []tc
	add := func(name string, err error, outage bool) {
		if err == nil {
			t.Fatalf("%s: no error provoked", name)
		}
		// A provoked PostgreSQL error must be the one the name says.
		var pe *pgconn.PgError
		if errors.As(err, &pe) && !strings.Contains(name, pe.Code) && !strings.Contains(name, "postgres "+pe.Code) {
			t.Fatalf("%s: provoked %v instead", name, err)
		}
		tests = append(tests, tc{name, err, outage})
	}

	// SQLite.
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	locker, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	tx, err := locker.BeginTx(ctx, nil) // holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	impatient, _ := sql.Open("sqlite", path+"?_txlock=immediate&_pragma=busy_timeout(0)")
	defer impatient.Close()
	_, err = impatient.BeginTx(ctx, nil)
	add("sqlite busy", err, true)
	tx.Rollback()
	ro, _ := sql.Open("sqlite", "file:"+path+"?mode=ro")
	defer ro.Close()
	_, err = ro.ExecContext(ctx, `CREATE TABLE t (x)`)
	add("sqlite read-only", err, true)
	_, err = s.db.ExecContext(ctx, `INSERT INTO article_urls (url, article_id) VALUES ('u', 1), ('u', 1)`)
	add("sqlite constraint", err, false)
	_, err = s.db.ExecContext(ctx, `SELECT * FROM articles_fts WHERE articles_fts MATCH '"unterminated'`)
	add("sqlite fts syntax", err, false)
	s.Close()
	_, err = s.Ingest(ctx, []schema.Article{articletest.Article("daily.example", 1)})
	add("sqlite closed", err, true)

	// PostgreSQL.
	if dsn := PostgresSchema(t); dsn != "" {
		p, err := OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.pool.Exec(ctx, `SELECT 1/0`)
		add("postgres division by zero (22012)", err, false)
		conn, err := p.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `CREATE TEMP TABLE big (k text UNIQUE)`); err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(ctx, `INSERT INTO big VALUES ($1)`, noise(3500))
		add("postgres index row too large (54000)", err, false)
		_, err = conn.Exec(ctx, `SELECT 'x'::int`)
		add("postgres bad value (22P02)", err, false)
		_, err = conn.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
		add("postgres admin shutdown (57P01)", err, true)
		conn.Release()
		_, err = p.pool.Exec(ctx, `SELECT * FROM no_such_table`)
		add("postgres no such table (42P01)", err, true)
		_, err = p.pool.Exec(ctx, `SET TRANSACTION READ ONLY; CREATE TABLE ro (x int)`)
		add("postgres read-only transaction (25006)", err, true)
		p.Close()
		_, err = p.Ingest(ctx, []schema.Article{articletest.Article("daily.example", 1)})
		add("postgres closed pool", err, true)

		cfg, err := pgx.ParseConfig("postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
		if err != nil {
			t.Fatal(err)
		}
		_, err = pgx.ConnectConfig(ctx, cfg)
		add("postgres connection refused", err, true)
	}

	// Codes that are hard to provoke on demand, as the server sends them.
	for code, outage := range map[string]bool{
		"08006": true, "08001": true, "53100": true, "53200": true, "53300": true, "57P02": true, "57P03": true,
		"58030": true, "40001": true, "40P01": true, "55P03": true, "XX001": true, "28P01": true, "3D000": true,
		"42501": true, "23505": false, "23503": false, "22021": false, "54000": false, "57014": false, "42601": false,
	} {
		add("postgres "+code, fmt.Errorf("ingest: %w", &pgconn.PgError{Code: code}), outage)
	}
	add("deadline", fmt.Errorf("ingest: %w", context.DeadlineExceeded), true)
	add("invalid article", fmt.Errorf("%w: bad url", ErrInvalid), false)
	add("unknown", errors.New("something odd"), false)

	for _, tt := range tests {
		t.Logf("%s: %v", tt.name, tt.err)
		if got := IsOutage(tt.err); got != tt.outage {
			t.Errorf("%s: IsOutage(%v) = %v, want %v", tt.name, tt.err, got, tt.outage)
		}
	}
}

// TestOutageAsksTheStore: an error that does not look like an outage is
// still one when the store does not answer.
func TestOutageAsksTheStore(t *testing.T) {
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	odd := errors.New("an error nobody classified")
	if Outage(t.Context(), s, odd) {
		t.Error("Outage with the store up: true, want false")
	}
	s.Close()
	if !Outage(t.Context(), s, odd) {
		t.Error("Outage with the store closed: false, want true")
	}
	if Outage(t.Context(), s, nil) {
		t.Error("Outage(nil) = true")
	}
}

func TestHeldWatch(t *testing.T) {
	w := &HeldWatch{After: 3 * time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	down := &pgconn.PgError{Code: "08006", Message: "connection to 10.0.0.1 lost"}
	downAgain := &pgconn.PgError{Code: "08006", Message: "connection to 10.0.0.2 lost"}
	full := &pgconn.PgError{Code: "53100"}
	steps := []struct {
		at       time.Duration
		err      error // nil: a successful write
		wantHeld time.Duration
		wantWarn bool
	}{
		{at: 0, err: down},
		{at: time.Minute, err: downAgain, wantHeld: time.Minute}, // same kind, other text
		{at: 3*time.Minute + time.Second, err: down, wantHeld: 3*time.Minute + time.Second, wantWarn: true},
		{at: 4 * time.Minute, err: down, wantHeld: 4 * time.Minute}, // warned once
		{at: 5 * time.Minute, err: full, wantHeld: 0},               // another error starts over
		{at: 9 * time.Minute, err: full, wantHeld: 4 * time.Minute, wantWarn: true},
		{at: 10 * time.Minute},
		{at: 11 * time.Minute, err: down, wantHeld: 0},
	}
	for i, st := range steps {
		now := t0.Add(st.at)
		if st.err == nil {
			w.Written()
			if h := w.Held(now); h != 0 {
				t.Errorf("step %d: held %v after a write", i, h)
			}
			continue
		}
		held, warn := w.Failed(st.err, now)
		if held != st.wantHeld || warn != st.wantWarn {
			t.Errorf("step %d: Failed = %v, %v; want %v, %v", i, held, warn, st.wantHeld, st.wantWarn)
		}
		if g := w.Held(now); g != st.wantHeld {
			t.Errorf("step %d: Held = %v, want %v", i, g, st.wantHeld)
		}
	}
}
