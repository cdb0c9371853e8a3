package drafting

import (
	"context"
	"fmt"

	"redline/internal/textdiff"
)

// Proposals is the capability of amendments: proposing, reading, comparing,
// withdrawing, rejecting and merging them.
type Proposals struct{ c *core }

// NewProposal is the input of Propose.
type NewProposal struct {
	Base      int64
	Text      []byte // nil: missing, unless Changes are given
	Title     string
	Rationale string
	// Changes, instead of Text, write the proposal item by item on its base
	// (issue 14); the stored proposal is still the whole text they give.
	Changes []ItemChange
}

// Propose records a member's amendment: a whole new text against a base
// revision, while the procedure allows amendments (not on a document
// adopted as a whole).
func (s *Proposals) Propose(ctx context.Context, actor *User, slug string, in NewProposal) (Proposal, error) {
	const op = "create proposal"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionPropose)
	if err != nil {
		return Proposal{}, err
	}
	if in.Base < 1 {
		return Proposal{}, missing(op, "base")
	}
	if in.Text == nil && in.Changes == nil {
		return Proposal{}, missing(op, "text")
	}
	if in.Text != nil && in.Changes != nil {
		return Proposal{}, Refuse(op, ReasonInvalidInput, "send either the whole text or changes, not both").With("field", "changes")
	}
	title, err := cleanLine(op, "title", in.Title, 300, true)
	if err != nil {
		return Proposal{}, err
	}
	rationale, err := cleanMessage(op, "rationale", in.Rationale, 10000)
	if err != nil {
		return Proposal{}, err
	}
	baseRev, err := c.revision(ctx, op, d, in.Base)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Proposal{}, Refuse(op, ReasonInvalidInput, "base is not a revision of this document").With("field", "base")
		}
		return Proposal{}, err
	}
	baseText, err := c.readText(ctx, baseRev)
	if err != nil {
		return Proposal{}, fmt.Errorf("%s: %w", op, err)
	}
	raw := in.Text
	if in.Changes != nil {
		applied, err := ApplyChanges(op, string(baseText), in.Changes)
		if err != nil {
			return Proposal{}, err
		}
		if applied == string(baseText) {
			return Proposal{}, Refuse(op, ReasonNoChanges, "the changes leave the text as it is").With("field", "changes")
		}
		raw = []byte(applied)
	}
	if blank(raw) {
		return Proposal{}, Refuse(op, ReasonEmptyText, "a proposal needs a text: an empty one would delete everything").With("field", "text")
	}
	text, sum, err := c.storeText(ctx, op, d.ID, raw)
	if err != nil {
		return Proposal{}, err
	}
	own, err := c.diffHashes(ctx, d.ID, baseRev.SHA256, sum, textdiff.ModeLine)
	if err != nil {
		return Proposal{}, err
	}
	items := touchedItems(own, NewOutline(string(baseText), d.Language))
	var p Proposal
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), ActionPropose); err != nil {
			return err
		}
		last, err := tx.LastProposal(ctx)
		if err != nil {
			return err
		}
		now := c.clock()
		p = Proposal{DocumentID: d.ID, Number: last + 1, Base: in.Base, AuthorID: actor.ID, Title: title,
			Rationale: rationale, SHA256: sum, Size: int64(len(text)), State: ProposalOpen, CreatedAt: now, Items: items}
		if p, err = tx.InsertProposal(ctx, p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("proposal.create", actor, d.ID, now, map[string]string{
			"number": itoa(p.Number), "base": itoa(p.Base), "title": title, "sha256": sum}))
		return err
	})
	if err != nil {
		return Proposal{}, err
	}
	return p, nil
}

// List lists a document's proposals, newest first; state filters when
// not "".
func (s *Proposals) List(ctx context.Context, actor *User, slug, state string) ([]Proposal, error) {
	const op = "list proposals"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return nil, err
	}
	switch state {
	case "", ProposalOpen, ProposalMerged, ProposalRejected, ProposalWithdrawn:
	default:
		return nil, Refuse(op, ReasonInvalidInput, "state must be open, merged, rejected or withdrawn").With("field", "state")
	}
	ps, err := s.c.store.ListProposals(ctx, d.ID, state)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", op, slug, err)
	}
	return ps, nil
}

// Get returns proposal n of a document.
func (s *Proposals) Get(ctx context.Context, actor *User, slug string, n int64) (Proposal, error) {
	const op = "get proposal"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Proposal{}, err
	}
	return s.c.proposal(ctx, op, d, n)
}

