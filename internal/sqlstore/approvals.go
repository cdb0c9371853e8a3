package sqlstore

import (
	"context"
	"database/sql"
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

// revisionHash returns the SHA-256 of revision n; sql.ErrNoRows when there
// is no such revision.
func (db *DB) revisionHash(ctx context.Context, q querier, documentID string, n int64) (sha string, size int64, err error) {
	const qHash = `SELECT sha256, size FROM revisions WHERE document_id = ? AND number = ?`
	err = q.QueryRowContext(ctx, db.rebind(qHash), documentID, n).Scan(&sha, &size)
	return sha, size, err
}

// CreateApproval records a chair's approval of revision a.Revision and
// appends ev, in one transaction that holds the document's row lock, so no
// commit can move the head between the checks and the insert. It checks, in
// order, that the revision exists (else not_found), that it is the head
// (else conflict with Details["head"], int64), that its hash is a.SHA256
// (else conflict with Details["sha256"], the revision's hash) and that this
// chair has not approved it yet (else conflict). CreatedAt and ChairLogin
// are set by the store. Errors: also not_found (no such document or chair).
func (db *DB) CreateApproval(ctx context.Context, a drafting.Approval, ev drafting.Event) (drafting.Approval, error) {
	const (
		op      = "sqlstore.CreateApproval"
		qInsert = `INSERT INTO approvals (document_id, revision, chair_id, sha256, note, created_at)
VALUES (?, ?, ?, ?, ?, ?)`
	)
	a.CreatedAt = now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockDocument(ctx, tx, a.DocumentID); err != nil {
			return fail(op, "lock document", err, documentNotFound)
		}
		sha, _, err := db.revisionHash(ctx, tx, a.DocumentID, a.Revision)
		if err != nil {
			return fail(op, fmt.Sprintf("select revision %d", a.Revision), err, revisionNotFound)
		}
		head, err := db.headNumber(ctx, tx, a.DocumentID)
		if err != nil {
			return fail(op, "read head", err, nil)
		}
		if head != a.Revision {
			e := drafting.E(drafting.KindConflict, op,
				fmt.Sprintf("revision %d is not the head; the head is revision %d", a.Revision, head))
			e.Details = map[string]any{"head": head}
			return e
		}
		if sha != a.SHA256 {
			e := drafting.E(drafting.KindConflict, op,
				fmt.Sprintf("the hash approved is not the hash of revision %d", a.Revision))
			e.Details = map[string]any{"sha256": sha}
			return e
		}
		if a.ChairLogin, err = db.userLogin(ctx, tx, a.ChairID); err != nil {
			return fail(op, "select chair", err, userNotFound)
		}
		_, err = tx.ExecContext(ctx, db.rebind(qInsert), a.DocumentID, a.Revision, a.ChairID, a.SHA256, a.Note,
			db.timeArg(a.CreatedAt))
		if err != nil {
			return fail(op, "insert approval", err, messages{
				drafting.KindConflict: fmt.Sprintf("you have already approved revision %d", a.Revision),
			})
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return drafting.Approval{}, fail(op, "create approval", err, nil)
	}
	return a, nil
}

// Approvals returns the approvals of a revision, oldest first; a missing
// revision has none.
func (db *DB) Approvals(ctx context.Context, documentID string, revision int64) ([]drafting.Approval, error) {
	const (
		op = "sqlstore.Approvals"
		q  = `SELECT ` + approvalColumns + ` WHERE a.document_id = ? AND a.revision = ? ORDER BY a.created_at, a.chair_id`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID, revision)
	if err != nil {
		return nil, fail(op, "select approvals", err, nil)
	}
	list, err := collect(rows, scanApproval)
	if err != nil {
		return nil, fail(op, "read approvals", err, nil)
	}
	return list, nil
}
