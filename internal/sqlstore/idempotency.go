package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"redline/internal/drafting"
)

// idempotencyColumns is the select list scanIdempotent reads.
const idempotencyColumns = `user_id, key, fingerprint, done, status, content_type, body, created_at FROM idempotency_keys`

func scanIdempotent(row interface{ Scan(...any) error }) (drafting.IdempotentResult, error) {
	var r drafting.IdempotentResult
	err := row.Scan(&r.UserID, &r.Key, &r.Fingerprint, &r.Done, &r.Status, &r.ContentType, &r.Body,
		timeCol{&r.CreatedAt})
	if len(r.Body) == 0 {
		r.Body = nil
	}
	return r, err
}

var idempotencyNotFound = messages{drafting.KindNotFound: "idempotency key not found"}

// reserveAttempts bounds how often ReserveIdempotencyKey retries when the
// row it collided with was released before it could read it.
const reserveAttempts = 5

// ReserveIdempotencyKey records r, not done, with CreatedAt set by the
// store, when (r.UserID, r.Key) is new, and returns it with found=false;
// otherwise it returns the record already there, done or still running,
// with found=true, and the caller compares fingerprints. Of concurrent
// reservations of one key exactly one gets found=false. Errors: not_found
// (no such user), invalid (empty key), unavailable, internal.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, r drafting.IdempotentResult) (drafting.IdempotentResult, bool, error) {
	const (
		op = "sqlstore.ReserveIdempotencyKey"
		// ON CONFLICT DO NOTHING waits, on PostgreSQL, for a concurrent
		// inserter of the same key to finish, and then inserts nothing.
		qInsert = `INSERT INTO idempotency_keys (user_id, key, fingerprint, done, status, content_type, created_at)
VALUES (?, ?, ?, ?, 0, '', ?) ON CONFLICT (user_id, key) DO NOTHING`
		qSelect = `SELECT ` + idempotencyColumns + ` WHERE user_id = ? AND key = ?`
		// An expired key is as good as new: its old answer is forgotten.
		qExpire = `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at < ?`
	)
	if err := requireTime(op, "created_at", r.CreatedAt); err != nil {
		return drafting.IdempotentResult{}, false, err
	}
	r.Done, r.Status, r.ContentType, r.Body = false, 0, "", nil
	for range reserveAttempts {
		var (
			existing drafting.IdempotentResult
			found    bool
		)
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, db.rebind(qExpire), r.UserID, r.Key, db.timeArg(r.CreatedAt.Add(-db.idempotencyTTL()))); err != nil {
				return fail(op, "expire idempotency key", err, nil)
			}
			res, err := tx.ExecContext(ctx, db.rebind(qInsert), r.UserID, r.Key, r.Fingerprint, false, db.timeArg(r.CreatedAt))
			if err != nil {
				return fail(op, "insert idempotency key", err, messages{
					drafting.KindNotFound: "user not found",
					drafting.KindInvalid:  "idempotency key must not be empty",
				})
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fail(op, "insert idempotency key", err, nil)
			}
			if n == 1 {
				return nil
			}
			// Read committed: this statement sees the row the insert
			// collided with, unless it was released in between.
			existing, err = scanIdempotent(tx.QueryRowContext(ctx, db.rebind(qSelect), r.UserID, r.Key))
			if err != nil {
				return fail(op, "select idempotency key", err, nil)
			}
			found = true
			return nil
		})
		switch {
		case err == nil && found:
			return existing, true, nil
		case err == nil:
			return r, false, nil
		case drafting.ErrorKind(err) == drafting.KindNotFound && errors.Is(err, sql.ErrNoRows):
			continue // released between the insert and the select: try again
		default:
			return drafting.IdempotentResult{}, false, fail(op, "reserve idempotency key", err, nil)
		}
	}
	return drafting.IdempotentResult{}, false, drafting.E(drafting.KindUnavailable, op,
		"the idempotency key keeps changing; try again")
}

// CompleteIdempotencyKey stores the answer of a reserved key and marks it
// done. Errors: not_found (no such reservation), conflict (already done:
// the first answer stays).
func (db *DB) CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, contentType string, body []byte) error {
	const (
		op = "sqlstore.CompleteIdempotencyKey"
		q  = `UPDATE idempotency_keys SET done = ?, status = ?, content_type = ?, body = ?
WHERE user_id = ? AND key = ? AND NOT done`
	)
	if body == nil {
		body = []byte{}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(q), true, status, contentType, body, userID, key)
		if err != nil {
			return fail(op, "complete idempotency key", err, nil)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fail(op, "complete idempotency key", err, nil)
		} else if n == 0 {
			return db.doneOrMissing(ctx, tx, op, userID, key, "the request with this idempotency key has already completed")
		}
		return nil
	})
	if err != nil {
		return fail(op, "complete idempotency key", err, nil)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a reserved key whose request failed in a
// way worth retrying, so a retry runs afresh. A key not reserved is not an
// error. Errors: conflict (the key is done: its answer stays).
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	const (
		op = "sqlstore.ReleaseIdempotencyKey"
		q  = `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND NOT done`
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(q), userID, key)
		if err != nil {
			return fail(op, "delete idempotency key", err, nil)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fail(op, "delete idempotency key", err, nil)
		} else if n == 0 {
			err := db.doneOrMissing(ctx, tx, op, userID, key, "the request with this idempotency key has completed")
			if drafting.ErrorKind(err) == drafting.KindNotFound {
				return nil
			}
			return err
		}
		return nil
	})
	if err != nil {
		return fail(op, "release idempotency key", err, nil)
	}
	return nil
}

// doneOrMissing explains why a statement on a not-done key matched no row:
// not_found when there is none, else a conflict with message done.
func (db *DB) doneOrMissing(ctx context.Context, tx *sql.Tx, op string, userID int64, key, done string) error {
	const q = `SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ? AND key = ?`
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(q), userID, key).Scan(&n); err != nil {
		return fail(op, "look up idempotency key", err, nil)
	}
	if n == 0 {
		return drafting.E(drafting.KindNotFound, op, idempotencyNotFound[drafting.KindNotFound])
	}
	return drafting.E(drafting.KindConflict, op, done)
}

// --- issue 13: keys expire ---

// SetIdempotencyTTL sets how long an Idempotency-Key's answer is kept (24
// hours by default): an older key is reserved afresh, and
// PurgeIdempotencyKeys deletes it.
func (db *DB) SetIdempotencyTTL(d time.Duration) {
	if d > 0 {
		db.idemTTL.Store(int64(d))
	}
}

func (db *DB) idempotencyTTL() time.Duration {
	if d := db.idemTTL.Load(); d > 0 {
		return time.Duration(d)
	}
	return 24 * time.Hour
}

// PurgeIdempotencyKeys deletes the keys created before cutoff and reports
// how many went. Errors: unavailable, internal.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	const q = `DELETE FROM idempotency_keys WHERE created_at < ?`
	res, err := db.autocommit().ExecContext(ctx, db.rebind(q), db.timeArg(cutoff))
	if err != nil {
		return 0, fail("sqlstore.PurgeIdempotencyKeys", "purge idempotency keys", err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fail("sqlstore.PurgeIdempotencyKeys", "purge idempotency keys", err, nil)
	}
	return n, nil
}
