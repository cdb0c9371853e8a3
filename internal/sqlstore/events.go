package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"redline/internal/drafting"
	"redline/internal/failpoint"
)

// eventsLockKey is the PostgreSQL advisory lock that serialises appenders to
// the audit chain ("redline.events" in ASCII, folded into an int64). It only
// has to differ from the other advisory locks on the database: goose's
// migration lock is 5887940537704921958.
const eventsLockKey int64 = 0x72656476_656e7473

// eventColumns is the select list scanEvent reads. The actor is joined
// loosely: NULL, the command line or the system, has no login, and the log
// keeps no foreign keys.
const eventColumns = `e.seq, COALESCE(e.document_id, ''), e.kind, COALESCE(e.actor_id, 0), COALESCE(u.login, ''),
e.data, e.at, e.prev_hash, e.hash
FROM events e LEFT JOIN users u ON u.id = e.actor_id`

func scanEvent(row interface{ Scan(...any) error }) (drafting.Event, error) {
	var (
		e    drafting.Event
		data string
	)
	err := row.Scan(&e.Seq, &e.DocumentID, &e.Kind, &e.ActorID, &e.ActorLogin, &data, timeCol{&e.At},
		&e.PrevHash, &e.Hash)
	if err != nil {
		return drafting.Event{}, err
	}
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return drafting.Event{}, fmt.Errorf("decode data of event %d: %w", e.Seq, err)
	}
	if len(e.Data) == 0 {
		// Canonical writes nil and empty alike; nil is what an event
		// without data was built with.
		e.Data = nil
	}
	return e, nil
}

