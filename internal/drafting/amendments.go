package drafting

// issue 14: the table of amendments (таблица поправок) and the
// consolidated text.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"redline/internal/textdiff"
)

// The filters of the table of amendments by decision.
const (
	FilterAccepted = "accepted" // к принятию: accepted, with or without changes
	FilterRejected = "rejected" // к отклонению
	FilterOpen     = "open"     // не рассмотрено
)

// AmendmentRow is one amendment in the table.
type AmendmentRow struct {
	// No is the row's number in the whole table, 1 upwards (a filtered
	// table keeps the numbers).
	No       int
	Proposal Proposal
	// Items are the items it touches, labelled in its base.
	Items []ItemRef
	// Changes are the changed paragraphs of its redline against its base,
	// each a list of chunks: the text of the draft is the equal and deleted
	// chunks, the proposed wording the equal and inserted ones.
	Changes [][]textdiff.Chunk
	// Author is the author's name (the login when there is none).
	Author string
	// Decision is accepted, accepted_with_changes, rejected, or "" while
	// open.
	Decision string
	// DecidedBy is the chair who decided (name, or login).
	DecidedBy string
	// Reason is a rejection's reason.
	Reason string
	// Vote is the decision's vote, nil when none was taken.
	Vote *Vote
}

// Draft is the text of the draft the row changes, its paragraphs joined by
// blank lines.
func (r AmendmentRow) Draft() string { return r.side(textdiff.OpDelete) }

// Proposed is the row's proposed wording.
func (r AmendmentRow) Proposed() string { return r.side(textdiff.OpInsert) }

