package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"redline/internal/drafting"
)

// documentColumns is the select list scanDocument reads.
const documentColumns = `d.id, d.slug, d.title, d.language, d.approvals_required, d.state, d.created_by, u.login,
d.created_at
FROM documents d JOIN users u ON u.id = d.created_by`

func scanDocument(row interface{ Scan(...any) error }) (drafting.Document, error) {
	var (
		d     drafting.Document
		state string
	)
	err := row.Scan(&d.ID, &d.Slug, &d.Title, &d.Language, &d.ApprovalsRequired, &state, &d.CreatedBy,
		&d.CreatedByLogin, timeCol{&d.CreatedAt})
	d.State = drafting.State(state)
	return d, err
}

var documentNotFound = messages{drafting.KindNotFound: "document not found"}

// CreateDocument inserts d in state drafting (CreatedByLogin is filled)
// and, when first is not nil, its revision 1 at d's time, and appends ev, in
// one transaction: either all are stored or none. Errors: conflict (slug or
// id taken), not_found (creator or author unknown), invalid (no time, or a
// value the schema refuses: empty id or slug, approvals_required < 1,
// malformed sha256; a first revision of another document or claiming to
// merge a proposal).
func (db *DB) CreateDocument(ctx context.Context, d drafting.Document, first *drafting.Revision, ev drafting.Event) (drafting.Document, error) {
	const (
		op      = "sqlstore.CreateDocument"
		qInsert = `INSERT INTO documents (id, slug, title, language, approvals_required, state, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if err := requireTime(op, "created_at", d.CreatedAt); err != nil {
		return drafting.Document{}, err
	}
	if first != nil && first.DocumentID != "" && first.DocumentID != d.ID {
		return drafting.Document{}, drafting.E(drafting.KindInvalid, op, "first revision belongs to another document")
	}
	if first != nil && (first.Proposal != 0 || first.MergedBy != 0 || first.Decision != "") {
		return drafting.Document{}, drafting.E(drafting.KindInvalid, op, "a first revision cannot merge a proposal")
	}
	d.State = drafting.StateDrafting
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		login, err := db.userLogin(ctx, tx, d.CreatedBy)
		if err != nil {
			return fail(op, "select creator", err, userNotFound)
		}
		d.CreatedByLogin = login
		_, err = tx.ExecContext(ctx, db.rebind(qInsert),
			d.ID, d.Slug, d.Title, d.Language, d.ApprovalsRequired, string(d.State), d.CreatedBy, db.timeArg(d.CreatedAt))
		if err != nil {
			conflict := "slug already taken"
			if violates(err, "documents_pkey", "documents.id") {
				conflict = "document id already exists"
			}
			return fail(op, "insert document", err, messages{
				drafting.KindConflict: conflict,
				drafting.KindInvalid:  "document id, slug or approvals_required is not acceptable",
			})
		}
		if first != nil {
			r := *first
			r.DocumentID, r.Number, r.Parent, r.CreatedAt = d.ID, 1, 0, d.CreatedAt
			if _, err := db.insertRevision(ctx, tx, r); err != nil {
				return fail(op, "insert first revision", err, nil)
			}
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return drafting.Document{}, fail(op, "create document", err, nil)
	}
	return d, nil
}

// violates reports whether err is a unique violation of the PostgreSQL
// constraint pgName or, on SQLite, of the column named table.column.
func violates(err error, pgName, sqliteColumn string) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName == pgName
	}
	// modernc reports "constraint failed: UNIQUE constraint failed: t.c (2067)".
	return strings.Contains(err.Error(), "constraint failed: "+sqliteColumn)
}

// DocumentBySlug returns the document. Errors: not_found.
func (db *DB) DocumentBySlug(ctx context.Context, slug string) (drafting.Document, error) {
	const q = `SELECT ` + documentColumns + ` WHERE d.slug = ?`
	d, err := scanDocument(db.db.QueryRowContext(ctx, db.rebind(q), slug))
	if err != nil {
		return drafting.Document{}, fail("sqlstore.DocumentBySlug", fmt.Sprintf("select document %q", slug), err, documentNotFound)
	}
	return d, nil
}

// ListDocuments returns every document ordered by slug.
func (db *DB) ListDocuments(ctx context.Context) ([]drafting.Document, error) {
	const (
		op = "sqlstore.ListDocuments"
		q  = `SELECT ` + documentColumns + ` ORDER BY d.slug`
	)
	rows, err := db.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fail(op, "select documents", err, nil)
	}
	docs, err := collect(rows, scanDocument)
	if err != nil {
		return nil, fail(op, "read documents", err, nil)
	}
	return docs, nil
}

// userLogin returns the login of user id; sql.ErrNoRows when there is none.
func (db *DB) userLogin(ctx context.Context, q querier, id int64) (string, error) {
	const qLogin = `SELECT login FROM users WHERE id = ?`
	var login string
	err := q.QueryRowContext(ctx, db.rebind(qLogin), id).Scan(&login)
	return login, err
}
