package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"redline/internal/auth"
)

var _ auth.ThrottleStore = (*DB)(nil)

// UpdateCounters locks the throttle counters of keys (zero counters for new
// keys), passes them to fn in the order of keys and stores what it returns,
// in one transaction: on PostgreSQL the rows are locked in key order (by
// the upsert), so concurrent updates take turns without deadlocks; on
// SQLite BEGIN IMMEDIATE serialises them. A counter returned with no failures and no
// block is deleted. Errors: unavailable, internal.
func (db *DB) UpdateCounters(ctx context.Context, keys []string, fn func([]auth.Counter) []auth.Counter) error {
	const (
		op = "sqlstore.UpdateCounters"
		// DO UPDATE, not DO NOTHING: it locks and returns the row in one
		// statement, also when a concurrent transaction deleted the row the
		// insert first collided with (a separate SELECT would find none).
		qUpsert = `INSERT INTO throttle_counters (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET key = excluded.key
RETURNING failures, first_at, last_at, blocked_until`
		qUpdate = `UPDATE throttle_counters SET failures = ?, first_at = ?, last_at = ?, blocked_until = ? WHERE key = ?`
		qDelete = `DELETE FROM throttle_counters WHERE key = ?`
	)
	order := slices.Clone(keys)
	slices.Sort(order)
	order = slices.Compact(order)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		got := make(map[string]auth.Counter, len(order))
		for _, k := range order {
			c := auth.Counter{Key: k}
			if err := tx.QueryRowContext(ctx, db.rebind(qUpsert), k).Scan(&c.Failures,
				nullTimeCol{&c.First}, nullTimeCol{&c.Last}, nullTimeCol{&c.BlockedUntil}); err != nil {
				return fail(op, "lock throttle counter", err, nil)
			}
			got[k] = c
		}
		in := make([]auth.Counter, len(keys))
		for i, k := range keys {
			in[i] = got[k]
		}
		for _, c := range fn(in) {
			var err error
			if c.Failures == 0 && c.BlockedUntil.IsZero() {
				_, err = tx.ExecContext(ctx, db.rebind(qDelete), c.Key)
			} else {
				_, err = tx.ExecContext(ctx, db.rebind(qUpdate), c.Failures, db.nullTimeArg(c.First),
					db.nullTimeArg(c.Last), db.nullTimeArg(c.BlockedUntil), c.Key)
			}
			if err != nil {
				return fail(op, "store throttle counter", err, nil)
			}
		}
		return nil
	})
	if err != nil {
		return fail(op, "update throttle counters", err, nil)
	}
	return nil
}

// PurgeCounters deletes the throttle counters whose last failure is before
// cutoff (and those that never failed). Errors: unavailable, internal.
func (db *DB) PurgeCounters(ctx context.Context, cutoff time.Time) error {
	const q = `DELETE FROM throttle_counters WHERE last_at IS NULL OR last_at < ?`
	if _, err := db.autocommit().ExecContext(ctx, db.rebind(q), db.timeArg(cutoff)); err != nil {
		return fail("sqlstore.PurgeCounters", "purge throttle counters", err, nil)
	}
	return nil
}

// nullTimeArg is timeArg with the zero time as NULL.
func (db *DB) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.timeArg(t)
}
