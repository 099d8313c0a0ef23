package pgtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// MachineURL is the test PostgreSQL server Schema uses when
// NEWSFLOW_TEST_POSTGRES is unset: the machine's, database test, trust
// auth (scripts/testenv sets NEWSFLOW_TEST_POSTGRES to a private server
// when there is none).
const MachineURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Schema creates a schema of its own for tb on the test PostgreSQL server
// (NEWSFLOW_TEST_POSTGRES, else MachineURL), dropped when tb ends, and
// returns a DSN whose search_path selects it: tests that share a server
// never see each other's tables. It returns "" when
// NEWSFLOW_TEST_POSTGRES=skip, and fails tb when the server is
// unreachable.
func Schema(tb testing.TB) string {
	tb.Helper()
	base := cmp.Or(os.Getenv("NEWSFLOW_TEST_POSTGRES"), MachineURL)
	if base == "skip" {
		tb.Log("NEWSFLOW_TEST_POSTGRES=skip: PostgreSQL not tested")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("PostgreSQL test server %s unreachable (%v): start it (make test does, through scripts/testenv), point NEWSFLOW_TEST_POSTGRES at one, or set NEWSFLOW_TEST_POSTGRES=skip", base, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}
