package sqlstore

import (
	"context"
	"fmt"
	"time"

	"redline/internal/drafting"
)

// adoptionColumns is the select list scanAdoption reads. archived_at is
// NULL until the archive copy is made.
const adoptionColumns = `a.id, a.document_id, a.revision, a.sha256, a.size, a.stage, a.note, a.override_reason,
a.chair_id, u.login, a.created_at, a.archived_at, a.vote_for, a.vote_against, a.vote_abstained
FROM adoptions a JOIN users u ON u.id = a.chair_id`

func scanAdoption(row interface{ Scan(...any) error }) (drafting.Adoption, error) {
	var (
		a    drafting.Adoption
		vote voteCols
	)
	err := row.Scan(append([]any{&a.ID, &a.DocumentID, &a.Revision, &a.SHA256, &a.Size, &a.Stage, &a.Note, &a.OverrideReason,
		&a.ChairID, &a.ChairLogin, timeCol{&a.CreatedAt}, nullTimeCol{&a.ArchivedAt}}, vote.dest()...)...)
	a.Vote = vote.vote()
	return a, err
}

// insertAdoption inserts a with archived_at NULL, which queues its archive
// copy (PendingArchives), and returns it with its ID and ChairLogin.
// Errors: not_found (no such revision or chair), invalid (no time, a stage
// neither basis nor final, a malformed hash).
func (db *DB) insertAdoption(ctx context.Context, q querier, a drafting.Adoption) (drafting.Adoption, error) {
	const (
		op      = "sqlstore.insertAdoption"
		qInsert = `INSERT INTO adoptions (document_id, revision, sha256, size, stage, note, override_reason, chair_id,
created_at, vote_for, vote_against, vote_abstained) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	)
	if err := requireTime(op, "created_at", a.CreatedAt); err != nil {
		return drafting.Adoption{}, err
	}
	login, err := db.userLogin(ctx, q, a.ChairID)
	if err != nil {
		return drafting.Adoption{}, fail(op, "select chair", err, userNotFound)
	}
	a.ChairLogin, a.ArchivedAt = login, time.Time{}
	args := append([]any{a.DocumentID, a.Revision, a.SHA256, a.Size, a.Stage,
		a.Note, a.OverrideReason, a.ChairID, db.timeArg(a.CreatedAt)}, voteArgs(a.Vote)...)
	err = q.QueryRowContext(ctx, db.rebind(qInsert), args...).Scan(&a.ID)
	if err != nil {
		return drafting.Adoption{}, fail(op, fmt.Sprintf("insert adoption of revision %d", a.Revision), err, messages{
			drafting.KindNotFound: "revision not found",
			drafting.KindInvalid:  "stage must be basis or final, sha256 64 lowercase hex digits",
		})
	}
	return a, nil
}

// Adoptions returns the document's adoptions, oldest first; an unknown
// document has none.
func (db *DB) Adoptions(ctx context.Context, documentID string) ([]drafting.Adoption, error) {
	return db.adoptions(ctx, db.db, documentID)
}

func (db *DB) adoptions(ctx context.Context, q querier, documentID string) ([]drafting.Adoption, error) {
	const qAll = `SELECT ` + adoptionColumns + ` WHERE a.document_id = ? ORDER BY a.id`
	return db.listAdoptions(ctx, q, "sqlstore.Adoptions", qAll, documentID)
}

// PendingArchives returns the adoptions of every document whose archive
// copy is not made yet, oldest first.
func (db *DB) PendingArchives(ctx context.Context) ([]drafting.Adoption, error) {
	const q = `SELECT ` + adoptionColumns + ` WHERE a.archived_at IS NULL ORDER BY a.id`
	return db.listAdoptions(ctx, db.db, "sqlstore.PendingArchives", q)
}

func (db *DB) listAdoptions(ctx context.Context, on querier, op, q string, args ...any) ([]drafting.Adoption, error) {
	rows, err := on.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fail(op, "select adoptions", err, nil)
	}
	list, err := collect(rows, scanAdoption)
	if err != nil {
		return nil, fail(op, "read adoptions", err, nil)
	}
	return list, nil
}

// MarkArchived records that an adoption's archive copy exists, at at.
// Marking one already marked is not an error and keeps the first time.
// Errors: not_found, invalid (no time).
func (db *DB) MarkArchived(ctx context.Context, adoptionID int64, at time.Time) error {
	const (
		op      = "sqlstore.MarkArchived"
		qMark   = `UPDATE adoptions SET archived_at = ? WHERE id = ? AND archived_at IS NULL`
		qExists = `SELECT COUNT(*) FROM adoptions WHERE id = ?`
	)
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	res, err := db.autocommit().ExecContext(ctx, db.rebind(qMark), db.timeArg(at), adoptionID)
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

// reopeningColumns is the select list scanReopening reads.
const reopeningColumns = `r.id, r.document_id, r.adoption_id, r.reason, r.actor_id, u.login, r.at
FROM reopenings r JOIN users u ON u.id = r.actor_id`

func scanReopening(row interface{ Scan(...any) error }) (drafting.Reopening, error) {
	var r drafting.Reopening
	err := row.Scan(&r.ID, &r.DocumentID, &r.Adoption, &r.Reason, &r.ActorID, &r.ActorLogin, timeCol{&r.At})
	return r, err
}

// insertReopening inserts r and returns it with its ID and ActorLogin.
// Errors: not_found (no such adoption or actor), invalid (no time, an
// empty reason).
func (db *DB) insertReopening(ctx context.Context, q querier, r drafting.Reopening) (drafting.Reopening, error) {
	const (
		op      = "sqlstore.insertReopening"
		qInsert = `INSERT INTO reopenings (document_id, adoption_id, reason, actor_id, at) VALUES (?, ?, ?, ?, ?) RETURNING id`
	)
	if err := requireTime(op, "at", r.At); err != nil {
		return drafting.Reopening{}, err
	}
	login, err := db.userLogin(ctx, q, r.ActorID)
	if err != nil {
		return drafting.Reopening{}, fail(op, "select actor", err, userNotFound)
	}
	r.ActorLogin = login
	err = q.QueryRowContext(ctx, db.rebind(qInsert), r.DocumentID, r.Adoption, r.Reason, r.ActorID, db.timeArg(r.At)).Scan(&r.ID)
	if err != nil {
		return drafting.Reopening{}, fail(op, "insert reopening", err, messages{
			drafting.KindNotFound: "adoption not found",
			drafting.KindInvalid:  "a reopening needs a reason",
		})
	}
	return r, nil
}

// Reopenings returns the document's reopenings, oldest first; an unknown
// document has none.
func (db *DB) Reopenings(ctx context.Context, documentID string) ([]drafting.Reopening, error) {
	const (
		op = "sqlstore.Reopenings"
		q  = `SELECT ` + reopeningColumns + ` WHERE r.document_id = ? ORDER BY r.id`
	)
	rows, err := db.db.QueryContext(ctx, db.rebind(q), documentID)
	if err != nil {
		return nil, fail(op, "select reopenings", err, nil)
	}
	list, err := collect(rows, scanReopening)
	if err != nil {
		return nil, fail(op, "read reopenings", err, nil)
	}
	return list, nil
}