func (r AmendmentRow) side(keep string) string {
	// A paragraph replaced as a whole is one change deleting it and one
	// inserting the new one: each side skips the other's, so a cell does
	// not begin or end with blank lines.
	var parts []string
	for _, ch := range r.Changes {
		var b strings.Builder
		for _, c := range ch {
			if c.Op == textdiff.OpEqual || c.Op == keep {
				b.WriteString(c.Text)
			}
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	return strings.Join(parts, "\n\n")
}

// AmendmentTable is the table of amendments of a document for a basis
// revision: every amendment written on it or later, not withdrawn, in the
// order they were made.
type AmendmentTable struct {
	Document Document
	Basis    int64
	Filter   string
	Rows     []AmendmentRow
	// Accepted, Rejected and Open count the rows of each kind before the
	// filter.
	Accepted, Rejected, Open int
}

// Amendments returns the table of amendments for basis (0: the revision
// last adopted as a basis, else revision 1), filtered by decision ("" for
// all).
func (s *Proposals) Amendments(ctx context.Context, actor *User, slug string, basis int64, filter string) (AmendmentTable, error) {
	const op = "table of amendments"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return AmendmentTable{}, err
	}
	return s.c.amendments(ctx, op, d, basis, filter, true)
}

// PublicAmendments is the table of amendments for anyone once the
// document is adopted as a whole (not_adopted before), without the people
// who wrote and decided them.
func (s *Adoptions) PublicAmendments(ctx context.Context, actor *User, slug string, basis int64, filter string) (AmendmentTable, error) {
	const op = "public table of amendments"
	pub, err := s.Public(ctx, actor, slug)
	if err != nil {
		return AmendmentTable{}, err
	}
	if lastFinal(pub.Adoptions) == nil {
		return AmendmentTable{}, Refuse(op, ReasonNotAdopted, "the table of amendments is public once the document is adopted as a whole")
	}
	return s.c.amendments(ctx, op, pub.Document, basis, filter, false)
}

func (c *core) amendments(ctx context.Context, op string, d Document, basis int64, filter string, people bool) (AmendmentTable, error) {
	switch filter {
	case "", FilterAccepted, FilterRejected, FilterOpen:
	default:
		return AmendmentTable{}, Refuse(op, ReasonInvalidInput, "decision must be accepted, rejected or open").With("field", "decision")
	}
	if basis == 0 {
		as, err := c.store.Adoptions(ctx, d.ID)
		if err != nil {
			return AmendmentTable{}, fmt.Errorf("%s: %w", op, err)
		}
		basis = 1
		for _, a := range as {
			if a.Stage == StageBasis {
				basis = a.Revision
			}
		}
	} else if _, err := c.revision(ctx, op, d, basis); err != nil {
		if ErrorKind(err) == KindNotFound {
			return AmendmentTable{}, Refuse(op, ReasonInvalidInput, "basis is not a revision of this document").With("field", "basis")
		}
		return AmendmentTable{}, err
	}
	ps, err := c.store.ListProposals(ctx, d.ID, "")
	if err != nil {
		return AmendmentTable{}, fmt.Errorf("%s: %w", op, err)
	}
	slices.SortFunc(ps, func(a, b Proposal) int { return int(a.Number - b.Number) })
	names := map[int64]string{}
	name := func(id int64, login string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := login
		if u, err := c.store.UserByID(ctx, id); err == nil && u.DisplayName != "" {
			n = u.DisplayName
		}
		names[id] = n
		return n
	}
	t := AmendmentTable{Document: d, Basis: basis, Filter: filter}
	bases := map[int64]Outline{}
	all := 0
	for _, p := range ps {
		if p.Base < basis || p.State == ProposalWithdrawn {
			continue
		}
		row := AmendmentRow{Proposal: p, Vote: p.Vote}
		switch p.State {
		case ProposalMerged:
			row.Decision = p.Decision
			t.Accepted++
		case ProposalRejected:
			row.Decision, row.Reason = DecisionRejected, p.CloseReason
			t.Rejected++
		default:
			t.Open++
		}
		all++
		if !keep(filter, row.Decision) {
			continue
		}
		base, err := c.revision(ctx, op, d, p.Base)
		if err != nil {
			return AmendmentTable{}, err
		}
		r, err := c.diffHashes(ctx, d.ID, base.SHA256, p.SHA256, textdiff.ModeWord)
		if err != nil {
			return AmendmentTable{}, err
		}
		for _, para := range r.Paragraphs {
			if para.Kind == textdiff.KindEqual || para.Kind == textdiff.KindRenumbered {
				continue
			}
			chunks, _ := textdiff.SplitSeparator(para.Chunks)
			if para.Kind == textdiff.KindMovedTo && para.Move != nil {
				chunks = para.Move.Chunks
			}
			if len(chunks) > 0 {
				row.Changes = append(row.Changes, chunks)
			}
		}
		row.Items = p.Items
		if row.Items == nil {
			o, ok := bases[p.Base]
			if !ok {
				text, err := c.readText(ctx, base)
				if err != nil {
					return AmendmentTable{}, fmt.Errorf("%s: %w", op, err)
				}
				o = NewOutline(string(text), d.Language)
				bases[p.Base] = o
			}
			lr, err := c.diffHashes(ctx, d.ID, base.SHA256, p.SHA256, textdiff.ModeLine)
			if err != nil {
				return AmendmentTable{}, err
			}
			row.Items = touchedItems(lr, o)
		}
		if people {
			row.Author = name(p.AuthorID, p.AuthorLogin)
			if p.ClosedBy != 0 {
				row.DecidedBy = name(p.ClosedBy, p.ClosedByLogin)
			}
		}
		row.No = all
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func keep(filter, decision string) bool {
	switch filter {
	case FilterAccepted:
		return decision == DecisionAccepted || decision == DecisionAcceptedWithChanges
	case FilterRejected:
		return decision == DecisionRejected
	case FilterOpen:
		return decision == ""
	}
	return true
}

// Consolidated is the draft as the hall would vote on it: the head (with
// every accepted amendment in it) and the chosen open amendments merged
// onto it in turn, with the conflicts marked, and its redline against the
// basis.
type Consolidated struct {
	Basis, Head Revision
	// Applied are the open amendments merged in, in order.
	Applied []int64
	Text    string
	// Conflicts are what did not merge; the text keeps the draft's version
	// there.
	Conflicts []ConsolidatedConflict
	Redline   *textdiff.Result
	// BasisOutline and TextOutline label the redline's two sides.
	BasisOutline, TextOutline Outline
}

// uniqueInOrder is ns without repetitions, each kept where it first appears.
func uniqueInOrder(ns []int64) []int64 {
	seen := make(map[int64]bool, len(ns))
	out := make([]int64, 0, len(ns))
	for _, n := range ns {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// ConsolidatedConflict is an amendment's change that did not merge.
type ConsolidatedConflict struct {
	Proposal int64
	LabeledConflict
}

// Consolidated returns the consolidated text for basis (0 as Amendments)
// with the open amendments numbered in open merged onto the head. An
// amendment named twice is merged once: each merge costs a pass over the
// whole text, and a query of one number repeated thousands of times made
// one request cost as many.
func (s *Proposals) Consolidated(ctx context.Context, actor *User, slug string, basis int64, open []int64, mode textdiff.Mode) (Consolidated, error) {
	const op = "consolidated text"
	c := s.c
	open = uniqueInOrder(open)
	d, err := c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Consolidated{}, err
	}
	t, err := c.amendments(ctx, op, d, basis, FilterOpen, false)
	if err != nil {
		return Consolidated{}, err
	}
	out := Consolidated{}
	if out.Basis, err = c.revision(ctx, op, d, t.Basis); err != nil {
		return Consolidated{}, err
	}
	if out.Head, err = c.store.Head(ctx, d.ID); err != nil {
		return Consolidated{}, fmt.Errorf("%s: %w", op, err)
	}
	head, err := c.readText(ctx, out.Head)
	if err != nil {
		return Consolidated{}, fmt.Errorf("%s: %w", op, err)
	}
	text := string(head)
	for _, n := range open {
		var p *Proposal
		for i := range t.Rows {
			if t.Rows[i].Proposal.Number == n {
				p = &t.Rows[i].Proposal
			}
		}
		if p == nil {
			return Consolidated{}, Refuse(op, ReasonProposalClosed, "proposal "+itoa(n)+" is not an open amendment of this basis").
				With("proposal", n).With("field", "open")
		}
		base, err := c.revision(ctx, op, d, p.Base)
		if err != nil {
			return Consolidated{}, err
		}
		baseText, err := c.readText(ctx, base)
		if err != nil {
			return Consolidated{}, fmt.Errorf("%s: %w", op, err)
		}
		theirs, err := c.readBlob(ctx, d.ID, p.SHA256)
		if err != nil {
			return Consolidated{}, fmt.Errorf("%s: %w", op, err)
		}
		m := textdiff.Merge3(string(baseText), text, string(theirs))
		text = m.Text
		o := NewOutline(text, d.Language)
		for _, x := range m.Conflicts {
			out.Conflicts = append(out.Conflicts, ConsolidatedConflict{Proposal: n, LabeledConflict: LabeledConflict{
				MergeConflict: MergeConflict{Base: x.Base, Head: x.Ours, Proposal: x.Theirs}, Items: itemsInRange(o, text, x.Start, x.End)}})
		}
		out.Applied = append(out.Applied, n)
	}
	basisText, err := c.readText(ctx, out.Basis)
	if err != nil {
		return Consolidated{}, fmt.Errorf("%s: %w", op, err)
	}
	out.Text = text
	out.Redline = textdiff.Diff(string(basisText), text, textdiff.Options{Mode: mode})
	out.BasisOutline, out.TextOutline = NewOutline(string(basisText), d.Language), NewOutline(text, d.Language)
	return out, nil
}
