package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"redline/internal/drafting"
)

// adoptionColumns is the select list scanAdoption reads. archived_at is
// NULL until the archive copy is made.
const adoptionColumns = `a.id, a.document_id, a.revision, a.sha256, a.size, a.stage, a.note, a.override_reason,
a.chair_id, u.login, a.created_at, a.archived_at
FROM adoptions a JOIN users u ON u.id = a.chair_id`

func scanAdoption(row interface{ Scan(...any) error }) (drafting.Adoption, error) {
	var a drafting.Adoption
	err := row.Scan(&a.ID, &a.DocumentID, &a.Revision, &a.SHA256, &a.Size, &a.Stage, &a.Note, &a.OverrideReason,
		&a.ChairID, &a.ChairLogin, timeCol{&a.CreatedAt}, nullTimeCol{&a.ArchivedAt})
	return a, err
}

// CreateAdoption records an adoption of revision a.Revision and appends ev,
// in one transaction that holds the document's row lock and counts the
// revision's approvals: fewer than required is a conflict with
// Details["approvals"] and Details["required"] (both int). The row goes in
// with archived_at NULL, which queues its archive copy (PendingArchives).
// An empty a.SHA256 or zero a.Size is taken from the revision; a given one
// that differs is a conflict with Details["sha256"]. ID, CreatedAt and
// ChairLogin are set by the store; ev.Data (a copy) gets "adoption", the
// ID. Errors: not_found (no such document, revision or chair); invalid
// (stage neither basis nor final, required < 1).
func (db *DB) CreateAdoption(ctx context.Context, a drafting.Adoption, required int, ev drafting.Event) (drafting.Adoption, error) {
	const (
		op      = "sqlstore.CreateAdoption"
		qCount  = `SELECT COUNT(*) FROM approvals WHERE document_id = ? AND revision = ?`
		qInsert = `INSERT INTO adoptions (document_id, revision, sha256, size, stage, note, override_reason, chair_id,
created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	)
	if a.Stage != drafting.StageBasis && a.Stage != drafting.StageFinal {
		return drafting.Adoption{}, drafting.E(drafting.KindInvalid, op, "stage must be basis or final")
	}
	if required < 1 {
		return drafting.Adoption{}, drafting.E(drafting.KindInvalid, op, "at least one approval is required")
	}
	a.CreatedAt, a.ArchivedAt = now(), time.Time{}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockDocument(ctx, tx, a.DocumentID); err != nil {
			return fail(op, "lock document", err, documentNotFound)
		}
		sha, size, err := db.revisionHash(ctx, tx, a.DocumentID, a.Revision)
		if err != nil {
			return fail(op, fmt.Sprintf("select revision %d", a.Revision), err, revisionNotFound)
		}
		if a.SHA256 == "" {
			a.SHA256 = sha
		}
		if a.Size == 0 {
			a.Size = size
		}
		if a.SHA256 != sha || a.Size != size {
			e := drafting.E(drafting.KindConflict, op,
				fmt.Sprintf("the text adopted is not the text of revision %d", a.Revision))
			e.Details = map[string]any{"sha256": sha}
			return e
		}
		var approvals int
		if err := tx.QueryRowContext(ctx, db.rebind(qCount), a.DocumentID, a.Revision).Scan(&approvals); err != nil {
			return fail(op, "count approvals", err, nil)
		}
		if approvals < required {
			e := drafting.E(drafting.KindConflict, op,
				fmt.Sprintf("revision %d has %d of the %d approvals it needs", a.Revision, approvals, required))
			e.Details = map[string]any{"approvals": approvals, "required": required}
			return e
		}
		if a.ChairLogin, err = db.userLogin(ctx, tx, a.ChairID); err != nil {
			return fail(op, "select chair", err, userNotFound)
		}
		err = tx.QueryRowContext(ctx, db.rebind(qInsert), a.DocumentID, a.Revision, a.SHA256, a.Size, a.Stage,
			a.Note, a.OverrideReason, a.ChairID, db.timeArg(a.CreatedAt)).Scan(&a.ID)
		if err != nil {
			return fail(op, "insert adoption", err, nil)
		}
		_, err = db.appendEvent(ctx, tx, withData(ev, map[string]string{"adoption": strconv.FormatInt(a.ID, 10)}))
		return err
	})
	if err != nil {
		return drafting.Adoption{}, fail(op, "create adoption", err, nil)
	}
	return a, nil
}

// Adoptions returns the document's adoptions, oldest first; an unknown
// document has none.
func (db *DB) Adoptions(ctx context.Context, documentID string) ([]drafting.Adoption, error) {
	const q = `SELECT ` + adoptionColumns + ` WHERE a.document_id = ? ORDER BY a.id`
	return db.listAdoptions(ctx, "sqlstore.Adoptions", q, documentID)
}

// PendingArchives returns the adoptions of every document whose archive
// copy is not made yet, oldest first.
func (db *DB) PendingArchives(ctx context.Context) ([]drafting.Adoption, error) {
	const q = `SELECT ` + adoptionColumns + ` WHERE a.archived_at IS NULL ORDER BY a.id`
	return db.listAdoptions(ctx, "sqlstore.PendingArchives", q)
}

func (db *DB) listAdoptions(ctx context.Context, op, q string, args ...any) ([]drafting.Adoption, error) {
	rows, err := db.db.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fail(op, "select adoptions", err, nil)
	}
	list, err := collect(rows, scanAdoption)
	if err != nil {
		return nil, fail(op, "read adoptions", err, nil)
	}
	return list, nil
}

// MarkArchived records that an adoption's archive copy exists, at at (the
// current time when zero). Marking one already marked is not an error and
// keeps the first time. Errors: not_found.
func (db *DB) MarkArchived(ctx context.Context, adoptionID int64, at time.Time) error {
	const (
		op      = "sqlstore.MarkArchived"
		qMark   = `UPDATE adoptions SET archived_at = ? WHERE id = ? AND archived_at IS NULL`
		qExists = `SELECT COUNT(*) FROM adoptions WHERE id = ?`
	)
	if at.IsZero() {
		at = now()
	}
	res, err := db.db.ExecContext(ctx, db.rebind(qMark), db.timeArg(at), adoptionID)
	if err != nil {
		return fail(op, "mark adoption archived", err, nil)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return fail(op, "mark adoption archived", err, nil)
	}
	if rows > 0 {
		return nil
	}
	var n int
	if err := db.db.QueryRowContext(ctx, db.rebind(qExists), adoptionID).Scan(&n); err != nil {
		return fail(op, "look up adoption", err, nil)
	}
	if n == 0 {
		return drafting.E(drafting.KindNotFound, op, "adoption not found")
	}
	return nil
}
