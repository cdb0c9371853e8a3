package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"time"

	"redline/internal/drafting"
)

// policyChannel is the PostgreSQL notification channel a role change is
// announced on, with the new policy version as its payload.
const policyChannel = "redline_policy"

// The actions a role change records.
const (
	actionGrant  = "grant"
	actionRevoke = "revoke"
)

// roleColumns is the select list scanRole reads.
const roleColumns = `r.document_id, d.slug, r.user_id, u.login, r.role, COALESCE(r.granted_by, 0), r.granted_at,
u.disabled
FROM document_roles r JOIN documents d ON d.id = r.document_id JOIN users u ON u.id = r.user_id`

func scanRole(row interface{ Scan(...any) error }) (drafting.RoleAssignment, error) {
	var a drafting.RoleAssignment
	err := row.Scan(&a.DocumentID, &a.DocumentSlug, &a.UserID, &a.Login, &a.Role, &a.GrantedBy, timeCol{&a.GrantedAt},
		&a.Disabled)
	return a, err
}

// roleChangeColumns is the select list scanRoleChange reads. The actor is
// joined loosely: NULL, the command line, has no login.
const roleChangeColumns = `c.id, c.document_id, c.user_id, u.login, c.role, c.action,
COALESCE(c.actor_id, 0), COALESCE(a.login, ''), c.at
FROM role_changes c JOIN users u ON u.id = c.user_id LEFT JOIN users a ON a.id = c.actor_id`

func scanRoleChange(row interface{ Scan(...any) error }) (drafting.RoleChange, error) {
	var c drafting.RoleChange
	err := row.Scan(&c.ID, &c.DocumentID, &c.UserID, &c.Login, &c.Role, &c.Action,
		&c.ActorID, &c.ActorLogin, timeCol{&c.At})
	return c, err
}

// roleTargetNotFound is the message of a role change whose user, document or
// actor does not exist: a foreign key violation, which names none of them
// on SQLite.
var roleTargetNotFound = messages{drafting.KindNotFound: "user or document not found"}

// setRole gives a.UserID the role a.Role on a.DocumentID, replacing any role
// they held there, records the grant at a.GrantedAt with a.GrantedBy as its
// actor (0 for the command line, stored as NULL), and bumps the policy
// version; on PostgreSQL the transaction also notifies WatchPolicy
// listeners, which hear of it once it commits. A regrant of the role already
// held is recorded too. Errors: not_found (no such user, document or
// granting user), invalid (no time, not a per-document role).
func (db *DB) setRole(ctx context.Context, tx querier, a drafting.RoleAssignment) error {
	const (
		op      = "sqlstore.setRole"
		qUpsert = `INSERT INTO document_roles (document_id, user_id, role, granted_by, granted_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (document_id, user_id) DO UPDATE
SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at`
	)
	if !slices.Contains(drafting.DocumentRoles, a.Role) {
		return drafting.E(drafting.KindInvalid, op, "role must be chair, member or observer")
	}
	if err := requireTime(op, "granted_at", a.GrantedAt); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, db.rebind(qUpsert),
		a.DocumentID, a.UserID, a.Role, nullID(a.GrantedBy), db.timeArg(a.GrantedAt))
	if err != nil {
		return fail(op, "upsert role", err, roleTargetNotFound)
	}
	return db.recordRoleChange(ctx, tx, op, a.DocumentID, a.UserID, a.Role, actionGrant, a.GrantedBy, a.GrantedAt)
}

// removeRole takes away the user's role on the document, records the
// revocation at at with actorID as its actor (0 for the command line),
// bumps the policy version and, on PostgreSQL, notifies WatchPolicy
// listeners. Errors: not_found (the user held no role there, or no such
// actor), invalid (no time).
func (db *DB) removeRole(ctx context.Context, tx querier, documentID string, userID, actorID int64, at time.Time) error {
	const (
		op      = "sqlstore.removeRole"
		qDelete = `DELETE FROM document_roles WHERE document_id = ? AND user_id = ? RETURNING role`
	)
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	var role string
	err := tx.QueryRowContext(ctx, db.rebind(qDelete), documentID, userID).Scan(&role)
	if err != nil {
		return fail(op, "delete role", err,
			messages{drafting.KindNotFound: "the user holds no role on the document"})
	}
	return db.recordRoleChange(ctx, tx, op, documentID, userID, role, actionRevoke, actorID, at)
}

