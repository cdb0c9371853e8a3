package drafting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"redline/internal/textdiff"
)

// NewProposal is the input of Propose.
type NewProposal struct {
	Base      int64
	Text      []byte // nil: missing
	Title     string
	Rationale string
}

// Propose records a member's amendment: a whole new text against a base
// revision.
func (s *Service) Propose(ctx context.Context, actor *User, slug string, in NewProposal) (Proposal, error) {
	const op = "create proposal"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActCreate)
	if err != nil {
		return Proposal{}, err
	}
	if in.Base < 1 {
		return Proposal{}, E(KindInvalid, op, "base is required: the revision the proposal was written against")
	}
	if in.Text == nil {
		return Proposal{}, E(KindInvalid, op, "text is required")
	}
	title, err := cleanLine(op, "title", in.Title, 300, true)
	if err != nil {
		return Proposal{}, err
	}
	rationale, err := cleanMessage(op, "rationale", in.Rationale, 10000)
	if err != nil {
		return Proposal{}, err
	}
	base, err := s.revision(ctx, op, d, in.Base)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Proposal{}, E(KindInvalid, op, "base is not a revision of this document")
		}
		return Proposal{}, err
	}
	text, sum, err := s.storeText(ctx, op, d.ID, in.Text)
	if err != nil {
		return Proposal{}, err
	}
	now := s.clock()
	p := Proposal{DocumentID: d.ID, Base: base.Number, AuthorID: actor.ID, AuthorLogin: actor.Login,
		Title: title, Rationale: rationale, SHA256: sum, Size: int64(len(text)), State: ProposalOpen, CreatedAt: now}
	ev := NewEvent("proposal.create", actor, d.ID, now, map[string]string{
		"base": itoa(p.Base), "title": title, "sha256": sum})
	p, err = s.store.CreateProposal(ctx, p, ev)
	if err != nil {
		return Proposal{}, fmt.Errorf("%s on %s: %w", op, slug, err)
	}
	return p, nil
}

// storeText validates a text and writes its blob, returning the normalised
// text and its hash.
func (s *Service) storeText(ctx context.Context, op, docID string, raw []byte) (string, string, error) {
	text, err := NormalizeText(op, raw, s.maxTextBytes)
	if err != nil {
		return "", "", err
	}
	b := sha256.Sum256([]byte(text))
	sum := hex.EncodeToString(b[:])
	if err := s.blobs.Put(ctx, BlobKey(docID, sum), []byte(text), sum); err != nil {
		return "", "", fmt.Errorf("store text: %w", err)
	}
	if s.hooks.BlobWritten != nil {
		s.hooks.BlobWritten(len(text))
	}
	return text, sum, nil
}

// Proposals lists a document's proposals, newest first; state filters when
// not "".
func (s *Service) Proposals(ctx context.Context, actor *User, slug, state string) ([]Proposal, error) {
	const op = "list proposals"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return nil, err
	}
	switch state {
	case "", ProposalOpen, ProposalMerged, ProposalRejected, ProposalWithdrawn:
	default:
		return nil, E(KindInvalid, op, "state must be open, merged, rejected or withdrawn")
	}
	ps, err := s.store.ListProposals(ctx, d.ID, state)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", op, slug, err)
	}
	return ps, nil
}

// Proposal returns proposal n of a document.
func (s *Service) Proposal(ctx context.Context, actor *User, slug string, n int64) (Proposal, error) {
	const op = "get proposal"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Proposal{}, err
	}
	return s.proposal(ctx, op, d, n)
}

func (s *Service) proposal(ctx context.Context, op string, d Document, n int64) (Proposal, error) {
	if n < 1 {
		return Proposal{}, E(KindNotFound, op, "proposal not found")
	}
	p, err := s.store.Proposal(ctx, d.ID, n)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Proposal{}, Wrap(KindNotFound, op, "proposal not found", err)
		}
		return Proposal{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, n, err)
	}
	return p, nil
}

