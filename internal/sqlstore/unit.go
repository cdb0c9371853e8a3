package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"redline/internal/drafting"
)

var (
	_ drafting.DocumentTx     = (*docTx)(nil)
	_ drafting.DocumentReader = (*docTx)(nil)
)

// docTx is one unit of work on one document: a transaction that holds the
// document's lock (InDocument) or reads one snapshot (ReadDocument). Its
// methods run the statements drafting asks for and decide nothing.
type docTx struct {
	db     *DB
	tx     *sql.Tx
	doc    drafting.Document
	public string // the nonce of the public page change it announced, if any
}

// InDocument runs fn in a read-write transaction holding the document's
// lock and commits it when fn returns nil. On PostgreSQL the lock is the
// document row's FOR NO KEY UPDATE: it queues every other unit of work on
// the document (and the UPDATE of its state), while, unlike FOR UPDATE, it
// lets other transactions insert rows that reference the document. On
// SQLite, BEGIN IMMEDIATE already holds the database's only write lock.
// Errors: not_found (no such document), unavailable, internal, or fn's error
// as it is.
func (db *DB) InDocument(ctx context.Context, documentID string, fn func(drafting.DocumentTx) error) error {
	const op = "sqlstore.InDocument"
	q := `SELECT ` + documentColumns + ` WHERE d.id = ?`
	if db.dialect == DialectPostgres {
		q += ` FOR NO KEY UPDATE OF d`
	}
	var announced *docTx
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		d, err := scanDocument(tx.QueryRowContext(ctx, db.rebind(q), documentID))
		if err != nil {
			return fail(op, "lock document", err, documentNotFound)
		}
		t := &docTx{db: db, tx: tx, doc: d}
		err = fn(t)
		if t.public != "" {
			announced = t
		}
		return err
	})
	if announced != nil {
		db.publicCommitted(ctx, announced.doc.Slug, announced.public, err == nil)
	}
	if err != nil {
		return fail(op, "unit of work", err, nil)
	}
	return nil
}

// ReadDocument runs fn over one consistent snapshot of the document: a
// read-only transaction (REPEATABLE READ on PostgreSQL; SQLite's deferred
// read transaction sees one snapshot under WAL). It takes no lock.
func (db *DB) ReadDocument(ctx context.Context, documentID string, fn func(drafting.DocumentReader) error) error {
	const op = "sqlstore.ReadDocument"
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == DialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return fail(op, "begin read-only transaction", err, nil)
	}
	// Nothing is written: rolling back ends the snapshot.
	defer func() { _ = tx.Rollback() }()
	d, err := scanDocument(tx.QueryRowContext(ctx, db.rebind(`SELECT `+documentColumns+` WHERE d.id = ?`), documentID))
	if err != nil {
		return fail(op, "select document", err, documentNotFound)
	}
	if err := fn(&docTx{db: db, tx: tx, doc: d}); err != nil {
		return fail(op, "read", err, nil)
	}
	return nil
}

func (t *docTx) Document() drafting.Document { return t.doc }

func (t *docTx) Head(ctx context.Context) (drafting.Revision, error) {
	return t.db.head(ctx, t.tx, t.doc.ID)
}

func (t *docTx) Revision(ctx context.Context, n int64) (drafting.Revision, error) {
	return t.db.revision(ctx, t.tx, t.doc.ID, n)
}

func (t *docTx) Proposal(ctx context.Context, n int64) (drafting.Proposal, error) {
	return t.db.proposal(ctx, t.tx, t.doc.ID, n)
}

func (t *docTx) LastProposal(ctx context.Context) (int64, error) {
	const q = `SELECT COALESCE(MAX(number), 0) FROM proposals WHERE document_id = ?`
	var n int64
	if err := t.tx.QueryRowContext(ctx, t.db.rebind(q), t.doc.ID).Scan(&n); err != nil {
		return 0, fail("sqlstore.LastProposal", "select last proposal", err, nil)
	}
	return n, nil
}

func (t *docTx) Approvals(ctx context.Context, revision int64) ([]drafting.Approval, error) {
	return t.db.approvals(ctx, t.tx, t.doc.ID, revision)
}

func (t *docTx) Adoptions(ctx context.Context) ([]drafting.Adoption, error) {
	return t.db.adoptions(ctx, t.tx, t.doc.ID)
}

