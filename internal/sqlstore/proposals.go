package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"redline/internal/drafting"
)

// proposalColumns is the select list scanProposal reads. closed_by and the
// closing times are NULL while the proposal is open.
// The decision of a merged proposal is its revision's (accepted for merges
// made before decisions were recorded).
const proposalColumns = `p.document_id, p.number, p.base, p.author_id, a.login, p.title, p.rationale, p.sha256,
p.size, p.state, COALESCE(p.merged_revision, 0), COALESCE(p.closed_by, 0), COALESCE(c.login, ''),
p.close_reason, p.created_at, p.closed_at,
CASE WHEN p.merged_revision IS NULL THEN '' ELSE COALESCE(mr.decision, 'accepted') END,
p.items, p.vote_for, p.vote_against, p.vote_abstained
FROM proposals p JOIN users a ON a.id = p.author_id LEFT JOIN users c ON c.id = p.closed_by
LEFT JOIN revisions mr ON mr.document_id = p.document_id AND mr.number = p.merged_revision`

func scanProposal(row interface{ Scan(...any) error }) (drafting.Proposal, error) {
	var (
		p    drafting.Proposal
		vote voteCols
	)
	err := row.Scan(append([]any{&p.DocumentID, &p.Number, &p.Base, &p.AuthorID, &p.AuthorLogin, &p.Title, &p.Rationale,
		&p.SHA256, &p.Size, &p.State, &p.MergedRevision, &p.ClosedBy, &p.ClosedByLogin, &p.CloseReason,
		timeCol{&p.CreatedAt}, nullTimeCol{&p.ClosedAt}, &p.Decision, itemsCol{&p.Items}}, vote.dest()...)...)
	p.Vote = vote.vote()
	return p, err
}

var proposalNotFound = messages{drafting.KindNotFound: "proposal not found"}

// insertProposal inserts p as it is (number, state open and time set by
// the caller; the closing fields are cleared) and returns it with
// AuthorLogin. Errors: conflict (the number is taken), not_found (no such
// author), invalid (no time, p.Base not a revision, a malformed hash).
func (db *DB) insertProposal(ctx context.Context, q querier, p drafting.Proposal) (drafting.Proposal, error) {
	const (
		op      = "sqlstore.insertProposal"
		qInsert = `INSERT INTO proposals (document_id, number, base, author_id, title, rationale, sha256, size,
state, created_at, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	)
	if err := requireTime(op, "created_at", p.CreatedAt); err != nil {
		return drafting.Proposal{}, err
	}
	p.State = drafting.ProposalOpen
	p.MergedRevision, p.ClosedBy, p.ClosedByLogin, p.CloseReason, p.ClosedAt, p.Decision = 0, 0, "", "", time.Time{}, ""
	p.Vote = nil
	login, err := db.userLogin(ctx, q, p.AuthorID)
	if err != nil {
		return drafting.Proposal{}, fail(op, "select author", err, userNotFound)
	}
	p.AuthorLogin = login
	_, err = q.ExecContext(ctx, db.rebind(qInsert), p.DocumentID, p.Number, p.Base, p.AuthorID, p.Title,
		p.Rationale, p.SHA256, p.Size, p.State, db.timeArg(p.CreatedAt), itemsArg(p.Items))
	if err != nil {
		return drafting.Proposal{}, fail(op, fmt.Sprintf("insert proposal %d", p.Number), err, messages{
			drafting.KindConflict: fmt.Sprintf("proposal %d exists", p.Number),
			drafting.KindNotFound: fmt.Sprintf("base revision %d does not exist", p.Base),
			drafting.KindInvalid:  "sha256 must be 64 lowercase hex digits and size not negative",
		})
	}
	return p, nil
}

// Proposal returns proposal n of the document. Errors: not_found.
func (db *DB) Proposal(ctx context.Context, documentID string, n int64) (drafting.Proposal, error) {
	return db.proposal(ctx, db.db, documentID, n)
}

func (db *DB) proposal(ctx context.Context, q querier, documentID string, n int64) (drafting.Proposal, error) {
	const qOne = `SELECT ` + proposalColumns + ` WHERE p.document_id = ? AND p.number = ?`
	p, err := scanProposal(q.QueryRowContext(ctx, db.rebind(qOne), documentID, n))
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

// closeProposal records that the open proposal p.Number is now p.State,
// with p's closing fields, and returns it as stored. The update matches only
// an open row, the schema's triggers refuse any other change: a backstop
// behind drafting, which checked the proposal was open under the
// document's lock. Errors: not_found, conflict (it is not open), invalid
// (no time).
func (db *DB) closeProposal(ctx context.Context, q querier, p drafting.Proposal) (drafting.Proposal, error) {
	const (
		op     = "sqlstore.closeProposal"
		qClose = `UPDATE proposals SET state = ?, merged_revision = ?, closed_by = ?, close_reason = ?, closed_at = ?,
vote_for = ?, vote_against = ?, vote_abstained = ?
WHERE document_id = ? AND number = ? AND state = 'open'`
	)
	if err := requireTime(op, "closed_at", p.ClosedAt); err != nil {
		return drafting.Proposal{}, err
	}
	doing := fmt.Sprintf("close proposal %d", p.Number)
	args := append([]any{p.State, nullID(p.MergedRevision), nullID(p.ClosedBy), p.CloseReason, db.timeArg(p.ClosedAt)},
		voteArgs(p.Vote)...)
	res, err := q.ExecContext(ctx, db.rebind(qClose), append(args, p.DocumentID, p.Number)...)
	if err != nil {
		return drafting.Proposal{}, fail(op, doing, err, messages{drafting.KindNotFound: "the closing user or the merged revision does not exist"})
	}
	if n, err := res.RowsAffected(); err != nil {
		return drafting.Proposal{}, fail(op, doing, err, nil)
	} else if n == 0 {
		if _, err := db.proposal(ctx, q, p.DocumentID, p.Number); err != nil {
			return drafting.Proposal{}, err
		}
		return drafting.Proposal{}, drafting.E(drafting.KindConflict, op, fmt.Sprintf("proposal %d is not open", p.Number))
	}
	return db.proposal(ctx, q, p.DocumentID, p.Number)
}
