package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// An Ingest error is either an outage (the store cannot write anything
// now: hold the batch and retry it) or the fault of an item in the batch
// (write the items one at a time and give up on the one that fails). The
// two must never be confused: an item taken for an outage holds the
// pipeline for good, an outage taken for an item dead-letters every
// article that arrives while it lasts.

// IsOutage reports whether err, returned by a Store, says the store is
// unavailable rather than that the data is at fault:
//
//   - connection errors (refused, reset, closed, timed out, a closed pool,
//     the context's deadline);
//   - PostgreSQL SQLSTATE class 08 (connection exception), 53
//     (insufficient resources: disk full, out of memory, too many
//     connections), 57P01-57P05 (shutdown, cannot connect now), 58
//     (system and I/O errors), 40001 and 40P01 (serialization failure,
//     deadlock: retry the transaction), 25006 (a read-only transaction: a
//     standby after a failover), 55P03 (lock not available), XX001 and
//     XX002 (corrupted data or index), and the errors of a store that is
//     not set up to be written (28 invalid authorization, 3D000 no such
//     database, 3F000 no such schema, 42501 insufficient privilege, 42P01
//     no such table): no article can cause those, and taking them for bad
//     items would dead-letter everything;
//   - SQLite BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL,
//     CANTOPEN, PROTOCOL and NOTADB (extended codes included).
//
// Everything else is the data's fault: a constraint, a value or a size
// the database refuses (index row too large, 22xxx data exceptions...).
// ErrInvalid is never an outage.
func IsOutage(err error) bool {
	if err == nil || errors.Is(err, ErrInvalid) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgOutage(pe.Code)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return sqliteOutage(se.Code())
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.As(err, &oe),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, pgconn.ErrConnClosed), pgconn.Timeout(err), pgconn.SafeToRetry(err),
		errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn):
		return true
	}
	// Neither database/sql nor puddle exports these.
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "closed pool")
}

func pgOutage(code string) bool {
	if len(code) < 2 {
		return false
	}
	switch code[:2] {
	case "08", "53", "58", "28":
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "57P04", "57P05",
		"40001", "40P01", "25006", "55P03", "XX001", "XX002",
		"3D000", "3F000", "42501", "42P01":
		return true
	}
	return false
}

func sqliteOutage(code int) bool {
	switch code & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// Outage is IsOutage, confirmed against the store: an error that does not
// look like an outage is still taken for one when the store does not
// answer a ping, so an unfamiliar connection error never dead-letters
// good articles. Call it with the Ingest error to decide whether to hold
// a batch (true) or to narrow it down to the item at fault (false).
func Outage(ctx context.Context, s Store, err error) bool {
	if err == nil {
		return false
	}
	if IsOutage(err) {
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return s.Ping(pctx) != nil
}

// ErrorKey names the kind of a store error, stable across attempts (the
// text of an error may carry a process id or an address): "postgres
// 08006", "sqlite 5", or the error text for others. A runner compares
// keys to tell that a batch is held by the same error.
func ErrorKey(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "postgres " + pe.Code
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("sqlite %d", se.Code())
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// HeldWatch follows how long writes have been failing with the same
// outage, for the runner that holds a batch through it: it says once when
// that has lasted longer than After (the moment for a warning), and how
// long it has lasted so far (for a gauge). Safe for concurrent use.
//
// A runner calls Failed after every failed write and Written after every
// successful one.
type HeldWatch struct {
	// After is how long the same error may hold writes before Failed
	// reports it (3 minutes if zero).
	After time.Duration

	mu     sync.Mutex
	key    string
	since  time.Time
	warned bool
}

// Failed records a write that failed with err at now. It returns how long
// writes have failed with an error of the same kind (ErrorKey), and warn
// true the first time that exceeds After.
func (w *HeldWatch) Failed(err error, now time.Time) (held time.Duration, warn bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := ErrorKey(err)
	if w.since.IsZero() || key != w.key {
		w.key, w.since, w.warned = key, now, false
	}
	held = now.Sub(w.since)
	after := w.After
	if after <= 0 {
		after = 3 * time.Minute
	}
	if held > after && !w.warned {
		w.warned = true
		return held, true
	}
	return held, false
}

// Written records a successful write: nothing is held any more.
func (w *HeldWatch) Written() {
	w.mu.Lock()
	w.key, w.since, w.warned = "", time.Time{}, false
	w.mu.Unlock()
}

// Held returns how long writes have been failing with the same error at
// now, zero when the last write succeeded: the value of a gauge.
func (w *HeldWatch) Held(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.since.IsZero() {
		return 0
	}
	return now.Sub(w.since)
}