func (t *docTx) Members(ctx context.Context) ([]drafting.RoleAssignment, error) {
	return t.db.documentRoles(ctx, t.tx, t.doc.ID)
}

func (t *docTx) Comment(ctx context.Context, id int64) (drafting.Comment, error) {
	c, err := t.db.comment(ctx, t.tx, t.doc.ID, id)
	if err != nil {
		return drafting.Comment{}, fail("sqlstore.Comment", fmt.Sprintf("select comment %d", id), err, commentNotFound)
	}
	return c, nil
}

func (t *docTx) Comments(ctx context.Context) ([]drafting.Comment, error) {
	return t.db.listComments(ctx, t.tx, t.doc.ID)
}

// SetState records the document's state.
func (t *docTx) SetState(ctx context.Context, s drafting.State) error {
	const q = `UPDATE documents SET state = ? WHERE id = ?`
	if err := t.db.execOne(ctx, t.tx, "sqlstore.SetState", "update state", documentNotFound, q, string(s), t.doc.ID); err != nil {
		return err
	}
	t.doc.State = s
	return nil
}

func (t *docTx) InsertRevision(ctx context.Context, r drafting.Revision) (drafting.Revision, error) {
	r.DocumentID = t.doc.ID
	return t.db.insertRevision(ctx, t.tx, r)
}

func (t *docTx) InsertProposal(ctx context.Context, p drafting.Proposal) (drafting.Proposal, error) {
	p.DocumentID = t.doc.ID
	return t.db.insertProposal(ctx, t.tx, p)
}

func (t *docTx) CloseProposal(ctx context.Context, p drafting.Proposal) (drafting.Proposal, error) {
	p.DocumentID = t.doc.ID
	return t.db.closeProposal(ctx, t.tx, p)
}

func (t *docTx) InsertApproval(ctx context.Context, a drafting.Approval) (drafting.Approval, error) {
	a.DocumentID = t.doc.ID
	return t.db.insertApproval(ctx, t.tx, a)
}

func (t *docTx) InsertAdoption(ctx context.Context, a drafting.Adoption) (drafting.Adoption, error) {
	a.DocumentID = t.doc.ID
	a, err := t.db.insertAdoption(ctx, t.tx, a)
	if err != nil {
		return a, err
	}
	return a, t.announcePublic(ctx)
}

func (t *docTx) InsertReopening(ctx context.Context, r drafting.Reopening) (drafting.Reopening, error) {
	r.DocumentID = t.doc.ID
	r, err := t.db.insertReopening(ctx, t.tx, r)
	if err != nil {
		return r, err
	}
	return r, t.announcePublic(ctx)
}

func (t *docTx) InsertComment(ctx context.Context, c drafting.Comment) (drafting.Comment, error) {
	c.DocumentID = t.doc.ID
	return t.db.insertComment(ctx, t.tx, c)
}

func (t *docTx) EditComment(ctx context.Context, id int64, body string, at time.Time) (drafting.Comment, error) {
	return t.db.editComment(ctx, t.tx, t.doc.ID, id, body, at)
}

func (t *docTx) SetThreadResolved(ctx context.Context, thread int64, resolved bool, by int64, at time.Time) error {
	return t.db.setThreadResolved(ctx, t.tx, t.doc.ID, thread, resolved, by, at)
}

func (t *docTx) HideComment(ctx context.Context, id, by int64, reason string, at time.Time) error {
	return t.db.hideComment(ctx, t.tx, t.doc.ID, id, by, reason, at)
}

func (t *docTx) SetRole(ctx context.Context, a drafting.RoleAssignment) error {
	a.DocumentID = t.doc.ID
	return t.db.setRole(ctx, t.tx, a)
}

func (t *docTx) RemoveRole(ctx context.Context, userID, actorID int64, at time.Time) error {
	return t.db.removeRole(ctx, t.tx, t.doc.ID, userID, actorID, at)
}

func (t *docTx) AppendEvent(ctx context.Context, ev drafting.Event) (drafting.Event, error) {
	return t.db.appendEvent(ctx, t.tx, ev)
}

// requireTime refuses a zero time: every record's time comes from the
// service's clock, never from the store's.
func requireTime(op, what string, at time.Time) error {
	if at.IsZero() {
		return drafting.E(drafting.KindInvalid, op, what+" is required: the service's clock sets it")
	}
	return nil
}
