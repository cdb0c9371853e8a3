package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"redline/internal/drafting"
)

// --- issue 16: signed adoption statements ---

const statementColumns = `adoption_id, document_id, number, statement, signature, sha256, previous, key, signed_at,
signed_later, archived_at FROM adoption_statements`

func scanStatement(row interface{ Scan(...any) error }) (drafting.AdoptionStatement, error) {
	var (
		st    drafting.AdoptionStatement
		later any
	)
	err := row.Scan(&st.AdoptionID, &st.DocumentID, &st.Number, &st.Statement, &st.Signature, &st.SHA256, &st.Previous,
		&st.Key, timeCol{&st.SignedAt}, &later, nullTimeCol{&st.ArchivedAt})
	switch v := later.(type) {
	case bool:
		st.SignedLater = v
	case int64:
		st.SignedLater = v != 0
	}
	return st, err
}

// Statements returns the document's adoption statements by number; an
// unknown document has none.
func (db *DB) Statements(ctx context.Context, documentID string) ([]drafting.AdoptionStatement, error) {
	const (
		op = "sqlstore.Statements"
		q  = `SELECT ` + statementColumns + ` WHERE document_id = ? ORDER BY number`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID)
	if err != nil {
		return nil, fail(op, "select statements", err, nil)
	}
	list, err := collect(rows, scanStatement)
	if err != nil {
		return nil, fail(op, "read statements", err, nil)
	}
	return list, nil
}

// InsertStatement records an adoption's statement, not yet copied, and
// appends ev, in one transaction. Errors: conflict (the adoption or its
// number has one), not_found (no such adoption), invalid (a malformed hash,
// no time).
func (db *DB) InsertStatement(ctx context.Context, st drafting.AdoptionStatement, ev drafting.Event) error {
	const (
		op      = "sqlstore.InsertStatement"
		qInsert = `INSERT INTO adoption_statements (adoption_id, document_id, number, statement, signature, sha256, previous,
key, signed_at, signed_later) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if err := requireTime(op, "signed_at", st.SignedAt); err != nil {
		return err
	}
	var later any = st.SignedLater
	if db.dialect == DialectSQLite {
		later = 0
		if st.SignedLater {
			later = 1
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.rebind(qInsert), st.AdoptionID, st.DocumentID, st.Number, st.Statement,
			st.Signature, st.SHA256, st.Previous, st.Key, db.timeArg(st.SignedAt), later)
		if err != nil {
			return fail(op, fmt.Sprintf("insert statement %d of adoption %d", st.Number, st.AdoptionID), err, messages{
				drafting.KindConflict: "the adoption is signed already",
				drafting.KindNotFound: "adoption not found",
			})
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return fail(op, "record statement", err, nil)
	}
	return nil
}

// MarkStatementArchived records that a statement's copies exist; marking
// one already marked keeps the first time. Errors: not_found, invalid.
func (db *DB) MarkStatementArchived(ctx context.Context, adoptionID int64, at time.Time) error {
	const (
		op      = "sqlstore.MarkStatementArchived"
		qMark   = `UPDATE adoption_statements SET archived_at = ? WHERE adoption_id = ? AND archived_at IS NULL`
		qExists = `SELECT COUNT(*) FROM adoption_statements WHERE adoption_id = ?`
	)
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	res, err := db.autocommit().ExecContext(ctx, db.rebind(qMark), db.timeArg(at), adoptionID)
	if err != nil {
		return fail(op, "mark statement archived", err, nil)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return fail(op, "mark statement archived", err, nil)
	}
	if rows > 0 {
		return nil
	}
	var n int
	if err := db.db.QueryRowContext(ctx, db.rebind(qExists), adoptionID).Scan(&n); err != nil {
		return fail(op, "look up statement", err, nil)
	}
	if n == 0 {
		return drafting.E(drafting.KindNotFound, op, "statement not found")
	}
	return nil
}

// PendingStatements returns the adoptions whose text is copied but that
// have no statement, or whose statement is not copied, oldest first.
func (db *DB) PendingStatements(ctx context.Context) ([]drafting.Adoption, error) {
	const q = `SELECT ` + adoptionColumns + ` LEFT JOIN adoption_statements s ON s.adoption_id = a.id
WHERE a.archived_at IS NOT NULL AND (s.adoption_id IS NULL OR s.archived_at IS NULL) ORDER BY a.id`
	return db.listAdoptions(ctx, db.db, "sqlstore.PendingStatements", q)
}
