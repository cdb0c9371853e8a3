package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"redline/internal/drafting"
)

// commentColumns is the select list scanComment reads. The target not
// commented on (revision or proposal), reply_to on a first comment, the
// anchor of a general comment and the resolver and hider while unset are
// NULL.
const commentColumns = `c.id, c.document_id, COALESCE(c.revision, 0), COALESCE(c.proposal, 0), c.author_id, u.login,
COALESCE(c.reply_to, 0), c.thread, c.depth, c.body,
c.anchor_start, c.anchor_end, c.anchor_quote, c.anchor_prefix, c.anchor_suffix,
c.edited, c.resolved, COALESCE(c.resolved_by, 0), c.hidden, COALESCE(c.hidden_by, 0), c.hidden_reason,
c.created_at, c.updated_at
FROM comments c JOIN users u ON u.id = c.author_id`

func scanComment(row interface{ Scan(...any) error }) (drafting.Comment, error) {
	var (
		c                     drafting.Comment
		start, end            sql.NullInt64
		quote, prefix, suffix sql.NullString
	)
	err := row.Scan(&c.ID, &c.DocumentID, &c.Revision, &c.Proposal, &c.AuthorID, &c.AuthorLogin,
		&c.ReplyTo, &c.Thread, &c.Depth, &c.Body,
		&start, &end, &quote, &prefix, &suffix,
		&c.Edited, &c.Resolved, &c.ResolvedBy, &c.Hidden, &c.HiddenBy, &c.HiddenReason,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	if err != nil {
		return drafting.Comment{}, err
	}
	// The schema keeps the five anchor columns NULL together.
	if start.Valid {
		c.Anchor = &drafting.Anchor{Start: int(start.Int64), End: int(end.Int64), Quote: quote.String,
			Prefix: prefix.String, Suffix: suffix.String}
	}
	return c, nil
}

var commentNotFound = messages{drafting.KindNotFound: "comment not found"}

// insertComment inserts c and returns it with its ID and AuthorLogin; the
// state fields (Edited, Resolved, Hidden and theirs) start cleared. A first
// comment (ReplyTo 0) names exactly one of Revision and Proposal and gets
// Thread = its own ID and Depth 0. A reply carries no anchor and gives the
// Revision or Proposal, Thread and Depth+1 of the comment it answers, which
// must be in the same document: the schema's shape, kept here because
// neither database can say it in a constraint. Errors: not_found (no such
// revision, proposal, author, or comment answered in this document);
// invalid (no time, neither or both of revision and proposal, a reply's
// fields that do not follow its parent, an anchored reply, an empty body, an
// anchor outside 0 <= start < end).
func (db *DB) insertComment(ctx context.Context, tx querier, c drafting.Comment) (drafting.Comment, error) {
	const (
		op      = "sqlstore.insertComment"
		qParent = `SELECT COALESCE(revision, 0), COALESCE(proposal, 0), thread, depth FROM comments
WHERE document_id = ? AND id = ?`
		qRevision = `SELECT COUNT(*) FROM revisions WHERE document_id = ? AND number = ?`
		qProposal = `SELECT COUNT(*) FROM proposals WHERE document_id = ? AND number = ?`
		// Drawing the id first lets a first comment go in with thread set to
		// it, so thread is never NULL nor rewritten. On PostgreSQL the
		// identity's sequence hands out ids as the insert would; on SQLite,
		// where the transaction holds the only write lock, it is what
		// AUTOINCREMENT would pick.
		qNextPG     = `SELECT nextval(pg_get_serial_sequence('comments', 'id'))`
		qNextSQLite = `SELECT MAX(COALESCE((SELECT MAX(id) FROM comments), 0),
COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'comments'), 0)) + 1`
		qInsertPG = `INSERT INTO comments (id, document_id, revision, proposal, author_id, reply_to, thread, depth,
body, anchor_start, anchor_end, anchor_quote, anchor_prefix, anchor_suffix, created_at, updated_at)
OVERRIDING SYSTEM VALUE VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		qInsertSQLite = `INSERT INTO comments (id, document_id, revision, proposal, author_id, reply_to, thread,
depth, body, anchor_start, anchor_end, anchor_quote, anchor_prefix, anchor_suffix, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if (c.Revision == 0) == (c.Proposal == 0) {
		return drafting.Comment{}, drafting.E(drafting.KindInvalid, op, "a comment is made on either a revision or a proposal")
	}
	if c.ReplyTo != 0 && c.Anchor != nil {
		return drafting.Comment{}, drafting.E(drafting.KindInvalid, op, "a reply carries no anchor")
	}
	if err := requireTime(op, "created_at", c.CreatedAt); err != nil {
		return drafting.Comment{}, err
	}
	c.UpdatedAt = c.CreatedAt
	c.Edited, c.Resolved, c.ResolvedBy, c.Hidden, c.HiddenBy, c.HiddenReason = false, false, 0, false, 0, ""
	if c.ReplyTo == 0 {
		c.Depth = 0
	}
	err := func() error {
		if c.ReplyTo != 0 {
			var parent drafting.Comment
			err := tx.QueryRowContext(ctx, db.rebind(qParent), c.DocumentID, c.ReplyTo).Scan(
				&parent.Revision, &parent.Proposal, &parent.Thread, &parent.Depth)
			if err != nil {
				return fail(op, fmt.Sprintf("select comment %d answered", c.ReplyTo), err, commentNotFound)
			}
			if c.Revision != parent.Revision || c.Proposal != parent.Proposal ||
				c.Thread != parent.Thread || c.Depth != parent.Depth+1 {
				return drafting.E(drafting.KindInvalid, op,
					fmt.Sprintf("a reply to comment %d is on its revision or proposal, in its thread, one level deeper", c.ReplyTo))
			}
		}
		var (
			q, what = qRevision, fmt.Sprintf("revision %d", c.Revision)
			target  = c.Revision
			n       int
		)
		if c.Proposal != 0 {
			q, what, target = qProposal, fmt.Sprintf("proposal %d", c.Proposal), c.Proposal
		}
		if err := tx.QueryRowContext(ctx, db.rebind(q), c.DocumentID, target).Scan(&n); err != nil {
			return fail(op, "look up "+what, err, nil)
		}
		if n == 0 {
			return drafting.E(drafting.KindNotFound, op, what+" not found")
		}
		login, err := db.userLogin(ctx, tx, c.AuthorID)
		if err != nil {
			return fail(op, "select author", err, userNotFound)
		}
		c.AuthorLogin = login
		qNext, qInsert := qNextSQLite, qInsertSQLite
		if db.dialect == DialectPostgres {
			qNext, qInsert = qNextPG, qInsertPG
		}
		if err := tx.QueryRowContext(ctx, qNext).Scan(&c.ID); err != nil {
			return fail(op, "draw comment id", err, nil)
		}
		if c.ReplyTo == 0 {
			c.Thread = c.ID
		}
		var start, end, quote, prefix, suffix any
		if a := c.Anchor; a != nil {
			start, end, quote, prefix, suffix = a.Start, a.End, a.Quote, a.Prefix, a.Suffix
		}
		_, err = tx.ExecContext(ctx, db.rebind(qInsert), c.ID, c.DocumentID, nullID(c.Revision), nullID(c.Proposal),
			c.AuthorID, nullID(c.ReplyTo), c.Thread, c.Depth, c.Body, start, end, quote, prefix, suffix,
			db.timeArg(c.CreatedAt), db.timeArg(c.UpdatedAt))
		if err != nil {
			return fail(op, fmt.Sprintf("insert comment %d", c.ID), err, messages{
				drafting.KindNotFound: "the document, revision, proposal or comment answered does not exist",
				drafting.KindInvalid:  "the body must not be empty and the anchor must run forward from 0",
			})
		}
		return nil
	}()
	if err != nil {
		return drafting.Comment{}, fail(op, "create comment", err, nil)
	}
	if c.Anchor != nil {
		a := *c.Anchor // not the caller's
		c.Anchor = &a
	}
	return c, nil
}

// Comment returns comment id of the document. Errors: not_found (also for a
// comment of another document).
func (db *DB) Comment(ctx context.Context, documentID string, id int64) (drafting.Comment, error) {
	c, err := db.comment(ctx, db.db, documentID, id)
	if err != nil {
		return drafting.Comment{}, fail("sqlstore.Comment", fmt.Sprintf("select comment %d", id), err, commentNotFound)
	}
	return c, nil
}

func (db *DB) comment(ctx context.Context, q querier, documentID string, id int64) (drafting.Comment, error) {
	const qOne = `SELECT ` + commentColumns + ` WHERE c.document_id = ? AND c.id = ?`
	return scanComment(q.QueryRowContext(ctx, db.rebind(qOne), documentID, id))
}

// ListComments returns every comment of the document, hidden ones too,
// oldest first (by ID, the order they were made in). An unknown document
// has none.
func (db *DB) ListComments(ctx context.Context, documentID string) ([]drafting.Comment, error) {
	return db.listComments(ctx, db.db, documentID)
}

// qListComments lists a document's comments; TestListCommentsPlan checks
// that SQLite answers it by walking the document's index.
const qListComments = `SELECT ` + commentColumns + ` WHERE c.document_id = ? ORDER BY c.id`

func (db *DB) listComments(ctx context.Context, on querier, documentID string) ([]drafting.Comment, error) {
	const op = "sqlstore.ListComments"
	rows, err := on.QueryContext(ctx, db.rebind(qListComments), documentID)
	if err != nil {
		return nil, fail(op, "select comments", err, nil)
	}
	list, err := collect(rows, scanComment)
	if err != nil {
		return nil, fail(op, "read comments", err, nil)
	}
	return list, nil
}

// editComment replaces a comment's body, first keeping the old one as a
// CommentVersion edited at at. The comment comes back with Edited set and
// UpdatedAt at. Errors: not_found (no such comment in the document);
// invalid (no time, an empty body).
func (db *DB) editComment(ctx context.Context, tx querier, documentID string, id int64, body string, at time.Time) (drafting.Comment, error) {
	const (
		op       = "sqlstore.editComment"
		qVersion = `INSERT INTO comment_versions (comment_id, body, edited_at) VALUES (?, ?, ?)`
		qEdit    = `UPDATE comments SET body = ?, edited = ?, updated_at = ? WHERE id = ?`
	)
	if err := requireTime(op, "at", at); err != nil {
		return drafting.Comment{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	// Editors of one comment are already queued on the document's lock.
	const qOld = `SELECT body FROM comments WHERE document_id = ? AND id = ?`
	var edited drafting.Comment
	err := func() error {
		var old string
		if err := tx.QueryRowContext(ctx, db.rebind(qOld), documentID, id).Scan(&old); err != nil {
			return fail(op, fmt.Sprintf("select comment %d", id), err, commentNotFound)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(qVersion), id, old, db.timeArg(at)); err != nil {
			return fail(op, fmt.Sprintf("keep the old body of comment %d", id), err, nil)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(qEdit), body, true, db.timeArg(at), id); err != nil {
			return fail(op, fmt.Sprintf("update comment %d", id), err, messages{
				drafting.KindInvalid: "the body must not be empty",
			})
		}
		var err error
		if edited, err = db.comment(ctx, tx, documentID, id); err != nil {
			return fail(op, fmt.Sprintf("read edited comment %d", id), err, nil)
		}
		return nil
	}()
	if err != nil {
		return drafting.Comment{}, fail(op, "edit comment", err, nil)
	}
	return edited, nil
}

// CommentVersions returns a comment's earlier bodies, oldest first; a
// comment never edited has none. Errors: not_found (no such comment in the
// document).
func (db *DB) CommentVersions(ctx context.Context, documentID string, id int64) ([]drafting.CommentVersion, error) {
	const (
		op = "sqlstore.CommentVersions"
		// The LEFT JOIN gives one row of NULLs for a comment without
		// versions and none for a missing one, in a single query.
		q = `SELECT c.id, v.body, v.edited_at FROM comments c
LEFT JOIN comment_versions v ON v.comment_id = c.id
WHERE c.document_id = ? AND c.id = ? ORDER BY v.id`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID, id)
	if err != nil {
		return nil, fail(op, "select comment versions", err, nil)
	}
	type row struct {
		v   drafting.CommentVersion
		has bool
	}
	list, err := collect(rows, func(r interface{ Scan(...any) error }) (row, error) {
		var (
			out  row
			body sql.NullString
		)
		err := r.Scan(&out.v.CommentID, &body, nullTimeCol{&out.v.EditedAt})
		out.v.Body, out.has = body.String, body.Valid
		return out, err
	})
	if err != nil {
		return nil, fail(op, "read comment versions", err, nil)
	}
	if len(list) == 0 {
		return nil, drafting.E(drafting.KindNotFound, op, "comment not found")
	}
	versions := []drafting.CommentVersion{}
	for _, r := range list {
		if r.has {
			versions = append(versions, r.v)
		}
	}
	return versions, nil
}

// setThreadResolved resolves or reopens the thread whose first comment is
// thread. Resolving records who (0 for the command line) and when;
// reopening clears both, the audit log keeping who did it. Setting the
// state the thread is already in is not an error. Errors: not_found (no
// such comment in the document, or it is a reply; no such user), invalid
// (no time).
func (db *DB) setThreadResolved(ctx context.Context, tx querier, documentID string, thread int64, resolved bool, by int64,
	at time.Time) error {
	const (
		op = "sqlstore.setThreadResolved"
		q  = `UPDATE comments SET resolved = ?, resolved_by = ?, resolved_at = ?
WHERE document_id = ? AND id = ? AND reply_to IS NULL`
	)
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	resolvedBy, resolvedAt := nullID(by), db.timeArg(at)
	if !resolved {
		resolvedBy, resolvedAt = nil, nil
	}
	if err := db.checkUser(ctx, tx, op, by); err != nil {
		return err
	}
	return db.execOne(ctx, tx, op, fmt.Sprintf("update thread %d", thread),
		messages{drafting.KindNotFound: "thread not found"}, q,
		resolved, resolvedBy, resolvedAt, documentID, thread)
}

// hideComment hides a comment, recording who (0 for the command line), why
// and when. The comment is kept and stays hidden; hiding it again records
// the new who, why and when. Errors: not_found (no such comment in the
// document or no such user), invalid (no time).
func (db *DB) hideComment(ctx context.Context, tx querier, documentID string, id, by int64, reason string, at time.Time) error {
	const (
		op = "sqlstore.hideComment"
		q  = `UPDATE comments SET hidden = ?, hidden_by = ?, hidden_reason = ?, hidden_at = ?
WHERE document_id = ? AND id = ?`
	)
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	if err := db.checkUser(ctx, tx, op, by); err != nil {
		return err
	}
	return db.execOne(ctx, tx, op, fmt.Sprintf("hide comment %d", id), commentNotFound, q,
		true, nullID(by), reason, db.timeArg(at), documentID, id)
}

// checkUser confirms that user id exists, so that a missing one is
// reported as such rather than as the comment's foreign key failing; 0, the
// command line, needs no row.
func (db *DB) checkUser(ctx context.Context, q querier, op string, id int64) error {
	if id == 0 {
		return nil
	}
	if _, err := db.userLogin(ctx, q, id); err != nil {
		return fail(op, fmt.Sprintf("select user %d", id), err, userNotFound)
	}
	return nil
}
