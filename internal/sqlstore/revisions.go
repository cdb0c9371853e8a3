package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"redline/internal/drafting"
)

// revisionColumns is the select list scanRevision reads. proposal and
// merged_by are NULL on a revision not made by a merge.
const revisionColumns = `r.document_id, r.number, r.parent, r.author_id, u.login, r.message, r.sha256, r.size, r.created_at,
COALESCE(r.proposal, 0), COALESCE(r.merged_by, 0), COALESCE(m.login, '')
FROM revisions r JOIN users u ON u.id = r.author_id LEFT JOIN users m ON m.id = r.merged_by`

func scanRevision(row interface{ Scan(...any) error }) (drafting.Revision, error) {
	var r drafting.Revision
	err := row.Scan(&r.DocumentID, &r.Number, &r.Parent, &r.AuthorID, &r.AuthorLogin, &r.Message,
		&r.SHA256, &r.Size, timeCol{&r.CreatedAt}, &r.Proposal, &r.MergedBy, &r.MergedByLogin)
	return r, err
}

var revisionNotFound = messages{drafting.KindNotFound: "revision not found"}

// insertRevision inserts r as it is (number, parent, time and, for a
// merge, proposal and merger already set) and returns it with AuthorLogin
// and MergedByLogin filled in.
func (db *DB) insertRevision(ctx context.Context, q querier, r drafting.Revision) (drafting.Revision, error) {
	const (
		op      = "sqlstore.insertRevision"
		qInsert = `INSERT INTO revisions (document_id, number, parent, author_id, message, sha256, size, created_at,
proposal, merged_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
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
		nullID(r.Proposal), nullID(r.MergedBy))
	if err != nil {
		return drafting.Revision{}, fail(op, fmt.Sprintf("insert revision %d", r.Number), err, messages{
			drafting.KindConflict: "the document's head moved; reload and try again",
			drafting.KindNotFound: "document not found",
			drafting.KindInvalid:  "sha256 must be 64 lowercase hex digits and size not negative",
		})
	}
	return r, nil
}

// lockDocument confirms the document exists and, on PostgreSQL, locks its row
// until the transaction ends so committers to one document queue up. FOR NO
// KEY UPDATE, unlike FOR UPDATE, does not block the FOR KEY SHARE lock that
// inserting a row which references the document takes. SQLite needs no row
// lock: BEGIN IMMEDIATE already holds the database's only write lock.
func (db *DB) lockDocument(ctx context.Context, tx *sql.Tx, documentID string) error {
	q := `SELECT id FROM documents WHERE id = ?`
	if db.dialect == DialectPostgres {
		q += ` FOR NO KEY UPDATE`
	}
	var id string
	return tx.QueryRowContext(ctx, db.rebind(q), documentID).Scan(&id)
}

// headNumber returns the number of the newest revision, 0 when there is none.
func (db *DB) headNumber(ctx context.Context, q querier, documentID string) (int64, error) {
	const qHead = `SELECT COALESCE(MAX(number), 0) FROM revisions WHERE document_id = ?`
	var head int64
	err := q.QueryRowContext(ctx, db.rebind(qHead), documentID).Scan(&head)
	return head, err
}

// CommitRevision inserts r as revision base+1 of its document, with parent
// base, and appends ev, in one transaction that first checks that base is
// the current head number (0 for a document without revisions). Errors:
// conflict with Details["head"] (int64) when base is not the head, stale or
// ahead; not_found (no such document or author); invalid (negative base,
// malformed sha256 or size, or r names a proposal: merges go through
// CommitMerge).
func (db *DB) CommitRevision(ctx context.Context, r drafting.Revision, base int64, ev drafting.Event) (drafting.Revision, error) {
	const op = "sqlstore.CommitRevision"
	if r.Proposal != 0 || r.MergedBy != 0 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, op, "a merge must be committed with CommitMerge")
	}
	return db.commit(ctx, op, r, base, ev)
}

// CommitMerge does what CommitRevision does and, in the same transaction,
// marks the open proposal r.Proposal merged into the new revision, closed
// by r.MergedBy (0 for the command line) at the revision's time. Nothing is
// written when a check fails. Errors: as CommitRevision; not_found (no such
// proposal or merging user); conflict with Details["state"] when the
// proposal is not open (checked before the head); invalid (r.Proposal < 1).
func (db *DB) CommitMerge(ctx context.Context, r drafting.Revision, base int64, ev drafting.Event) (drafting.Revision, error) {
	const op = "sqlstore.CommitMerge"
	if r.Proposal < 1 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, op, "a merge must name its proposal")
	}
	return db.commit(ctx, op, r, base, ev)
}

// commit is CommitRevision and, when r.Proposal is set, CommitMerge.
func (db *DB) commit(ctx context.Context, op string, r drafting.Revision, base int64, ev drafting.Event) (drafting.Revision, error) {
	if base < 0 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, op, "base must not be negative")
	}
	r.Number, r.Parent, r.CreatedAt = base+1, base, now()
	var stored drafting.Revision
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockDocument(ctx, tx, r.DocumentID); err != nil {
			return fail(op, "lock document", err, documentNotFound)
		}
		if r.Proposal != 0 {
			if err := db.checkOpen(ctx, tx, op, r.DocumentID, r.Proposal); err != nil {
				return err
			}
		}
		head, err := db.headNumber(ctx, tx, r.DocumentID)
		if err != nil {
			return fail(op, "read head", err, nil)
		}
		if head != base {
			return staleBase(op, base, head)
		}
		if stored, err = db.insertRevision(ctx, tx, r); err != nil {
			return err
		}
		if r.Proposal != 0 {
			if err := db.markMerged(ctx, tx, op, stored); err != nil {
				return err
			}
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err == nil {
		return stored, nil
	}
	if drafting.ErrorKind(err) == drafting.KindConflict && drafting.ErrorDetails(err) == nil {
		// A unique violation on the insert: only possible if something
		// bypassed the lock above. Still answer with the head it lost to.
		if head, herr := db.headNumber(ctx, db.db, r.DocumentID); herr == nil {
			return drafting.Revision{}, staleBase(op, base, head)
		}
	}
	return drafting.Revision{}, fail(op, "commit revision", err, nil)
}

// staleBase is the conflict a committer whose base is not the head gets.
func staleBase(op string, base, head int64) error {
	e := drafting.E(drafting.KindConflict, op,
		fmt.Sprintf("base revision %d is not the head; the head is revision %d", base, head))
	e.Details = map[string]any{"head": head}
	return e
}

// Revision returns revision n of the document. Errors: not_found.
func (db *DB) Revision(ctx context.Context, documentID string, n int64) (drafting.Revision, error) {
	const q = `SELECT ` + revisionColumns + ` WHERE r.document_id = ? AND r.number = ?`
	r, err := scanRevision(db.db.QueryRowContext(ctx, db.rebind(q), documentID, n))
	if err != nil {
		return drafting.Revision{}, fail("sqlstore.Revision", fmt.Sprintf("select revision %d", n), err, revisionNotFound)
	}
	return r, nil
}

// Head returns the newest revision. Errors: not_found (no such document or
// no revisions).
func (db *DB) Head(ctx context.Context, documentID string) (drafting.Revision, error) {
	const q = `SELECT ` + revisionColumns + ` WHERE r.document_id = ? ORDER BY r.number DESC LIMIT 1`
	r, err := scanRevision(db.db.QueryRowContext(ctx, db.rebind(q), documentID))
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
