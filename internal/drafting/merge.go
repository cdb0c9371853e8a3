package drafting

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"redline/internal/textdiff"
)

// MergeConflict is one region where the head and the proposal both changed
// the base differently; nothing is committed while any remains.
type MergeConflict struct {
	Base     string `json:"base"`
	Head     string `json:"head"`
	Proposal string `json:"proposal"`
}

// Merge makes an open proposal the next revision. head is the head the chair
// saw (a stale one is a conflict carrying the current head). When the
// proposal's base is the head, its text becomes the revision; when the head
// has moved, a three-way merge carries the proposal's changes onto the head,
// and overlapping changes are a conflict listing both sides, with nothing
// committed. The revision's author is the proposal's; the chair merges it.
func (s *Service) Merge(ctx context.Context, actor *User, slug string, n, head int64) (Revision, error) {
	const op = "merge proposal"
	d, p, cur, err := s.mergeable(ctx, op, actor, slug, n, head)
	if err != nil {
		return Revision{}, err
	}
	theirs, err := s.readBlob(ctx, d.ID, p.SHA256)
	if err != nil {
		return Revision{}, fmt.Errorf("%s: %w", op, err)
	}
	text := theirs
	if p.Base != cur.Number {
		base, err := s.revision(ctx, op, d, p.Base)
		if err != nil {
			return Revision{}, err
		}
		baseText, err := s.readText(ctx, base)
		if err != nil {
			return Revision{}, fmt.Errorf("%s: %w", op, err)
		}
		ours, err := s.readText(ctx, cur)
		if err != nil {
			return Revision{}, fmt.Errorf("%s: %w", op, err)
		}
		m := textdiff.Merge3(string(baseText), string(ours), string(theirs))
		if len(m.Conflicts) > 0 {
			cs := make([]MergeConflict, len(m.Conflicts))
			for i, c := range m.Conflicts {
				cs[i] = MergeConflict{Base: c.Base, Head: c.Ours, Proposal: c.Theirs}
			}
			return Revision{}, &Error{Kind: KindConflict, Op: op,
				Message: "the proposal and the current draft change the same passages; resolve the conflicts and commit the result",
				Details: map[string]any{"head": cur.Number, "conflicts": cs, "merged": m.Text}}
		}
		text = []byte(m.Text)
	}
	return s.commitMerge(ctx, op, actor, d, p, cur.Number, text, fmt.Sprintf("Принято предложение №%d: %s", p.Number, p.Title))
}

// ResolveMerge commits a chair's resolution of a conflicting merge: text
// becomes the next revision on head and closes the proposal as merged.
func (s *Service) ResolveMerge(ctx context.Context, actor *User, slug string, n, head int64, text []byte, message string) (Revision, error) {
	const op = "resolve merge"
	d, p, cur, err := s.mergeable(ctx, op, actor, slug, n, head)
	if err != nil {
		return Revision{}, err
	}
	if text == nil {
		return Revision{}, E(KindInvalid, op, "text is required: the resolved text")
	}
	if message == "" {
		message = fmt.Sprintf("Принято предложение №%d с правкой председателя: %s", p.Number, p.Title)
	}
	return s.commitMerge(ctx, op, actor, d, p, cur.Number, text, message)
}

func (s *Service) mergeable(ctx context.Context, op string, actor *User, slug string, n, head int64) (Document, Proposal, Revision, error) {
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActMerge)
	if err != nil {
		return Document{}, Proposal{}, Revision{}, err
	}
	if head < 1 {
		return Document{}, Proposal{}, Revision{}, E(KindInvalid, op, "head is required: the head revision you saw")
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return Document{}, Proposal{}, Revision{}, err
	}
	if p.State != ProposalOpen {
		return Document{}, Proposal{}, Revision{}, &Error{Kind: KindConflict, Op: op,
			Message: "the proposal is " + p.State + ", not open", Details: map[string]any{"state": p.State}}
	}
	cur, err := s.store.Head(ctx, d.ID)
	if err != nil {
		return Document{}, Proposal{}, Revision{}, fmt.Errorf("%s: read head: %w", op, err)
	}
	if cur.Number != head {
		return Document{}, Proposal{}, Revision{}, staleBase(op, cur.Number)
	}
	return d, p, cur, nil
}

func (s *Service) commitMerge(ctx context.Context, op string, actor *User, d Document, p Proposal, base int64, raw []byte, message string) (Revision, error) {
	text, sum, err := s.storeText(ctx, op, d.ID, raw)
	if err != nil {
		return Revision{}, err
	}
	msg, err := cleanMessage(op, "message", message, 2000)
	if err != nil {
		return Revision{}, err
	}
	now := s.clock()
	r := Revision{DocumentID: d.ID, AuthorID: p.AuthorID, AuthorLogin: p.AuthorLogin, Message: msg,
		SHA256: sum, Size: int64(len(text)), CreatedAt: now, Proposal: p.Number, MergedBy: actor.ID, MergedByLogin: actor.Login}
	ev := NewEvent("proposal.merge", actor, d.ID, now, map[string]string{
		"proposal": itoa(p.Number), "number": itoa(base + 1), "sha256": sum})
	r, err = s.store.CommitMerge(ctx, r, base, ev)
	if err != nil {
		return Revision{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, p.Number, err)
	}
	if s.hooks.Committed != nil {
		s.hooks.Committed(r)
	}
	return r, nil
}

// Collision is an open proposal that touches some of the same paragraphs.
type Collision struct {
	Proposal   Proposal
	Paragraphs []string // the shared paragraphs, as their base text reads
}

// Collisions lists the open proposals that change, delete, move or insert
// next to any paragraph that proposal n also touches.
func (s *Service) Collisions(ctx context.Context, actor *User, slug string, n int64) ([]Collision, error) {
	const op = "find collisions"
	d, err := s.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return nil, err
	}
	p, err := s.proposal(ctx, op, d, n)
	if err != nil {
		return nil, err
	}
	mine, err := s.touched(ctx, d, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	open, err := s.store.ListProposals(ctx, d.ID, ProposalOpen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var out []Collision
	for _, q := range open {
		if q.Number == p.Number {
			continue
		}
		theirs, err := s.touched(ctx, d, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		var shared []string
		for key := range mine {
			if theirs[key] {
				shared = append(shared, key)
			}
		}
		if len(shared) > 0 {
			slices.Sort(shared)
			out = append(out, Collision{Proposal: q, Paragraphs: shared})
		}
	}
	return out, nil
}

// touched is the set of base paragraphs a proposal touches, each named by its
// text (so proposals against different bases compare where the paragraphs
// did not change between them); an insertion touches the paragraph before it.
func (s *Service) touched(ctx context.Context, d Document, p Proposal) (map[string]bool, error) {
	base, err := s.revision(ctx, "find collisions", d, p.Base)
	if err != nil {
		return nil, err
	}
	r, err := s.diffHashes(ctx, d.ID, base.SHA256, p.SHA256, textdiff.ModeLine)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	prev := "(начало документа)"
	for _, para := range r.Paragraphs {
		var old string
		for _, c := range para.Chunks {
			if c.Op != textdiff.OpInsert {
				old += c.Text
			}
		}
		old = strings.TrimSpace(old)
		switch para.Kind {
		case textdiff.KindEqual, textdiff.KindRenumbered:
		case textdiff.KindInserted, textdiff.KindMovedTo:
			set[prev] = true
		default:
			set[old] = true
		}
		if para.OldIndex >= 0 && old != "" {
			prev = old
		}
	}
	return set, nil
}
