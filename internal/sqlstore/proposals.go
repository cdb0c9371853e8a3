package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"redline/internal/drafting"
)

// proposalColumns is the select list scanProposal reads. closed_by and the
// closing times are NULL while the proposal is open.
const proposalColumns = `p.document_id, p.number, p.base, p.author_id, a.login, p.title, p.rationale, p.sha256,
p.size, p.state, COALESCE(p.merged_revision, 0), COALESCE(p.closed_by, 0), COALESCE(c.login, ''),
p.close_reason, p.created_at, p.closed_at
FROM proposals p JOIN users a ON a.id = p.author_id LEFT JOIN users c ON c.id = p.closed_by`

func scanProposal(row interface{ Scan(...any) error }) (drafting.Proposal, error) {
	var p drafting.Proposal
	err := row.Scan(&p.DocumentID, &p.Number, &p.Base, &p.AuthorID, &p.AuthorLogin, &p.Title, &p.Rationale,
		&p.SHA256, &p.Size, &p.State, &p.MergedRevision, &p.ClosedBy, &p.ClosedByLogin, &p.CloseReason,
		timeCol{&p.CreatedAt}, nullTimeCol{&p.ClosedAt})
	return p, err
}

var proposalNotFound = messages{drafting.KindNotFound: "proposal not found"}

