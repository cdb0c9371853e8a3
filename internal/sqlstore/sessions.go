package sqlstore

import (
	"context"
	"fmt"
	"time"

	"redline/internal/drafting"
)

var sessionNotFound = messages{drafting.KindNotFound: "session not found"}

// CreateSession stores a new session. A zero LastSeenAt is CreatedAt;
// times are kept to the microsecond. Errors: conflict (hash exists),
// not_found (no such user), invalid (no time, an empty hash).
func (db *DB) CreateSession(ctx context.Context, s drafting.Session) error {
	const (
		op = "sqlstore.CreateSession"
		q  = `INSERT INTO sessions (hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`
	)
	if err := requireTime(op, "created_at", s.CreatedAt); err != nil {
		return err
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	_, err := db.autocommit().ExecContext(ctx, db.rebind(q), s.Hash, s.UserID, db.timeArg(s.CreatedAt), db.timeArg(s.LastSeenAt))
	if err != nil {
		return fail(op, "insert session", err, messages{
			drafting.KindConflict: "session already exists",
			drafting.KindNotFound: "user not found",
			drafting.KindInvalid:  "session hash must not be empty",
		})
	}
	return nil
}

// SessionByHash returns the session with that hash and its user, disabled
// or not: the caller decides what a disabled account may do, and whether
// the session has expired. Errors: not_found.
func (db *DB) SessionByHash(ctx context.Context, hash string) (drafting.Session, drafting.User, error) {
	const q = `SELECT s.hash, s.user_id, s.created_at, s.last_seen_at, ` + userColumns + `
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`
	var (
		s drafting.Session
		u drafting.User
	)
	err := db.db.QueryRowContext(ctx, db.rebind(q), hash).Scan(
		&s.Hash, &s.UserID, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt},
		&u.ID, &u.Login, &u.DisplayName, &u.PasswordHash, &u.Admin, &u.Disabled, timeCol{&u.CreatedAt})
	if err != nil {
		return drafting.Session{}, drafting.User{}, fail("sqlstore.SessionByHash", "select session", err, sessionNotFound)
	}
	return s, u, nil
}

// TouchSession sets the session's last-seen time. Errors: not_found.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	const (
		op = "sqlstore.TouchSession"
		q  = `UPDATE sessions SET last_seen_at = ? WHERE hash = ?`
	)
	return db.execOne(ctx, db.autocommit(), op, "update session", sessionNotFound, q, db.timeArg(at), hash)
}

// DeleteSession removes a session; a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	const q = `DELETE FROM sessions WHERE hash = ?`
	if _, err := db.autocommit().ExecContext(ctx, db.rebind(q), hash); err != nil {
		return fail("sqlstore.DeleteSession", "delete session", err, nil)
	}
	return nil
}

// DeleteUserSessions removes every session of the user; a user without any
// is not an error.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	const q = `DELETE FROM sessions WHERE user_id = ?`
	if _, err := db.autocommit().ExecContext(ctx, db.rebind(q), userID); err != nil {
		return fail("sqlstore.DeleteUserSessions", "delete sessions of user", err, nil)
	}
	return nil
}

// execOne runs a statement that must change exactly one row; none is
// not_found with msgs' message.
func (db *DB) execOne(ctx context.Context, on querier, op, doing string, msgs messages, q string, args ...any) error {
	res, err := on.ExecContext(ctx, db.rebind(q), args...)
	if err != nil {
		return fail(op, doing, err, msgs)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail(op, doing, err, msgs)
	}
	if n == 0 {
		return drafting.Wrap(drafting.KindNotFound, op, msgs[drafting.KindNotFound], fmt.Errorf("%s: no such row", doing))
	}
	return nil
}
