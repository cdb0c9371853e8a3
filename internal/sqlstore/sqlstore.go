// Package sqlstore keeps Redline's metadata in a SQL database: PostgreSQL
// through pgx in production, SQLite through modernc.org/sqlite as the embedded
// default. It implements drafting.Store: reads, the document-scoped unit of
// work (InDocument: one transaction holding the document's lock, in which
// drafting checks every rule and writes what it decided, its event last),
// the hash-chained audit log, accounts and idempotency keys. It decides
// nothing; it translates driver errors into drafting error kinds at its
// boundary, takes every record's time from its caller (the service's
// clock), and carries role changes to other instances through PostgreSQL
// notifications (WatchPolicy). The schema lives in the migrations package
// and is applied by Migrate.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"redline/internal/drafting"
	"redline/internal/failpoint"
	"redline/migrations"
)

// The dialects Dialect reports.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// DB is a metadata store on PostgreSQL or SQLite. It is safe for concurrent
// use.
type DB struct {
	db      *sql.DB
	dialect string
	// pgConfig is what the pool connects with on PostgreSQL, kept so
	// WatchPolicy can open its own connection; nil on SQLite.
	pgConfig *pgx.ConnConfig
	// idemTTL is how long an Idempotency-Key's answer is kept, in
	// nanoseconds; 0 means 24 hours (issue 13).
	idemTTL atomic.Int64
	pub     publicHub // public page changes (public.go)
	// committed wakes WatchEvents on SQLite after every committed write
	// (issue 17); nil on PostgreSQL, where a trigger notifies.
	committed chan struct{}
	// writeTurn is the one turn to write that this process's writers take
	// in order on SQLite (see takeWriteTurn); nil on PostgreSQL.
	writeTurn chan struct{}
}

var (
	_ drafting.Store            = (*DB)(nil)
	_ drafting.DocumentStore    = (*DB)(nil)
	_ drafting.RoleStore        = (*DB)(nil)
	_ drafting.AccountStore     = (*DB)(nil)
	_ drafting.EventStore       = (*DB)(nil)
	_ drafting.IdempotencyStore = (*DB)(nil)
)

// Open connects to the database named by databaseURL and checks that it
// answers. A URL starting with postgres:// or postgresql:// selects
// PostgreSQL; anything else is a SQLite file, given as sqlite:///abs/path.db,
// sqlite://relative.db, a file: URI or a plain path. Open does not migrate:
// call Migrate. Errors: invalid (unusable URL), unavailable (database
// unreachable).
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	const op = "sqlstore.Open"
	var (
		db      *DB
		err     error
		lower   = strings.ToLower(databaseURL)
		isPG    = strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
		display = "sqlite database"
	)
	if isPG {
		display = "postgres database"
		db, err = openPostgres(databaseURL)
	} else {
		db, err = openSQLite(databaseURL)
	}
	if err != nil {
		return nil, drafting.Wrap(drafting.KindInvalid, op, "the database URL is not usable", err)
	}
	if err := db.db.PingContext(ctx); err != nil {
		_ = db.db.Close()
		return nil, fail(op, "connect to "+display, err, nil)
	}
	return db, nil
}

func openPostgres(databaseURL string) (*DB, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg.Copy())
	// Requests are short; 16 connections serve several hundred requests a
	// second while leaving room on a default max_connections=100 server for
	// a few replicas and the CLI.
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetMaxIdleConns(16)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	// Recycle connections now and then so a failover or a pgbouncer restart
	// is picked up without a restart of Redline.
	sqlDB.SetConnMaxLifetime(time.Hour)
	return &DB{db: sqlDB, dialect: DialectPostgres, pgConfig: cfg}, nil
}

