package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
)

// The store decides nothing: drafting reads and writes a document inside
// one unit of work (InDocument) and appends the change's event last. These
// helpers make the single changes the conformance suite exercises the way
// drafting makes them, with the mechanical parts drafting does (numbers
// from the head or the last proposal, the times of the service's clock), so
// that the suite tests what the store keeps and refuses, and that the lock
// serialises units of work. The procedure's rules are drafting's and are
// tested there.

// now is the service's clock as the tests stand in for it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// withData returns e with extra added to a copy of its data.
func withData(e drafting.Event, extra map[string]string) drafting.Event {
	data := make(map[string]string, len(e.Data)+len(extra))
	maps.Copy(data, e.Data)
	maps.Copy(data, extra)
	e.Data = data
	return e
}

// commitRevision inserts r as revision base+1 when base is the head, as
// drafting's commit does (a stale base is a conflict naming the head).
func commitRevision(ctx context.Context, db *sqlstore.DB, r drafting.Revision, base int64, e drafting.Event) (drafting.Revision, error) {
	if base < 0 || r.Proposal != 0 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, "test commit", "a base of 0 or more, and no proposal")
	}
	var out drafting.Revision
	err := db.InDocument(ctx, r.DocumentID, func(tx drafting.DocumentTx) error {
		if err := headIs(ctx, tx, base); err != nil {
			return err
		}
		r.Number, r.Parent = base+1, base
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now()
		}
		var err error
		if out, err = tx.InsertRevision(ctx, r); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return out, err
}

func headIs(ctx context.Context, tx drafting.DocumentReader, base int64) error {
	head := int64(0)
	h, err := tx.Head(ctx)
	switch {
	case err == nil:
		head = h.Number
	case drafting.ErrorKind(err) != drafting.KindNotFound:
		return err
	}
	if head != base {
		return drafting.Refuse("test commit", drafting.ReasonStaleBase, fmt.Sprintf("the head is %d", head)).With("head", head)
	}
	return nil
}

