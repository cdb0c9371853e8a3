package drafting

import (
	"context"
	"fmt"
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

// MergeInput is the input of Merge.
type MergeInput struct {
	// Head is the head revision the chair saw; a stale one is refused
	// (stale_base) with the current head.
	Head int64
	// Text, when not nil, is the text the chair supplies: the resolution of
	// conflicts, or the proposal as the chair changed it.
	Text []byte
	// Message describes the revision; a default names the proposal.
	Message string
	// Vote, when not nil, is how the decision to merge was voted.
	Vote *Vote
}

// Merge makes an open proposal the next revision, while the procedure
// allows merging (not on a document adopted as a whole).
//
// Without a text, the revision is the proposal applied: its own text when
// its base is the head, else a three-way merge of its changes onto the
// head; overlapping changes are a conflict (merge_conflict) listing both
// sides and the merged text, and nothing is committed.
//
// With a text, the chair's text becomes the revision, in every case: the
// revision records both the proposal's author (its author) and the chair
// (MergedBy) with the decision accepted_with_changes, unless the text is
// exactly what the plain merge gives, which is a plain merge (accepted).
// A blank text is refused (empty_text).
func (s *Proposals) Merge(ctx context.Context, actor *User, slug string, n int64, in MergeInput) (Revision, error) {
	const op = "merge proposal"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionMerge)
	if err != nil {
		return Revision{}, err
	}
	if in.Head < 1 {
		return Revision{}, missing(op, "head")
	}
	if err := checkVote(op, in.Vote); err != nil {
		return Revision{}, err
	}
	var (
		p   Proposal
		cur Revision
	)
	if err := c.readDocument(ctx, op, d, func(r DocumentReader) error {
		p, cur, err = c.ruleMerge(ctx, op, actor, r, n, in.Head)
		return err
	}); err != nil {
		return Revision{}, err
	}
	clean, conflicts, err := c.mergeText(ctx, op, d, p, cur)
	if err != nil {
		return Revision{}, err
	}
	text, decision := clean, DecisionAccepted
	switch {
	case in.Text != nil:
		norm, err := NormalizeText(op, in.Text, c.maxTextBytes)
		if err != nil {
			return Revision{}, err
		}
		// A blank text would delete everything in the proposal's author's
		// name, which no proposal may do (empty_text on proposing too).
		if blank([]byte(norm)) {
			return Revision{}, Refuse(op, ReasonEmptyText, "the merged text is empty: it would delete everything").With("field", "text")
		}
		text = norm
		if len(conflicts) > 0 || norm != clean {
			decision = DecisionAcceptedWithChanges
		}
	case len(conflicts) > 0:
		return Revision{}, Refuse(op, ReasonMergeConflict,
			"the proposal and the current draft change the same passages; resolve the conflicts and send the text").
			With("head", cur.Number).With("conflicts", conflicts).With("merged", clean)
	}
	message := in.Message
	if message == "" {
		message = fmt.Sprintf("Принято предложение №%d: %s", p.Number, p.Title)
		if decision == DecisionAcceptedWithChanges {
			message = fmt.Sprintf("Принято предложение №%d с изменениями председателя (%s): %s", p.Number, actor.Login, p.Title)
		}
	}
	msg, err := cleanMessage(op, "message", message, 2000)
	if err != nil {
		return Revision{}, err
	}
	norm, sum, err := c.storeText(ctx, op, d.ID, []byte(text))
	if err != nil {
		return Revision{}, err
	}
	var stored Revision
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		p, cur, err := c.ruleMerge(ctx, op, actor, tx, n, in.Head)
		if err != nil {
			return err
		}
		now := c.clock()
		r := Revision{DocumentID: d.ID, Number: cur.Number + 1, Parent: cur.Number, AuthorID: p.AuthorID, Message: msg,
			SHA256: sum, Size: int64(len(norm)), CreatedAt: now, Proposal: p.Number, MergedBy: actor.ID, Decision: decision}
		if stored, err = tx.InsertRevision(ctx, r); err != nil {
			return err
		}
		p.State, p.MergedRevision, p.ClosedBy, p.ClosedAt, p.Vote = ProposalMerged, r.Number, actor.ID, now, in.Vote
		if _, err := tx.CloseProposal(ctx, p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("proposal.merge", actor, d.ID, now, addVote(map[string]string{
			"proposal": itoa(p.Number), "number": itoa(r.Number), "sha256": sum, "author": p.AuthorLogin,
			"decision": decision}, in.Vote)))
		return err
	})
	if err != nil {
		return Revision{}, err
	}
	if c.hooks.Committed != nil {
		c.hooks.Committed(stored)
	}
	c.warmDiff(d.ID, cur.Number, stored)
	return stored, nil
}

// ruleMerge: the procedure allows actor a merge now, proposal n is open,
// and head is the head.
func (c *core) ruleMerge(ctx context.Context, op string, actor *User, r DocumentReader, n, head int64) (Proposal, Revision, error) {
	if err := c.checkStep(op, actor, r.Document(), ActionMerge); err != nil {
		return Proposal{}, Revision{}, err
	}
	p, err := openProposal(ctx, op, r, n)
	if err != nil {
		return Proposal{}, Revision{}, err
	}
	cur, err := r.Head(ctx)
	if err != nil {
		return Proposal{}, Revision{}, fmt.Errorf("read head: %w", err)
	}
	if cur.Number != head {
		return Proposal{}, Revision{}, staleBase(op, cur.Number)
	}
	return p, cur, nil
}

// mergeText is the proposal applied onto cur: its own text when its base is
// cur, else the three-way merge and its conflicts.
func (c *core) mergeText(ctx context.Context, op string, d Document, p Proposal, cur Revision) (string, []MergeConflict, error) {
	theirs, err := c.readBlob(ctx, d.ID, p.SHA256)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", op, err)
	}
	if p.Base == cur.Number {
		return string(theirs), nil, nil
	}
	base, err := c.revision(ctx, op, d, p.Base)
	if err != nil {
		return "", nil, err
	}
	baseText, err := c.readText(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", op, err)
	}
	ours, err := c.readText(ctx, cur)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", op, err)
	}
	m := textdiff.Merge3(string(baseText), string(ours), string(theirs))
	var cs []MergeConflict
	for _, x := range m.Conflicts {
		cs = append(cs, MergeConflict{Base: x.Base, Head: x.Ours, Proposal: x.Theirs})
	}
	return m.Text, cs, nil
}

// touched is the set of base paragraphs a proposal touches, each named by its
// text (so proposals against different bases compare where the paragraphs
// did not change between them); an insertion touches the paragraph before it.
func (c *core) touched(ctx context.Context, d Document, p Proposal) (map[string]bool, error) {
	base, err := c.revision(ctx, "find collisions", d, p.Base)
	if err != nil {
		return nil, err
	}
	r, err := c.diffHashes(ctx, d.ID, base.SHA256, p.SHA256, textdiff.ModeLine)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	prev := "(начало документа)"
	for _, para := range r.Paragraphs {
		var old string
		for _, ch := range para.Chunks {
			if ch.Op != textdiff.OpInsert {
				old += ch.Text
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
