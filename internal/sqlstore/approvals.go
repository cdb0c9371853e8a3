package sqlstore

import (
	"context"
	"fmt"

	"redline/internal/drafting"
)

// approvalColumns is the select list scanApproval reads.
const approvalColumns = `a.document_id, a.revision, a.sha256, a.chair_id, u.login, a.note, a.created_at
FROM approvals a JOIN users u ON u.id = a.chair_id`

func scanApproval(row interface{ Scan(...any) error }) (drafting.Approval, error) {
	var a drafting.Approval
	err := row.Scan(&a.DocumentID, &a.Revision, &a.SHA256, &a.ChairID, &a.ChairLogin, &a.Note, timeCol{&a.CreatedAt})
	return a, err
}

// insertApproval inserts a as it is and returns it with ChairLogin. Errors:
// conflict (this chair's approval of the revision exists), not_found (no
// such revision or chair), invalid (no time, a malformed hash).
func (db *DB) insertApproval(ctx context.Context, q querier, a drafting.Approval) (drafting.Approval, error) {
	const (
		op      = "sqlstore.insertApproval"
		qInsert = `INSERT INTO approvals (document_id, revision, chair_id, sha256, note, created_at)
VALUES (?, ?, ?, ?, ?, ?)`
	)
	if err := requireTime(op, "created_at", a.CreatedAt); err != nil {
		return drafting.Approval{}, err
	}
	login, err := db.userLogin(ctx, q, a.ChairID)
	if err != nil {
		return drafting.Approval{}, fail(op, "select chair", err, userNotFound)
	}
	a.ChairLogin = login
	_, err = q.ExecContext(ctx, db.rebind(qInsert), a.DocumentID, a.Revision, a.ChairID, a.SHA256, a.Note,
		db.timeArg(a.CreatedAt))
	if err != nil {
		return drafting.Approval{}, fail(op, fmt.Sprintf("insert approval of revision %d", a.Revision), err, messages{
			drafting.KindNotFound: "revision not found",
			drafting.KindInvalid:  "sha256 must be 64 lowercase hex digits",
		})
	}
	return a, nil
}

// Approvals returns the approvals of a revision, oldest first; a missing
// revision has none.
func (db *DB) Approvals(ctx context.Context, documentID string, revision int64) ([]drafting.Approval, error) {
	return db.approvals(ctx, db.db, documentID, revision)
}

func (db *DB) approvals(ctx context.Context, q querier, documentID string, revision int64) ([]drafting.Approval, error) {
	const (
		op   = "sqlstore.Approvals"
		qAll = `SELECT ` + approvalColumns + ` WHERE a.document_id = ? AND a.revision = ? ORDER BY a.created_at, a.chair_id`
	)
	rows, err := q.QueryContext(ctx, db.rebind(qAll), documentID, revision)
	if err != nil {
		return nil, fail(op, "select approvals", err, nil)
	}
	list, err := collect(rows, scanApproval)
	if err != nil {
		return nil, fail(op, "read approvals", err, nil)
	}
	return list, nil
}