// ProposalText returns a proposal with its text, verified against its hash.
func (s *Service) ProposalText(ctx context.Context, actor *User, slug string, n int64) (Proposal, []byte, error) {
	const op = "read proposal text"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Proposal{}, nil, err
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return Proposal{}, nil, err
	}
	b, err := s.readBlob(ctx, d.ID, p.SHA256)
	if err != nil {
		return Proposal{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return p, b, nil
}

// ProposalDiff is the redline of a proposal against its base revision
// (against "base") or against the current head ("head").
func (s *Service) ProposalDiff(ctx context.Context, actor *User, slug string, n int64, against string, mode textdiff.Mode) (Revision, Proposal, *textdiff.Result, error) {
	const op = "diff proposal"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	var rev Revision
	switch against {
	case "", "base":
		rev, err = s.revision(ctx, op, d, p.Base)
	case "head":
		rev, err = s.store.Head(ctx, d.ID)
	default:
		return Revision{}, Proposal{}, nil, E(KindInvalid, op, "against must be base or head")
	}
	if err != nil {
		return Revision{}, Proposal{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	r, err := s.diffHashes(ctx, d.ID, rev.SHA256, p.SHA256, mode)
	if err != nil {
		return Revision{}, Proposal{}, nil, err
	}
	return rev, p, r, nil
}

// diffHashes is the cached redline between two stored texts.
func (s *Service) diffHashes(ctx context.Context, docID, from, to string, mode textdiff.Mode) (*textdiff.Result, error) {
	key := diffKey{from, to, mode}
	if r, ok := s.diffs.get(key); ok {
		return r, nil
	}
	a, err := s.readBlob(ctx, docID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.readBlob(ctx, docID, to)
	if err != nil {
		return nil, err
	}
	r := textdiff.Diff(string(a), string(b), textdiff.Options{Mode: mode})
	s.diffs.put(key, r, len(a)+len(b))
	return r, nil
}

// Withdraw lets a proposal's author take it back.
func (s *Service) Withdraw(ctx context.Context, actor *User, slug string, n int64) (Proposal, error) {
	const op = "withdraw proposal"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Proposal{}, err
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return Proposal{}, err
	}
	if p.AuthorID != actor.ID {
		return Proposal{}, E(KindForbidden, op, "only its author withdraws a proposal")
	}
	return s.closeProposal(ctx, op, actor, d, p, ProposalWithdrawn, "")
}

// Reject lets a chair turn a proposal down, with a reason.
func (s *Service) Reject(ctx context.Context, actor *User, slug string, n int64, reason string) (Proposal, error) {
	const op = "reject proposal"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActReject)
	if err != nil {
		return Proposal{}, err
	}
	reason, err = cleanMessage(op, "reason", reason, 5000)
	if err != nil {
		return Proposal{}, err
	}
	if reason == "" {
		return Proposal{}, E(KindInvalid, op, "a reason is required to reject a proposal")
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return Proposal{}, err
	}
	return s.closeProposal(ctx, op, actor, d, p, ProposalRejected, reason)
}

func (s *Service) closeProposal(ctx context.Context, op string, actor *User, d Document, p Proposal, state, reason string) (Proposal, error) {
	if p.State != ProposalOpen {
		return Proposal{}, &Error{Kind: KindConflict, Op: op, Message: "the proposal is " + p.State + ", not open",
			Details: map[string]any{"state": p.State}}
	}
	now := s.clock()
	ev := NewEvent("proposal."+state, actor, d.ID, now, map[string]string{"number": itoa(p.Number), "reason": reason})
	p, err := s.store.CloseProposal(ctx, d.ID, p.Number, state, actor.ID, reason, now, ev)
	if err != nil {
		return Proposal{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, p.Number, err)
	}
	return p, nil
}

// readBlob reads a stored text of a document by hash and verifies it.
func (s *Service) readBlob(ctx context.Context, docID, sum string) ([]byte, error) {
	return s.readText(ctx, Revision{DocumentID: docID, SHA256: sum})
}