// recordRoleChange appends to the role history, bumps the policy version
// and, on PostgreSQL, queues the notification the commit delivers.
func (db *DB) recordRoleChange(ctx context.Context, tx querier, op, documentID string, userID int64,
	role, action string, actorID int64, at time.Time) error {
	const (
		qInsert = `INSERT INTO role_changes (document_id, user_id, role, action, actor_id, at) VALUES (?, ?, ?, ?, ?, ?)`
		// The row lock this takes on PostgreSQL queues concurrent role
		// changes, so versions grow in commit order.
		qBump   = `UPDATE policy_version SET version = version + 1 WHERE id = 1 RETURNING version`
		qNotify = `SELECT pg_notify(?, ?)`
	)
	_, err := tx.ExecContext(ctx, db.rebind(qInsert), documentID, userID, role, action, nullID(actorID), db.timeArg(at))
	if err != nil {
		return fail(op, "insert role change", err, roleTargetNotFound)
	}
	var version int64
	if err := tx.QueryRowContext(ctx, qBump).Scan(&version); err != nil {
		return fail(op, "bump policy version", err, nil)
	}
	if db.dialect != DialectPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, db.rebind(qNotify), policyChannel, strconv.FormatInt(version, 10)); err != nil {
		return fail(op, "notify policy change", err, nil)
	}
	return nil
}

// RoleAssignments returns every assignment, ordered by document slug and
// login, for loading the authorizer.
func (db *DB) RoleAssignments(ctx context.Context) ([]drafting.RoleAssignment, error) {
	const q = `SELECT ` + roleColumns + ` ORDER BY d.slug, u.login`
	return db.listRoles(ctx, "sqlstore.RoleAssignments", q)
}

// DocumentRoles returns a document's assignments ordered by login; an
// unknown document has none.
func (db *DB) DocumentRoles(ctx context.Context, documentID string) ([]drafting.RoleAssignment, error) {
	return db.documentRoles(ctx, db.db, documentID)
}

func (db *DB) documentRoles(ctx context.Context, on querier, documentID string) ([]drafting.RoleAssignment, error) {
	const q = `SELECT ` + roleColumns + ` WHERE r.document_id = ? ORDER BY u.login`
	return db.listRolesOn(ctx, on, "sqlstore.DocumentRoles", q, documentID)
}

// UserRoles returns a user's assignments ordered by document slug; an
// unknown user has none.
func (db *DB) UserRoles(ctx context.Context, userID int64) ([]drafting.RoleAssignment, error) {
	const q = `SELECT ` + roleColumns + ` WHERE r.user_id = ? ORDER BY d.slug`
	return db.listRoles(ctx, "sqlstore.UserRoles", q, userID)
}

func (db *DB) listRoles(ctx context.Context, op, q string, args ...any) ([]drafting.RoleAssignment, error) {
	return db.listRolesOn(ctx, db.db, op, q, args...)
}

func (db *DB) listRolesOn(ctx context.Context, on querier, op, q string, args ...any) ([]drafting.RoleAssignment, error) {
	rows, err := on.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fail(op, "select roles", err, nil)
	}
	roles, err := collect(rows, scanRole)
	if err != nil {
		return nil, fail(op, "read roles", err, nil)
	}
	return roles, nil
}

// RoleChanges returns a document's role history, oldest first; an unknown
// document has none.
func (db *DB) RoleChanges(ctx context.Context, documentID string) ([]drafting.RoleChange, error) {
	const (
		op = "sqlstore.RoleChanges"
		q  = `SELECT ` + roleChangeColumns + ` WHERE c.document_id = ? ORDER BY c.id`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID)
	if err != nil {
		return nil, fail(op, "select role changes", err, nil)
	}
	changes, err := collect(rows, scanRoleChange)
	if err != nil {
		return nil, fail(op, "read role changes", err, nil)
	}
	return changes, nil
}

// PolicyVersion returns a number that grows with every role change, for
// instances to notice a change whose notification they missed. Errors:
// unavailable, internal.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	const q = `SELECT version FROM policy_version WHERE id = 1`
	var v int64
	if err := db.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return 0, fail("sqlstore.PolicyVersion", "select policy version", err, nil)
	}
	return v, nil
}