// CreateProposal inserts p as the document's next proposal and appends ev,
// in one transaction that holds the document's row lock, as CommitRevision
// does, so concurrent proposals get consecutive numbers. Number, State
// (open) and CreatedAt are set by the store, closing fields are cleared.
// ev.Data (a copy) gets "number", the number given. Errors: not_found (no
// such document or author), invalid (p.Base is not an existing revision,
// malformed sha256 or size).
func (db *DB) CreateProposal(ctx context.Context, p drafting.Proposal, ev drafting.Event) (drafting.Proposal, error) {
	const (
		op      = "sqlstore.CreateProposal"
		qNext   = `SELECT COALESCE(MAX(number), 0) + 1 FROM proposals WHERE document_id = ?`
		qBase   = `SELECT COUNT(*) FROM revisions WHERE document_id = ? AND number = ?`
		qInsert = `INSERT INTO proposals (document_id, number, base, author_id, title, rationale, sha256, size,
state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
	p.State, p.CreatedAt = drafting.ProposalOpen, now()
	p.MergedRevision, p.ClosedBy, p.ClosedByLogin, p.CloseReason, p.ClosedAt = 0, 0, "", "", time.Time{}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockDocument(ctx, tx, p.DocumentID); err != nil {
			return fail(op, "lock document", err, documentNotFound)
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(qBase), p.DocumentID, p.Base).Scan(&n); err != nil {
			return fail(op, "look up base revision", err, nil)
		}
		if n == 0 {
			return drafting.E(drafting.KindInvalid, op, fmt.Sprintf("base revision %d does not exist", p.Base))
		}
		login, err := db.userLogin(ctx, tx, p.AuthorID)
		if err != nil {
			return fail(op, "select author", err, userNotFound)
		}
		p.AuthorLogin = login
		if err := tx.QueryRowContext(ctx, db.rebind(qNext), p.DocumentID).Scan(&p.Number); err != nil {
			return fail(op, "number proposal", err, nil)
		}
		_, err = tx.ExecContext(ctx, db.rebind(qInsert), p.DocumentID, p.Number, p.Base, p.AuthorID, p.Title,
			p.Rationale, p.SHA256, p.Size, p.State, db.timeArg(p.CreatedAt))
		if err != nil {
			return fail(op, fmt.Sprintf("insert proposal %d", p.Number), err, messages{
				drafting.KindInvalid: "sha256 must be 64 lowercase hex digits and size not negative",
			})
		}
		_, err = db.appendEvent(ctx, tx, withData(ev, map[string]string{"number": strconv.FormatInt(p.Number, 10)}))
		return err
	})
	if err != nil {
		return drafting.Proposal{}, fail(op, "create proposal", err, nil)
	}
	return p, nil
}

// Proposal returns proposal n of the document. Errors: not_found.
func (db *DB) Proposal(ctx context.Context, documentID string, n int64) (drafting.Proposal, error) {
	const q = `SELECT ` + proposalColumns + ` WHERE p.document_id = ? AND p.number = ?`
	p, err := scanProposal(db.db.QueryRowContext(ctx, db.rebind(q), documentID, n))
	if err != nil {
		return drafting.Proposal{}, fail("sqlstore.Proposal", fmt.Sprintf("select proposal %d", n), err, proposalNotFound)
	}
	return p, nil
}

// ListProposals returns the document's proposals, newest first, only those
// in state when it is not "". An unknown document has none.
func (db *DB) ListProposals(ctx context.Context, documentID, state string) ([]drafting.Proposal, error) {
	const (
		op       = "sqlstore.ListProposals"
		qAll     = `SELECT ` + proposalColumns + ` WHERE p.document_id = ? ORDER BY p.number DESC`
		qByState = `SELECT ` + proposalColumns + ` WHERE p.document_id = ? AND p.state = ? ORDER BY p.number DESC`
	)
	var (
		rows *sql.Rows
		err  error
	)
	if state == "" {
		rows, err = db.db.QueryContext(ctx, db.rebind(qAll), documentID)
	} else {
		rows, err = db.db.QueryContext(ctx, db.rebind(qByState), documentID, state)
	}
	if err != nil {
		return nil, fail(op, "select proposals", err, nil)
	}
	list, err := collect(rows, scanProposal)
	if err != nil {
		return nil, fail(op, "read proposals", err, nil)
	}
	return list, nil
}

// CloseProposal moves an open proposal to state (rejected or withdrawn),
// recording who (0 for the command line), why and when, and appends ev, in
// one transaction. Errors: not_found (no such proposal or closing user);
// conflict with Details["state"] (string) when it is not open; invalid
// (state is neither rejected nor withdrawn).
func (db *DB) CloseProposal(ctx context.Context, documentID string, n int64, state string, by int64,
	reason string, at time.Time, ev drafting.Event) (drafting.Proposal, error) {
	const (
		op = "sqlstore.CloseProposal"
		// WHERE state = 'open' makes the transition a compare-and-set: of
		// two closers racing, the second updates nothing.
		qClose = `UPDATE proposals SET state = ?, closed_by = ?, close_reason = ?, closed_at = ?
WHERE document_id = ? AND number = ? AND state = 'open'`
	)
	if state != drafting.ProposalRejected && state != drafting.ProposalWithdrawn {
		return drafting.Proposal{}, drafting.E(drafting.KindInvalid, op, "a proposal is closed as rejected or withdrawn")
	}
	if at.IsZero() {
		at = now()
	}
	var closed drafting.Proposal
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(qClose), state, nullID(by), reason, db.timeArg(at), documentID, n)
		if err != nil {
			return fail(op, fmt.Sprintf("close proposal %d", n), err, userNotFound)
		}
		if rows, err := res.RowsAffected(); err != nil {
			return fail(op, fmt.Sprintf("close proposal %d", n), err, nil)
		} else if rows == 0 {
			return db.notOpen(ctx, tx, op, documentID, n)
		}
		const q = `SELECT ` + proposalColumns + ` WHERE p.document_id = ? AND p.number = ?`
		if closed, err = scanProposal(tx.QueryRowContext(ctx, db.rebind(q), documentID, n)); err != nil {
			return fail(op, fmt.Sprintf("read closed proposal %d", n), err, nil)
		}
		_, err = db.appendEvent(ctx, tx, ev)
		return err
	})
	if err != nil {
		return drafting.Proposal{}, fail(op, "close proposal", err, nil)
	}
	return closed, nil
}

// checkOpen confirms that proposal n is open and, on PostgreSQL, locks its
// row until the transaction ends, so it cannot be closed meanwhile.
func (db *DB) checkOpen(ctx context.Context, tx *sql.Tx, op, documentID string, n int64) error {
	q := `SELECT state FROM proposals WHERE document_id = ? AND number = ?`
	if db.dialect == DialectPostgres {
		q += ` FOR UPDATE`
	}
	var state string
	if err := tx.QueryRowContext(ctx, db.rebind(q), documentID, n).Scan(&state); err != nil {
		return fail(op, fmt.Sprintf("select proposal %d", n), err, proposalNotFound)
	}
	if state != drafting.ProposalOpen {
		return proposalClosed(op, n, state)
	}
	return nil
}

// markMerged closes r.Proposal as merged into r, by r.MergedBy at
// r.CreatedAt.
func (db *DB) markMerged(ctx context.Context, tx *sql.Tx, op string, r drafting.Revision) error {
	const q = `UPDATE proposals SET state = 'merged', merged_revision = ?, closed_by = ?, closed_at = ?
WHERE document_id = ? AND number = ? AND state = 'open'`
	res, err := tx.ExecContext(ctx, db.rebind(q), r.Number, nullID(r.MergedBy), db.timeArg(r.CreatedAt),
		r.DocumentID, r.Proposal)
	if err != nil {
		return fail(op, fmt.Sprintf("mark proposal %d merged", r.Proposal), err, nil)
	}
	if rows, err := res.RowsAffected(); err != nil {
		return fail(op, fmt.Sprintf("mark proposal %d merged", r.Proposal), err, nil)
	} else if rows == 0 {
		return db.notOpen(ctx, tx, op, r.DocumentID, r.Proposal)
	}
	return nil
}

// notOpen is the error for an update of proposal n that matched no open
// row: not_found when there is no such proposal, else a conflict naming
// its state.
func (db *DB) notOpen(ctx context.Context, tx *sql.Tx, op, documentID string, n int64) error {
	const q = `SELECT state FROM proposals WHERE document_id = ? AND number = ?`
	var state string
	if err := tx.QueryRowContext(ctx, db.rebind(q), documentID, n).Scan(&state); err != nil {
		return fail(op, fmt.Sprintf("select proposal %d", n), err, proposalNotFound)
	}
	return proposalClosed(op, n, state)
}

// proposalClosed is the conflict of acting on a proposal that is no longer
// open.
func proposalClosed(op string, n int64, state string) error {
	e := drafting.E(drafting.KindConflict, op, fmt.Sprintf("proposal %d is %s, not open", n, state))
	e.Details = map[string]any{"state": state}
	return e
}