// sqliteParams are prepended to every SQLite DSN so that they win over
// anything the URL repeats (modernc reads the first value of a key).
//
//   - busy_timeout: a writer waits up to 10 s for the write lock instead of
//     failing at once with SQLITE_BUSY.
//   - _txlock=immediate: every read-write transaction starts with BEGIN
//     IMMEDIATE, taking the write lock up front (waiting under busy_timeout).
//     A DEFERRED transaction that reads and then writes fails with
//     SQLITE_BUSY at once, busy_timeout or not, when another writer got in
//     between; a unit of work (InDocument) reads and then writes, so it needs
//     this. Read-only transactions stay deferred (modernc v1.62 tx.go).
//   - journal_mode=WAL: readers never block the writer nor each other.
//   - foreign_keys=1: SQLite leaves them off per connection by default.
//   - synchronous=FULL: in WAL mode NORMAL may lose the last commits on power
//     loss. Redline answers 201 for a revision only after its row commits, and
//     "nothing lost" is the point of the service; the fsync per commit is
//     cheap at the rate people write drafts.
var sqliteParams = url.Values{
	"_pragma": {
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(FULL)",
	},
	"_txlock": {"immediate"},
}

// sqliteMaxConns is the size of the SQLite connection pool.
const sqliteMaxConns = 8

func openSQLite(databaseURL string) (*DB, error) {
	dsn, err := sqliteDSN(databaseURL)
	if err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// Writers serialise on the database lock anyway; a few connections let
	// readers run beside the writer under WAL. Connections are kept open
	// because each new one re-runs the pragmas.
	sqlDB.SetMaxOpenConns(sqliteMaxConns)
	sqlDB.SetMaxIdleConns(sqliteMaxConns)
	return &DB{db: sqlDB, dialect: DialectSQLite, committed: make(chan struct{}, 1), writeTurn: make(chan struct{}, 1)}, nil
}

// sqliteDSN turns a database URL into a modernc DSN carrying sqliteParams.
func sqliteDSN(databaseURL string) (string, error) {
	s := databaseURL
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		// sqlite:///abs/path.db keeps its leading slash; sqlite://rel.db is
		// relative to the working directory.
		s = s[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		s = s[len("sqlite:"):]
	}
	path, query, _ := strings.Cut(s, "?")
	if path == "" || path == "file:" {
		return "", errors.New("sqlite database path is empty")
	}
	bare := strings.TrimPrefix(path, "file:")
	if bare == ":memory:" || strings.Contains(query, "mode=memory") {
		// Every pooled connection would get its own empty database.
		return "", errors.New("in-memory sqlite databases are not supported; use a file")
	}
	extra, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("parse sqlite url query: %w", err)
	}
	params := sqliteParams.Encode()
	if len(extra) > 0 {
		params += "&" + extra.Encode()
	}
	return path + "?" + params, nil
}

// Dialect reports the database in use: "postgres" or "sqlite".
func (db *DB) Dialect() string { return db.dialect }

// Migrate applies the embedded migrations that the database lacks; on an up
// to date database it changes nothing. On PostgreSQL it holds an advisory
// lock meanwhile, so replicas starting together migrate once. Errors:
// unavailable, internal.
func (db *DB) Migrate(ctx context.Context) error {
	const op = "sqlstore.Migrate"
	var (
		dialect goose.Dialect
		fsys    fs.FS
		// Migration numbers are handed out per change before the changes
		// land, so a lower number may arrive after a higher one is applied
		// (0008 before 0006): goose applies it then rather than refusing.
		opts = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true)}
	)
	switch db.dialect {
	case DialectPostgres:
		dialect, fsys = goose.DialectPostgres, migrations.Postgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return drafting.Wrap(drafting.KindInternal, op, "", fmt.Errorf("create migration lock: %w", err))
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	default:
		// No session lock on SQLite: goose runs each migration in a
		// transaction that BEGIN IMMEDIATE serialises, and the embedded
		// default has a single Redline process on the file.
		dialect, fsys = goose.DialectSQLite3, migrations.SQLite
	}
	p, err := goose.NewProvider(dialect, db.db, fsys, opts...)
	if err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "", fmt.Errorf("load migrations: %w", err))
	}
	// p.Close would close db.db, which the store still owns: leave it.
	if _, err := p.Up(ctx); err != nil {
		return fail(op, "apply migrations", err, nil)
	}
	return nil
}