// commitMerge inserts r as revision base+1 and closes its proposal as
// merged into it, in one unit of work.
func commitMerge(ctx context.Context, db *sqlstore.DB, r drafting.Revision, base int64, e drafting.Event) (drafting.Revision, error) {
	if base < 0 || r.Proposal < 1 {
		return drafting.Revision{}, drafting.E(drafting.KindInvalid, "test merge", "a base of 0 or more, and a proposal")
	}
	var out drafting.Revision
	err := db.InDocument(ctx, r.DocumentID, func(tx drafting.DocumentTx) error {
		if err := headIs(ctx, tx, base); err != nil {
			return err
		}
		r.Number, r.Parent = base+1, base
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now()
		}
		var err error
		if out, err = tx.InsertRevision(ctx, r); err != nil {
			return err
		}
		p, err := tx.Proposal(ctx, r.Proposal)
		if err != nil {
			return err
		}
		p.State, p.MergedRevision, p.ClosedBy, p.ClosedAt = drafting.ProposalMerged, r.Number, r.MergedBy, r.CreatedAt
		if _, err := tx.CloseProposal(ctx, p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return out, err
}

// createProposal inserts p as the document's next proposal; the event gets
// its number.
func createProposal(ctx context.Context, db *sqlstore.DB, p drafting.Proposal, e drafting.Event) (drafting.Proposal, error) {
	var out drafting.Proposal
	err := db.InDocument(ctx, p.DocumentID, func(tx drafting.DocumentTx) error {
		last, err := tx.LastProposal(ctx)
		if err != nil {
			return err
		}
		p.Number, p.CreatedAt = last+1, now()
		if out, err = tx.InsertProposal(ctx, p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, withData(e, map[string]string{"number": fmt.Sprint(out.Number)}))
		return err
	})
	return out, err
}

// closeProposal closes proposal n as state, by by, with reason, at at (now
// when zero).
func closeProposal(ctx context.Context, db *sqlstore.DB, docID string, n int64, state string, by int64, reason string,
	at time.Time, e drafting.Event) (drafting.Proposal, error) {
	if at.IsZero() {
		at = now()
	}
	var out drafting.Proposal
	err := db.InDocument(ctx, docID, func(tx drafting.DocumentTx) error {
		var err error
		out, err = tx.CloseProposal(ctx, drafting.Proposal{Number: n, State: state, ClosedBy: by, CloseReason: reason, ClosedAt: at})
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return out, err
}

// createApproval inserts a.
func createApproval(ctx context.Context, db *sqlstore.DB, a drafting.Approval, e drafting.Event) (drafting.Approval, error) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	var out drafting.Approval
	err := db.InDocument(ctx, a.DocumentID, func(tx drafting.DocumentTx) error {
		var err error
		if out, err = tx.InsertApproval(ctx, a); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return out, err
}

// createAdoption inserts a and moves the document to its stage; the event
// gets the adoption's ID.
func createAdoption(ctx context.Context, db *sqlstore.DB, a drafting.Adoption, e drafting.Event) (drafting.Adoption, error) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	var out drafting.Adoption
	err := db.InDocument(ctx, a.DocumentID, func(tx drafting.DocumentTx) error {
		var err error
		if out, err = tx.InsertAdoption(ctx, a); err != nil {
			return err
		}
		if err := tx.SetState(ctx, drafting.State(a.Stage)); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, withData(e, map[string]string{"adoption": fmt.Sprint(out.ID)}))
		return err
	})
	return out, err
}

// setRole gives a.UserID the role a.Role on a.DocumentID.
func setRole(ctx context.Context, db *sqlstore.DB, a drafting.RoleAssignment, e drafting.Event) error {
	if a.GrantedAt.IsZero() {
		a.GrantedAt = now()
	}
	return db.InDocument(ctx, a.DocumentID, func(tx drafting.DocumentTx) error {
		if err := tx.SetRole(ctx, a); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// removeRole takes userID's role on docID away.
func removeRole(ctx context.Context, db *sqlstore.DB, docID string, userID, actorID int64, e drafting.Event) error {
	return db.InDocument(ctx, docID, func(tx drafting.DocumentTx) error {
		if err := tx.RemoveRole(ctx, userID, actorID, now()); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// createComment inserts c (now, when it has no time); the event gets its
// ID and, for a first comment, its thread.
func createComment(ctx context.Context, db *sqlstore.DB, c drafting.Comment, e drafting.Event) (drafting.Comment, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	var out drafting.Comment
	err := db.InDocument(ctx, c.DocumentID, func(tx drafting.DocumentTx) error {
		var err error
		if out, err = tx.InsertComment(ctx, c); err != nil {
			return err
		}
		data := map[string]string{"comment": fmt.Sprint(out.ID)}
		if out.ReplyTo == 0 {
			data["thread"] = fmt.Sprint(out.Thread)
		}
		_, err = tx.AppendEvent(ctx, withData(e, data))
		return err
	})
	return out, err
}

// editComment replaces comment id's body at at (now when zero).
func editComment(ctx context.Context, db *sqlstore.DB, docID string, id int64, body string, at time.Time, e drafting.Event) (drafting.Comment, error) {
	if at.IsZero() {
		at = now()
	}
	var out drafting.Comment
	err := db.InDocument(ctx, docID, func(tx drafting.DocumentTx) error {
		var err error
		if out, err = tx.EditComment(ctx, id, body, at); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return out, err
}

// setThreadResolved resolves or reopens a thread at at (now when zero).
func setThreadResolved(ctx context.Context, db *sqlstore.DB, docID string, thread int64, resolved bool, by int64, at time.Time, e drafting.Event) error {
	if at.IsZero() {
		at = now()
	}
	return db.InDocument(ctx, docID, func(tx drafting.DocumentTx) error {
		if err := tx.SetThreadResolved(ctx, thread, resolved, by, at); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// hideComment hides comment id at at (now when zero).
func hideComment(ctx context.Context, db *sqlstore.DB, docID string, id, by int64, reason string, at time.Time, e drafting.Event) error {
	if at.IsZero() {
		at = now()
	}
	return db.InDocument(ctx, docID, func(tx drafting.DocumentTx) error {
		if err := tx.HideComment(ctx, id, by, reason, at); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// testUnitOfWork checks the unit of work itself: a failing one leaves no
// trace, the document is read under the lock with its state, the members
// with whether their accounts are disabled, a snapshot reads the same, and
// a missing document is not found.
func testUnitOfWork(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	chair := mustUser(t, db, "chair")
	member := mustUser(t, db, "member")
	d, err := db.CreateDocument(ctx, newDoc("unit", chair.ID), ptr(rev("", chair.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the rule said no")
	err = refused(t, raw, drafting.KindInternal, "a unit of work whose rule refuses after writing", func() error {
		return db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
			r := rev(d.ID, chair.ID, "v2")
			r.Number, r.Parent = 2, 1
			if _, err := tx.InsertRevision(ctx, r); err != nil {
				return err
			}
			if err := tx.SetState(ctx, drafting.StateFinal); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(ctx, ev("revision.commit")); err != nil {
				return err
			}
			return failed
		})
	})
	if !errors.Is(err, failed) {
		t.Errorf("the unit of work's own error was not returned as it was: %v", err)
	}
	if got, _ := db.DocumentBySlug(ctx, "unit"); got.State != drafting.StateDrafting {
		t.Errorf("state after a rolled-back unit of work: %q", got.State)
	}
	refusal := drafting.Refuse("test", drafting.ReasonNotHead, "no").With("head", int64(1))
	err = db.InDocument(ctx, d.ID, func(drafting.DocumentTx) error { return refusal })
	if drafting.ErrorReason(err) != drafting.ReasonNotHead || drafting.ErrorDetails(err)["head"] != int64(1) {
		t.Errorf("a refusal from the unit of work lost its reason or details: %v", err)
	}

	for _, a := range []drafting.RoleAssignment{
		{DocumentID: d.ID, UserID: chair.ID, Role: drafting.RoleChair},
		{DocumentID: d.ID, UserID: member.ID, Role: drafting.RoleMember},
	} {
		if err := setRole(ctx, db, a, ev("role.grant")); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetUserDisabled(ctx, member.ID, true, ev("user.disable")); err != nil {
		t.Fatal(err)
	}
	check := func(how string, r drafting.DocumentReader) {
		t.Helper()
		if r.Document().ID != d.ID || r.Document().State != drafting.StateDrafting {
			t.Errorf("%s: document %+v", how, r.Document())
		}
		ms, err := r.Members(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, m := range ms {
			got[m.Login] = fmt.Sprint(m.Role, " disabled=", m.Disabled)
		}
		want := map[string]string{"chair": "chair disabled=false", "member": "member disabled=true"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: members (-want +got):\n%s", how, diff)
		}
		if h, err := r.Head(ctx); err != nil || h.Number != 1 {
			t.Errorf("%s: head %d, %v", how, h.Number, err)
		}
		if n, err := r.LastProposal(ctx); err != nil || n != 0 {
			t.Errorf("%s: last proposal %d, %v", how, n, err)
		}
	}
	if err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
		check("under the lock", tx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReadDocument(ctx, d.ID, func(r drafting.DocumentReader) error {
		check("on a snapshot", r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"InDocument":   db.InDocument(ctx, "no-such-document", func(drafting.DocumentTx) error { return nil }),
		"ReadDocument": db.ReadDocument(ctx, "no-such-document", func(drafting.DocumentReader) error { return nil }),
	} {
		if drafting.ErrorKind(err) != drafting.KindNotFound {
			t.Errorf("%s of a missing document: %v", what, err)
		}
	}
	// A decision is recorded only on a revision that merges a proposal.
	refused(t, raw, drafting.KindInvalid, "a decision on a plain revision", func() error {
		return db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
			r := rev(d.ID, chair.ID, "v2")
			r.Number, r.Parent, r.Decision = 2, 1, drafting.DecisionAcceptedWithChanges
			_, err := tx.InsertRevision(ctx, r)
			return err
		})
	})
}
