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
	if err := requireTime(op, "created_at", t.CreatedAt); err != nil {
		return drafting.Token{}, err
	}
	release, err := db.takeWriteTurn(ctx)
	if err != nil {
		return drafting.Token{}, fail(op, "insert token", err, nil)
	}
	err = db.db.QueryRowContext(ctx, db.rebind(q), t.UserID, t.Label, t.Hash, db.timeArg(t.CreatedAt)).Scan(&t.ID)
	release()
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

// ListTokens returns the user's tokens, newest first, without their hashes:
// a listing is for showing and revoking, never for matching a secret. An
// unknown user has none.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]drafting.Token, error) {
	const (
		op = "sqlstore.ListTokens"
		q  = `SELECT id, user_id, label, created_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), userID)
	if err != nil {
		return nil, fail(op, "select tokens", err, nil)
	}
	tokens, err := collect(rows, func(row interface{ Scan(...any) error }) (drafting.Token, error) {
		var t drafting.Token
		err := row.Scan(&t.ID, &t.UserID, &t.Label, timeCol{&t.CreatedAt})
		return t, err
	})
	if err != nil {
		return nil, fail(op, "read tokens", err, nil)
	}
	return tokens, nil
}

// DeleteToken revokes the user's token tokenID. A token of another user is
// left alone and reported as not found, as a missing one is. Errors:
// not_found.
func (db *DB) DeleteToken(ctx context.Context, userID, tokenID int64) error {
	const q = `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`
	return db.execOne(ctx, db.autocommit(), "sqlstore.DeleteToken", "delete token",
		messages{drafting.KindNotFound: "token not found"}, q, tokenID, userID)
}