// appendEvent links ev to the head of the audit chain and inserts it, inside
// the caller's transaction, which it must be the last statement of: on
// PostgreSQL it takes a transaction-scoped advisory lock that every appender
// queues on until the holder commits, so the chain cannot fork, and taking
// it last keeps the time it is held short and the lock order acyclic. On
// SQLite the transaction's BEGIN IMMEDIATE already serialises writers. A
// zero ev.At is refused (the service's clock sets it); ActorLogin is not
// stored.
func (db *DB) appendEvent(ctx context.Context, tx *sql.Tx, ev drafting.Event) (drafting.Event, error) {
	const (
		op      = "sqlstore.appendEvent"
		qLock   = `SELECT pg_advisory_xact_lock(?)`
		qHead   = `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`
		qInsert = `INSERT INTO events (seq, document_id, kind, actor_id, data, at, prev_hash, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if ev.Kind == "" {
		return drafting.Event{}, drafting.E(drafting.KindInvalid, op, "event kind must not be empty")
	}
	if db.dialect == DialectPostgres {
		if _, err := tx.ExecContext(ctx, db.rebind(qLock), eventsLockKey); err != nil {
			return drafting.Event{}, fail(op, "lock the audit chain", err, nil)
		}
	}
	var (
		prevSeq  int64
		prevHash string
	)
	// The lock is taken before this read, so under READ COMMITTED it sees
	// the event of whoever held the lock last.
	err := tx.QueryRowContext(ctx, qHead).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return drafting.Event{}, fail(op, "read the head of the audit chain", err, nil)
	}
	ev.Data = validData(ev.Data)
	data := []byte("{}")
	if len(ev.Data) > 0 {
		if data, err = json.Marshal(ev.Data); err != nil {
			return drafting.Event{}, drafting.Wrap(drafting.KindInternal, op, "", fmt.Errorf("encode event data: %w", err))
		}
	}
	if err := requireTime(op, "event time", ev.At); err != nil {
		return drafting.Event{}, err
	}
	// Canonical hashes At to the microsecond in UTC; store exactly that, so
	// the event read back hashes the same.
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	ev.Seq, ev.PrevHash = prevSeq+1, prevHash
	ev.Hash = drafting.ChainHash(prevHash, ev)
	failpoint.Hit(failpoint.MidAuditAppend)
	_, err = tx.ExecContext(ctx, db.rebind(qInsert), ev.Seq, nullString(ev.DocumentID), ev.Kind, nullID(ev.ActorID),
		string(data), db.timeArg(ev.At), ev.PrevHash, ev.Hash)
	if err != nil {
		doing := fmt.Sprintf("insert event %d", ev.Seq)
		if classify(err) == drafting.KindConflict {
			// A taken seq or prev_hash means the lock did not hold: a bug,
			// not the caller's conflict to retry.
			return drafting.Event{}, drafting.Wrap(drafting.KindInternal, op, "", fmt.Errorf("%s: audit chain moved under its lock: %w", doing, err))
		}
		return drafting.Event{}, fail(op, doing, err, messages{
			drafting.KindInvalid: "the event is not acceptable",
		})
	}
	return ev, nil
}

// AppendEvent appends ev to the audit chain on its own, setting Seq,
// PrevHash and Hash, and returns it. Errors: invalid (empty kind, no time,
// or text the database cannot hold), unavailable, internal.
func (db *DB) AppendEvent(ctx context.Context, ev drafting.Event) (drafting.Event, error) {
	const op = "sqlstore.AppendEvent"
	var stored drafting.Event
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return drafting.Event{}, fail(op, "append event", err, nil)
	}
	return stored, nil
}

// Events returns the events of a document ("" for every event), oldest
// first, with Seq above after, at most limit of them. Errors: invalid
// (limit < 1).
func (db *DB) Events(ctx context.Context, documentID string, after int64, limit int) ([]drafting.Event, error) {
	const (
		op    = "sqlstore.Events"
		qAll  = `SELECT ` + eventColumns + ` WHERE e.seq > ? ORDER BY e.seq LIMIT ?`
		qDocs = `SELECT ` + eventColumns + ` WHERE e.document_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`
	)
	if limit < 1 {
		return nil, drafting.E(drafting.KindInvalid, op, "limit must be at least 1")
	}
	var (
		rows *sql.Rows
		err  error
	)
	if documentID == "" {
		rows, err = db.db.QueryContext(ctx, db.rebind(qAll), after, limit)
	} else {
		rows, err = db.db.QueryContext(ctx, db.rebind(qDocs), documentID, after, limit)
	}
	if err != nil {
		return nil, fail(op, "select events", err, nil)
	}
	events, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fail(op, "read events", err, nil)
	}
	return events, nil
}

// allEventsBatch bounds how many rows AllEvents reads per query.
const allEventsBatch = 500

// AllEvents calls fn with every event in chain order. Like AllRevisions it
// reads in batches and holds no query open while fn runs. Errors:
// unavailable, internal, or fn's error as it is.
func (db *DB) AllEvents(ctx context.Context, fn func(drafting.Event) error) error {
	var after int64
	for {
		batch, err := db.Events(ctx, "", after, allEventsBatch)
		if err != nil {
			return fail("sqlstore.AllEvents", "read events", err, nil)
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < allEventsBatch {
			return nil
		}
		after = batch[len(batch)-1].Seq
	}
}

// validData returns data with invalid UTF-8 in its keys and values replaced
// by U+FFFD, or data itself when it has none. encoding/json writes an
// invalid byte as the escape \ufffd but reads it back as the character
// U+FFFD, which it then writes raw: without this an event would hash one way
// when appended and another when read back. (Two keys that differ only in
// their invalid bytes collapse into one.)
func validData(data map[string]string) map[string]string {
	clean := true
	for k, v := range data {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			clean = false
			break
		}
	}
	if clean {
		return data
	}
	out := make(map[string]string, len(data))
	for k, v := range data {
		out[strings.ToValidUTF8(k, "\uFFFD")] = strings.ToValidUTF8(v, "\uFFFD")
	}
	return out
}

// nullString encodes a string where "" means none as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// LatestEvents returns a document's newest limit events, oldest first.
// Errors: invalid (limit below 1), unavailable, internal.
func (db *DB) LatestEvents(ctx context.Context, documentID string, limit int) ([]drafting.Event, error) {
	const (
		op = "sqlstore.LatestEvents"
		q  = `SELECT ` + eventColumns + ` WHERE e.document_id = ? ORDER BY e.seq DESC LIMIT ?`
	)
	if limit < 1 {
		return nil, drafting.E(drafting.KindInvalid, op, "limit must be at least 1")
	}
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID, limit)
	if err != nil {
		return nil, fail(op, "select events", err, nil)
	}
	events, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fail(op, "read events", err, nil)
	}
	slices.Reverse(events)
	return events, nil
}
