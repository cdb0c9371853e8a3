package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"redline/internal/drafting"
)

// messages are the safe, user-facing messages of one call, by kind. A kind
// without one gets drafting's default message.
type messages map[drafting.Kind]string

// fail translates err, met while doing what doing says, into a
// *drafting.Error for op. An err that already is one passes through.
func fail(op, doing string, err error, msgs messages) error {
	var de *drafting.Error
	if errors.As(err, &de) {
		return err
	}
	kind := classify(err)
	return &drafting.Error{Kind: kind, Op: op, Message: msgs[kind], Err: fmt.Errorf("%s: %w", doing, err)}
}

// classify maps a database/sql, pgx or modernc error to a kind.
func classify(err error) drafting.Kind {
	if errors.Is(err, sql.ErrNoRows) {
		return drafting.KindNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return classifyPostgres(pgErr.Code)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return classifySQLite(liteErr.Code())
	}
	// A caller that gave up (deadline or cancellation) or a database that
	// cannot be reached is a transient condition, not a bug in Redline.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return drafting.KindUnavailable
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return drafting.KindUnavailable
	}
	return drafting.KindInternal
}

// classifyPostgres maps a SQLSTATE to a kind.
func classifyPostgres(code string) drafting.Kind {
	switch code {
	case "23505": // unique_violation
		return drafting.KindConflict
	case "23503": // foreign_key_violation: what it points at does not exist
		return drafting.KindNotFound
	case "23502", "23514": // not_null_violation, check_violation
		return drafting.KindInvalid
	case "40001", "40P01", // serialization_failure, deadlock_detected: retryable
		"55P03",                   // lock_not_available
		"57014",                   // query_canceled (statement timeout, cancelled context)
		"57P01", "57P02", "57P03", // admin/crash shutdown, cannot connect now
		"53300", "53100", "53200", // too many connections, disk full, out of memory
		"3D000": // invalid_catalog_name: the database is missing
		return drafting.KindUnavailable
	}
	switch {
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "28"): // invalid authorization
		return drafting.KindUnavailable
	case strings.HasPrefix(code, "22"): // data exception: a value the column cannot hold
		return drafting.KindInvalid
	}
	return drafting.KindInternal
}

// classifySQLite maps an extended SQLite result code to a kind.
func classifySQLite(code int) drafting.Kind {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return drafting.KindConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return drafting.KindNotFound
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL,
		sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return drafting.KindInvalid
	}
	switch code & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, // busy_timeout ran out
		sqlite3.SQLITE_INTERRUPT, // the context ended
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOLFS:
		return drafting.KindUnavailable
	}
	return drafting.KindInternal
}
