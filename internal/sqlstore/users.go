package sqlstore

import (
	"context"
	"database/sql"

	"redline/internal/drafting"
)

// userColumns is the select list scanUser reads, for a users table aliased u.
const userColumns = `u.id, u.login, u.display_name, u.password_hash, u.admin, u.disabled, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (drafting.User, error) {
	var u drafting.User
	err := row.Scan(&u.ID, &u.Login, &u.DisplayName, &u.PasswordHash, &u.Admin, &u.Disabled, timeCol{&u.CreatedAt})
	return u, err
}

// CreateUser inserts u, setting its ID, and appends ev, in one
// transaction. Errors: conflict (login taken), invalid (no time, an empty
// login).
func (db *DB) CreateUser(ctx context.Context, u drafting.User, ev drafting.Event) (drafting.User, error) {
	const (
		op = "sqlstore.CreateUser"
		q  = `INSERT INTO users (login, display_name, password_hash, admin, disabled, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	)
	if err := requireTime(op, "created_at", u.CreatedAt); err != nil {
		return drafting.User{}, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.rebind(q),
			u.Login, u.DisplayName, u.PasswordHash, u.Admin, u.Disabled, db.timeArg(u.CreatedAt)).Scan(&u.ID)
		if err != nil {
			return fail(op, "insert user", err, messages{
				drafting.KindConflict: "login already taken",
				drafting.KindInvalid:  "login must not be empty",
			})
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return drafting.User{}, fail(op, "create user", err, nil)
	}
	return u, nil
}

// UserByLogin returns the user. Errors: not_found.
func (db *DB) UserByLogin(ctx context.Context, login string) (drafting.User, error) {
	const q = `SELECT ` + userColumns + ` FROM users u WHERE u.login = ?`
	u, err := scanUser(db.db.QueryRowContext(ctx, db.rebind(q), login))
	if err != nil {
		return drafting.User{}, fail("sqlstore.UserByLogin", "select user by login", err, userNotFound)
	}
	return u, nil
}

// UserByID returns the user. Errors: not_found.
func (db *DB) UserByID(ctx context.Context, id int64) (drafting.User, error) {
	const q = `SELECT ` + userColumns + ` FROM users u WHERE u.id = ?`
	u, err := scanUser(db.db.QueryRowContext(ctx, db.rebind(q), id))
	if err != nil {
		return drafting.User{}, fail("sqlstore.UserByID", "select user by id", err, userNotFound)
	}
	return u, nil
}

var userNotFound = messages{drafting.KindNotFound: "user not found"}

// ListUsers returns every user ordered by login.
func (db *DB) ListUsers(ctx context.Context) ([]drafting.User, error) {
	const (
		op = "sqlstore.ListUsers"
		q  = `SELECT ` + userColumns + ` FROM users u ORDER BY u.login`
	)
	rows, err := db.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fail(op, "select users", err, nil)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, fail(op, "read users", err, nil)
	}
	return users, nil
}

// collect scans every row with scan and closes rows. The result is never nil,
// so an empty list encodes as [] rather than null.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) (list []T, err error) {
	defer func() {
		if cerr := rows.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	list = []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, nil
}

// SetUserDisabled disables or enables the account and appends ev, in one
// transaction. It ends none of the user's sessions nor tokens: lookups keep
// returning the user, marked Disabled, and the service refuses them.
// Errors: not_found.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool, ev drafting.Event) error {
	const (
		op = "sqlstore.SetUserDisabled"
		q  = `UPDATE users SET disabled = ? WHERE id = ?`
		// A disabled account's credentials go with it: enabling it again
		// must not revive tokens or sessions its owner may have lost.
		qTokens   = `DELETE FROM api_tokens WHERE user_id = ?`
		qSessions = `DELETE FROM sessions WHERE user_id = ?`
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.execOne(ctx, tx, op, "update user", userNotFound, q, disabled, userID); err != nil {
			return err
		}
		if disabled {
			for _, q := range []string{qTokens, qSessions} {
				if _, err := tx.ExecContext(ctx, db.rebind(q), userID); err != nil {
					return fail(op, "revoke credentials", err, nil)
				}
			}
		}
		_, err := db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return fail(op, "set user disabled", err, nil)
	}
	return nil
}