// SchemaVersion returns the newest migration applied to the database, 0
// when none is. Errors: unavailable, internal.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	const (
		op = "sqlstore.SchemaVersion"
		q  = `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`
	)
	var exists int
	if err := db.db.QueryRowContext(ctx, db.rebind(db.tableExistsQuery()), "goose_db_version").Scan(&exists); err != nil {
		return 0, fail(op, "look for the migrations table", err, nil)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int64
	if err := db.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return 0, fail(op, "read schema version", err, nil)
	}
	return v, nil
}

func (db *DB) tableExistsQuery() string {
	if db.dialect == DialectPostgres {
		return `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	return `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`
}

// Ping reports whether the database answers. Errors: unavailable.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return drafting.Wrap(drafting.KindUnavailable, "sqlstore.Ping", "", fmt.Errorf("ping %s: %w", db.dialect, err))
	}
	return nil
}

// Close releases the database.
func (db *DB) Close() error {
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close %s database: %w", db.dialect, err)
	}
	return nil
}

// rebind turns the ? placeholders every query is written with into $1, $2 …
// on PostgreSQL. No query in this package holds a ? inside a literal.
func (db *DB) rebind(q string) string {
	if db.dialect != DialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// timeArg encodes t for the dialect: timestamptz on PostgreSQL, unix
// nanoseconds on SQLite. It keeps microseconds, what timestamptz holds, on
// both, so a time the caller chose (a session's) reads back alike on either.
func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == DialectSQLite {
		return t.UnixNano()
	}
	return t
}

// timeCol scans either encoding of a timestamp into a UTC time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v.UTC()
	case int64:
		*c.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("scan timestamp: unexpected %T", src)
	}
	return nil
}

// nullTimeCol scans a nullable timestamp; NULL leaves the zero time.
type nullTimeCol struct{ t *time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = time.Time{}
		return nil
	}
	return timeCol(c).Scan(src)
}

// nullID encodes a user id where 0 means nobody (the command line) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// takeWriteTurn waits, on SQLite, until no other writer of this process
// holds the database, and returns the function that gives the turn back; on
// PostgreSQL, whose row locks queue writers fairly, it returns at once.
//
// SQLite has one write lock, and a writer that finds it taken polls with
// growing sleeps (up to 100 ms) for busy_timeout before failing with
// SQLITE_BUSY. Polling is not a queue: under a burst of writers on a
// loaded machine one of them can lose every poll for the whole 10 s and
// fail a user's request (the ConcurrentCommits and ConcurrentChain cases
// did on CI). Waiting here instead queues the process's writers in order
// on a channel, before they take a connection, under their own context;
// busy_timeout is left to arbitrate with other processes (the CLI). Errors
// are the context's.
func (db *DB) takeWriteTurn(ctx context.Context) (release func(), err error) {
	if db.writeTurn == nil {
		return func() {}, nil
	}
	select {
	case db.writeTurn <- struct{}{}:
		return func() { <-db.writeTurn }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the turn to write: %w", ctx.Err())
	}
}

// autocommit is the database for writes of one statement outside a
// transaction: each ExecContext takes the write turn first. Its queries
// are reads, which need no turn.
type autocommit struct{ db *DB }

func (db *DB) autocommit() autocommit { return autocommit{db} }

func (a autocommit) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	release, err := a.db.takeWriteTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return a.db.db.ExecContext(ctx, query, args...)
}

func (a autocommit) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return a.db.db.QueryContext(ctx, query, args...)
}

func (a autocommit) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return a.db.db.QueryRowContext(ctx, query, args...)
}

// inTx runs fn in a read-write transaction (BEGIN IMMEDIATE on SQLite,
// after the process's write turn) and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	release, err := db.takeWriteTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		// The cause matters more than a rollback failure, which the closed
		// or broken connection it implies makes moot.
		_ = tx.Rollback()
		return err
	}
	failpoint.Hit(failpoint.BeforeCommit)
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	failpoint.Hit(failpoint.AfterCommit)
	db.signalCommit()
	return nil
}
