package sqlstore

import (
	"context"
	"fmt"
	"math"

	"redline/internal/drafting"
)

// revisionColumns is the select list scanRevision reads. proposal and
// merged_by are NULL on a revision not made by a merge.
// A merge made before decisions were recorded reads as accepted.
const revisionColumns = `r.document_id, r.number, r.parent, r.author_id, u.login, r.message, r.sha256, r.size, r.created_at,
COALESCE(r.proposal, 0), COALESCE(r.merged_by, 0), COALESCE(m.login, ''),
COALESCE(r.decision, CASE WHEN r.proposal IS NULL THEN '' ELSE 'accepted' END)
FROM revisions r JOIN users u ON u.id = r.author_id LEFT JOIN users m ON m.id = r.merged_by`

func scanRevision(row interface{ Scan(...any) error }) (drafting.Revision, error) {
	var r drafting.Revision
	err := row.Scan(&r.DocumentID, &r.Number, &r.Parent, &r.AuthorID, &r.AuthorLogin, &r.Message,
		&r.SHA256, &r.Size, timeCol{&r.CreatedAt}, &r.Proposal, &r.MergedBy, &r.MergedByLogin, &r.Decision)
	return r, err
}

var revisionNotFound = messages{drafting.KindNotFound: "revision not found"}

// insertRevision inserts r as it is (number, parent, time and, for a
// merge, proposal, merger and decision already set) and returns it with
// AuthorLogin and MergedByLogin filled in. Errors: conflict (the number is
// taken), not_found (no such document, author or merger), invalid (no time,
// a malformed hash or size, a decision on a revision that merges nothing).
func (db *DB) insertRevision(ctx context.Context, q querier, r drafting.Revision) (drafting.Revision, error) {
	const (
		op      = "sqlstore.insertRevision"
		qInsert = `INSERT INTO revisions (document_id, number, parent, author_id, message, sha256, size, created_at,
proposal, merged_by, decision)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if err := requireTime(op, "created_at", r.CreatedAt); err != nil {
		return drafting.Revision{}, err
	}
	if r.Decision != "" && r.Proposal == 0 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, op, "only a merge carries a decision")
	}
	// Looking the author up first gives "user not found" rather than an
	// anonymous foreign key violation, and the login the caller shows.
	login, err := db.userLogin(ctx, q, r.AuthorID)
	if err != nil {
		return drafting.Revision{}, fail(op, "select author", err, userNotFound)
	}
	r.AuthorLogin = login
	r.MergedByLogin = ""
	if r.MergedBy != 0 {
		if r.MergedByLogin, err = db.userLogin(ctx, q, r.MergedBy); err != nil {
			return drafting.Revision{}, fail(op, "select merger", err, userNotFound)
		}
	}
	_, err = q.ExecContext(ctx, db.rebind(qInsert),
		r.DocumentID, r.Number, r.Parent, r.AuthorID, r.Message, r.SHA256, r.Size, db.timeArg(r.CreatedAt),
		nullID(r.Proposal), nullID(r.MergedBy), nullString(r.Decision))
	if err != nil {
		return drafting.Revision{}, fail(op, fmt.Sprintf("insert revision %d", r.Number), err, messages{
			drafting.KindConflict: fmt.Sprintf("revision %d exists", r.Number),
			drafting.KindNotFound: "document not found",
			drafting.KindInvalid:  "sha256 must be 64 lowercase hex digits and size not negative",
		})
	}
	return r, nil
}

// Revision returns revision n of the document. Errors: not_found.
func (db *DB) Revision(ctx context.Context, documentID string, n int64) (drafting.Revision, error) {
	return db.revision(ctx, db.db, documentID, n)
}

func (db *DB) revision(ctx context.Context, q querier, documentID string, n int64) (drafting.Revision, error) {
	const qOne = `SELECT ` + revisionColumns + ` WHERE r.document_id = ? AND r.number = ?`
	r, err := scanRevision(q.QueryRowContext(ctx, db.rebind(qOne), documentID, n))
	if err != nil {
		return drafting.Revision{}, fail("sqlstore.Revision", fmt.Sprintf("select revision %d", n), err, revisionNotFound)
	}
	return r, nil
}

// Head returns the newest revision. Errors: not_found (no such document or
// no revisions).
func (db *DB) Head(ctx context.Context, documentID string) (drafting.Revision, error) {
	return db.head(ctx, db.db, documentID)
}

func (db *DB) head(ctx context.Context, q querier, documentID string) (drafting.Revision, error) {
	const qHead = `SELECT ` + revisionColumns + ` WHERE r.document_id = ? ORDER BY r.number DESC LIMIT 1`
	r, err := scanRevision(q.QueryRowContext(ctx, db.rebind(qHead), documentID))
	if err != nil {
		return drafting.Revision{}, fail("sqlstore.Head", "select head", err,
			messages{drafting.KindNotFound: "the document has no revisions"})
	}
	return r, nil
}

// ListRevisions returns up to limit revisions, newest first, with numbers
// below before (before <= 0 means from the head). An unknown document has
// no revisions. Errors: invalid (limit < 1).
func (db *DB) ListRevisions(ctx context.Context, documentID string, limit int, before int64) ([]drafting.Revision, error) {
	const (
		op = "sqlstore.ListRevisions"
		q  = `SELECT ` + revisionColumns + ` WHERE r.document_id = ? AND r.number < ? ORDER BY r.number DESC LIMIT ?`
	)
	if limit < 1 {
		return nil, drafting.E(drafting.KindInvalid, op, "limit must be at least 1")
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID, before, limit)
	if err != nil {
		return nil, fail(op, "select revisions", err, nil)
	}
	revs, err := collect(rows, scanRevision)
	if err != nil {
		return nil, fail(op, "read revisions", err, nil)
	}
	return revs, nil
}

// allRevisionsBatch bounds how many rows AllRevisions reads per query.
const allRevisionsBatch = 500

// AllRevisions calls fn with every revision of every document, ordered by
// document and number. It reads in batches and holds no query open while fn
// runs, so fn may be slow (verify reads every blob) or use the store itself.
// Errors: unavailable, internal, or fn's error as it is.
func (db *DB) AllRevisions(ctx context.Context, fn func(drafting.Revision) error) error {
	const (
		op = "sqlstore.AllRevisions"
		q  = `SELECT ` + revisionColumns + `
WHERE (r.document_id, r.number) > (?, ?) ORDER BY r.document_id, r.number LIMIT ?`
	)
	var (
		afterDoc    string // documents.id is never empty, so "" precedes all
		afterNumber int64
	)
	for {
		rows, err := db.db.QueryContext(ctx, db.rebind(q), afterDoc, afterNumber, allRevisionsBatch)
		if err != nil {
			return fail(op, "select revisions", err, nil)
		}
		batch, err := collect(rows, scanRevision)
		if err != nil {
			return fail(op, "read revisions", err, nil)
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < allRevisionsBatch {
			return nil
		}
		last := batch[len(batch)-1]
		afterDoc, afterNumber = last.DocumentID, last.Number
	}
}