func (c *core) proposal(ctx context.Context, op string, d Document, n int64) (Proposal, error) {
	if n < 1 {
		return Proposal{}, notFound(op, "proposal", nil)
	}
	p, err := c.store.Proposal(ctx, d.ID, n)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Proposal{}, notFound(op, "proposal", err)
		}
		return Proposal{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, n, err)
	}
	return p, nil
}

// Text returns a proposal with its text, verified against its hash.
func (s *Proposals) Text(ctx context.Context, actor *User, slug string, n int64) (Proposal, []byte, error) {
	const op = "read proposal text"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Proposal{}, nil, err
	}
	p, err := s.c.proposal(ctx, op, d, n)
	if err != nil {
		return Proposal{}, nil, err
	}
	b, err := s.c.readBlob(ctx, d.ID, p.SHA256)
	if err != nil {
		return Proposal{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return p, b, nil
}

// Diff is the redline of a proposal against its base revision (against
// "base") or against the current head ("head").
func (s *Proposals) Diff(ctx context.Context, actor *User, slug string, n int64, against string, mode textdiff.Mode) (Revision, Proposal, *textdiff.Result, error) {
	const op = "diff proposal"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	p, err := c.proposal(ctx, op, d, n)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	var rev Revision
	switch against {
	case "", "base":
		rev, err = c.revision(ctx, op, d, p.Base)
	case "head":
		rev, err = c.store.Head(ctx, d.ID)
	default:
		return Revision{}, Proposal{}, nil, Refuse(op, ReasonInvalidInput, "against must be base or head").With("field", "against")
	}
	if err != nil {
		return Revision{}, Proposal{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	r, err := c.diffHashes(ctx, d.ID, rev.SHA256, p.SHA256, mode)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	return rev, p, r, nil
}

// Withdraw lets a proposal's author take it back while it is open.
func (s *Proposals) Withdraw(ctx context.Context, actor *User, slug string, n int64) (Proposal, error) {
	const op = "withdraw proposal"
	return s.close(ctx, op, actor, slug, n, ActionWithdraw, ProposalWithdrawn, "", nil)
}

// Reject lets a chair turn an open proposal down, with a reason.
func (s *Proposals) Reject(ctx context.Context, actor *User, slug string, n int64, reason string) (Proposal, error) {
	return s.reject(ctx, actor, slug, n, reason, nil)
}

// reject is Reject with the decision's vote, when one was taken.
func (s *Proposals) reject(ctx context.Context, actor *User, slug string, n int64, reason string, vote *Vote) (Proposal, error) {
	const op = "reject proposal"
	if _, err := s.c.stepDocument(ctx, op, actor, slug, ActionReject); err != nil {
		return Proposal{}, err
	}
	reason, err := cleanReason(op, "reason", reason, 5000)
	if err != nil {
		return Proposal{}, err
	}
	if reason == "" {
		return Proposal{}, missing(op, "reason")
	}
	if err := checkVote(op, vote); err != nil {
		return Proposal{}, err
	}
	return s.close(ctx, op, actor, slug, n, ActionReject, ProposalRejected, reason, vote)
}

func (s *Proposals) close(ctx context.Context, op string, actor *User, slug string, n int64, action Action, state, reason string, vote *Vote) (Proposal, error) {
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, action)
	if err != nil {
		return Proposal{}, err
	}
	if _, err := c.proposal(ctx, op, d, n); err != nil {
		return Proposal{}, err
	}
	var out Proposal
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), action); err != nil {
			return err
		}
		p, err := openProposal(ctx, op, tx, n)
		if err != nil {
			return err
		}
		if action == ActionWithdraw && p.AuthorID != actor.ID {
			return Refuse(op, ReasonNotTheAuthor, "only its author withdraws a proposal")
		}
		now := c.clock()
		p.State, p.ClosedBy, p.CloseReason, p.ClosedAt, p.Vote = state, actor.ID, reason, now, vote
		if out, err = tx.CloseProposal(ctx, p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("proposal."+state, actor, d.ID, now,
			addVote(map[string]string{"number": itoa(p.Number), "reason": reason}, vote)))
		return err
	})
	if err != nil {
		return Proposal{}, err
	}
	return out, nil
}

// openProposal is proposal n, refused unless it is open.
func openProposal(ctx context.Context, op string, r DocumentReader, n int64) (Proposal, error) {
	if n < 1 {
		return Proposal{}, notFound(op, "proposal", nil)
	}
	p, err := r.Proposal(ctx, n)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Proposal{}, notFound(op, "proposal", err)
		}
		return Proposal{}, err
	}
	if p.State != ProposalOpen {
		return Proposal{}, Refuse(op, ReasonProposalClosed, "the proposal is "+p.State+", not open").With("state", p.State)
	}
	return p, nil
}
