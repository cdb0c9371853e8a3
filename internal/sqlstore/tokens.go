package sqlstore

import (
	"context"

	"redline/internal/drafting"
)

// CreateToken inserts t, setting its ID and CreatedAt. Errors: conflict
// (hash exists), not_found (no such user), invalid (empty hash).
func (db *DB) CreateToken(ctx context.Context, t drafting.Token) (drafting.Token, error) {
	const (
		op = "sqlstore.CreateToken"
		q  = `INSERT INTO api_tokens (user_id, label, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`
	)
	t.CreatedAt = now()
	err := db.db.QueryRowContext(ctx, db.rebind(q), t.UserID, t.Label, t.Hash, db.timeArg(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return drafting.Token{}, fail(op, "insert token", err, messages{
			drafting.KindConflict: "token already exists",
			drafting.KindNotFound: "user not found",
			drafting.KindInvalid:  "token hash must not be empty",
		})
	}
	return t, nil
}

// UserByTokenHash returns the owner of the token with that hash, disabled or
// not: the caller decides what a disabled account may do. Errors: not_found.
func (db *DB) UserByTokenHash(ctx context.Context, hash string) (drafting.User, error) {
	const q = `SELECT ` + userColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`
	u, err := scanUser(db.db.QueryRowContext(ctx, db.rebind(q), hash))
	if err != nil {
		return drafting.User{}, fail("sqlstore.UserByTokenHash", "select user by token", err,
			messages{drafting.KindNotFound: "token not found"})
	}
	return u, nil
}
