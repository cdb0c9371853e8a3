package drafting

// issue 14: a proposal written as changes to items, what it touches, and
// what it would do now.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"redline/internal/outline"
	"redline/internal/textdiff"
)

// The operations of an item change.
const (
	ChangeReplace     = "replace"      // the item gets a new wording
	ChangeInsertAfter = "insert_after" // new paragraphs after the item ("" item: at the start)
	ChangeDelete      = "delete"       // the item goes
)

// ItemChange is one change of a proposal written item by item: an
// operation on the base paragraph whose label's key is Item.
type ItemChange struct {
	Op   string
	Item string // the label's key ("11", "8/а)", "preamble/¶2")
	Text string // the new wording (replace) or the new paragraphs (insert_after)
}

// ApplyChanges returns base with changes applied: each names a paragraph of
// base by its label's key; the result keeps base's separators. It refuses
// an operation it does not know (invalid_input), an item base does not have
// (unknown_item), and an item replaced or deleted twice
// (item_changed_twice).
func ApplyChanges(op, base string, changes []ItemChange) (string, error) {
	if len(changes) == 0 {
		return "", missing(op, "changes")
	}
	o := NewOutline(base, "ru")
	n := len(o.Paragraphs)
	// The result is assembled paragraph by paragraph rather than by byte
	// edits: deleting neighbouring items (the last ones above all) gives
	// edits whose separators overlap.
	wording := make([]*string, n)
	deleted := make([]bool, n)
	after := make([][]string, n)
	var atStart []string
	replaced := map[string]bool{}
	for k, ch := range changes {
		field := fmt.Sprintf("changes[%d]", k)
		i := -1
		if !(ch.Op == ChangeInsertAfter && ch.Item == "") {
			if i = o.Find(ch.Item); i < 0 || o.Paragraphs[i].Start == o.Paragraphs[i].End {
				return "", Refuse(op, ReasonUnknownItem, "the base has no item "+ch.Item).With("item", ch.Item).With("field", field+".item")
			}
		}
		text := strings.Trim(strings.ReplaceAll(ch.Text, "\r\n", "\n"), "\n \t")
		switch ch.Op {
		case ChangeReplace, ChangeDelete:
			if replaced[ch.Item] {
				return "", Refuse(op, ReasonItemChangedTwice, "item "+ch.Item+" is replaced or deleted twice").With("item", ch.Item).With("field", field+".item")
			}
			replaced[ch.Item] = true
			if ch.Op == ChangeDelete {
				deleted[i] = true
				continue
			}
			if invisibleOnly(text) {
				return "", Refuse(op, ReasonEmptyText, "a replacement needs its wording; delete the item instead").With("field", field+".text")
			}
			// A wording sent without the item's number keeps it.
			if p := o.Paragraphs[i]; p.Marker != "" && p.Kind != outline.KindHeading {
				if q := outline.Parse(text); len(q) > 0 && q[0].Num == "" {
					text = p.Marker + " " + text
				}
			}
			wording[i] = &text
		case ChangeInsertAfter:
			if invisibleOnly(text) {
				return "", Refuse(op, ReasonEmptyText, "an insertion needs its text").With("field", field+".text")
			}
			if i < 0 {
				atStart = append(atStart, text)
			} else {
				after[i] = append(after[i], text)
			}
		default:
			return "", Refuse(op, ReasonInvalidInput, "op must be replace, insert_after or delete").With("field", field+".op")
		}
	}
	if n == 0 {
		return strings.Join(atStart, "\n\n") + "\n\n" + base, nil
	}
	// Each piece is followed by a separator: new pieces by a blank line, a
	// group (a paragraph and what is inserted after it) by the paragraph's
	// own separator. A deleted paragraph takes its separator with it; the
	// text ends as base ends.
	type piece struct{ text, sep string }
	var pieces []piece
	for _, t := range atStart {
		pieces = append(pieces, piece{t, "\n\n"})
	}
	for i, p := range o.Paragraphs {
		sep := base[p.End:]
		if i+1 < n {
			sep = base[p.End:o.Paragraphs[i+1].Start]
		}
		group := len(pieces)
		if !deleted[i] {
			text := base[p.Start:p.End]
			if wording[i] != nil {
				text = *wording[i]
			}
			pieces = append(pieces, piece{text, "\n\n"})
		}
		for _, t := range after[i] {
			pieces = append(pieces, piece{t, "\n\n"})
		}
		if len(pieces) > group {
			pieces[len(pieces)-1].sep = sep
		}
	}
	var b strings.Builder
	b.WriteString(base[:o.Paragraphs[0].Start])
	for k, pc := range pieces {
		b.WriteString(pc.text)
		if k < len(pieces)-1 {
			b.WriteString(pc.sep)
		}
	}
	b.WriteString(base[o.Paragraphs[n-1].End:])
	return b.String(), nil
}

// touchedItems names the base paragraphs a change from base to text
// touches, in base order: the changed, deleted and moved ones, and for an
// insertion the paragraph it follows (the first, when it opens the text).
func touchedItems(r *textdiff.Result, base Outline) []ItemRef {
	var out []ItemRef
	seen := map[string]bool{}
	add := func(i int) {
		if i < 0 && len(base.Paragraphs) > 0 {
			i = 0
		}
		ref := base.Ref(i)
		if ref.Key != "" && !seen[ref.Key] {
			seen[ref.Key] = true
			out = append(out, ref)
		}
	}
	prev := -1
	for _, p := range r.Paragraphs {
		switch p.Kind {
		case textdiff.KindEqual, textdiff.KindRenumbered:
		case textdiff.KindInserted, textdiff.KindMovedTo:
			add(prev)
		default:
			add(p.OldIndex)
		}
		if p.OldIndex >= 0 {
			prev = p.OldIndex
		}
	}
	// Keep base order: an insertion is named where it falls.
	slices.SortStableFunc(out, func(a, b ItemRef) int { return base.Find(a.Key) - base.Find(b.Key) })
	return out
}

// Effect is what a proposal would do now: its own changes against its base
// and, when the draft has moved on since, the result of merging it onto the
// current head, with the conflicts marked. It is never the raw proposal
// text against the head, which would seem to undo every later change.
type Effect struct {
	Proposal Proposal
	Base     Revision
	Head     Revision
	// Own is the redline from the base to the proposal.
	Own *textdiff.Result
	// BaseOutline and ProposalOutline label Own's two sides.
	BaseOutline, ProposalOutline Outline
	// Moved is set when the head is not the base; then Merged is the
	// proposal merged onto the head, OntoHead the redline from the head to
	// it, and Conflicts what did not merge (the head's version stands in
	// Merged there).
	Moved     bool
	Merged    string
	OntoHead  *textdiff.Result
	Conflicts []LabeledConflict
	// HeadOutline and MergedOutline label OntoHead's two sides.
	HeadOutline, MergedOutline Outline
}

// LabeledConflict is a merge conflict and the items of the head it covers.
type LabeledConflict struct {
	MergeConflict
	Items []ItemRef
}

// Effect returns what proposal n would do now. For a proposal that is no
// longer open, the head is still today's; the pages show it for open ones.
func (s *Proposals) Effect(ctx context.Context, actor *User, slug string, n int64, mode textdiff.Mode) (Effect, error) {
	const op = "proposal effect"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return Effect{}, err
	}
	p, err := c.proposal(ctx, op, d, n)
	if err != nil {
		return Effect{}, err
	}
	base, err := c.revision(ctx, op, d, p.Base)
	if err != nil {
		return Effect{}, err
	}
	head, err := c.store.Head(ctx, d.ID)
	if err != nil {
		return Effect{}, fmt.Errorf("%s: %w", op, err)
	}
	e := Effect{Proposal: p, Base: base, Head: head, Moved: head.Number != base.Number}
	baseText, err := c.readText(ctx, base)
	if err != nil {
		return Effect{}, fmt.Errorf("%s: %w", op, err)
	}
	theirs, err := c.readBlob(ctx, d.ID, p.SHA256)
	if err != nil {
		return Effect{}, fmt.Errorf("%s: %w", op, err)
	}
	if e.Own, err = c.diffHashes(ctx, d.ID, base.SHA256, p.SHA256, mode); err != nil {
		return Effect{}, err
	}
	e.BaseOutline, e.ProposalOutline = NewOutline(string(baseText), d.Language), NewOutline(string(theirs), d.Language)
	if !e.Moved {
		e.Merged, e.OntoHead, e.HeadOutline, e.MergedOutline = string(theirs), e.Own, e.BaseOutline, e.ProposalOutline
		return e, nil
	}
	ours, err := c.readText(ctx, head)
	if err != nil {
		return Effect{}, fmt.Errorf("%s: %w", op, err)
	}
	m := textdiff.Merge3(string(baseText), string(ours), string(theirs))
	e.Merged = m.Text
	e.HeadOutline, e.MergedOutline = NewOutline(string(ours), d.Language), NewOutline(m.Text, d.Language)
	e.OntoHead = textdiff.Diff(string(ours), m.Text, textdiff.Options{Mode: mode})
	for _, x := range m.Conflicts {
		lc := LabeledConflict{MergeConflict: MergeConflict{Base: x.Base, Head: x.Ours, Proposal: x.Theirs}}
		lc.Items = itemsInRange(e.MergedOutline, m.Text, x.Start, x.End)
		e.Conflicts = append(e.Conflicts, lc)
	}
	return e, nil
}

// itemsInRange names the paragraphs of text (outlined by o) that the
// code-point range [start, end) covers.
func itemsInRange(o Outline, text string, start, end int) []ItemRef {
	b0, b1 := byteOffset(text, start), byteOffset(text, end)
	var out []ItemRef
	for i, p := range o.Paragraphs {
		if p.End >= b0 && p.Start <= b1 && p.Start != p.End {
			out = append(out, o.Ref(i))
		}
	}
	return out
}

// byteOffset is the byte offset of code point cp in text.
func byteOffset(text string, cp int) int {
	n := 0
	for b := range text {
		if n == cp {
			return b
		}
		n++
	}
	return len(text)
}

// Collision is an open proposal that touches some of the same items.
type Collision struct {
	Proposal Proposal
	// Items are the shared items, named as the current head labels them
	// (or, for an item the head no longer has, as the proposals' base did).
	Items []ItemRef
	// Paragraphs are the shared paragraphs' texts, as the head reads them.
	Paragraphs []string
}

// Collisions lists the open proposals that touch any item proposal n also
// touches: changing, deleting or moving it, or inserting after it. Proposals
// on different bases are compared through the redlines from their bases to
// the head, so item 11 of revision 3 is item 11 of revision 5 even when
// revision 4 numbered or worded it differently.
func (s *Proposals) Collisions(ctx context.Context, actor *User, slug string, n int64) ([]Collision, error) {
	const op = "find collisions"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead)
	if err != nil {
		return nil, err
	}
	p, err := c.proposal(ctx, op, d, n)
	if err != nil {
		return nil, err
	}
	open, err := c.store.ListProposals(ctx, d.ID, ProposalOpen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	m, err := c.newItemMapper(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	mine, err := m.items(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var out []Collision
	for _, q := range open {
		if q.Number == p.Number {
			continue
		}
		theirs, err := m.items(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		col := Collision{Proposal: q}
		for _, it := range mine {
			if slices.ContainsFunc(theirs, func(x mappedItem) bool { return x.id == it.id }) {
				col.Items = append(col.Items, it.ref)
				col.Paragraphs = append(col.Paragraphs, it.text)
			}
		}
		if len(col.Items) > 0 {
			// Bounded as harden bounds them: a dozen proposals rewriting a
			// long text would otherwise make an answer of megabytes.
			if len(col.Items) > maxCollisionParagraphs {
				col.Items = col.Items[:maxCollisionParagraphs]
			}
			col.Paragraphs = boundParagraphs(col.Paragraphs)
			out = append(out, col)
		}
	}
	return out, nil
}

// mappedItem is an item a proposal touches, carried to the head: id is the
// head paragraph's key, or the base's for an item the head lost.
type mappedItem struct {
	id   string
	ref  ItemRef
	text string
}

// itemMapper carries proposals' items from their bases to the head,
// remembering each base's mapping.
type itemMapper struct {
	c     *core
	d     Document
	head  Revision
	htext string
	hout  Outline
	bases map[int64]baseMap
}

type baseMap struct {
	outline Outline
	text    string
	toHead  []int // base paragraph index → head paragraph index, -1 when gone
}

func (c *core) newItemMapper(ctx context.Context, d Document) (*itemMapper, error) {
	head, err := c.store.Head(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	text, err := c.readText(ctx, head)
	if err != nil {
		return nil, err
	}
	return &itemMapper{c: c, d: d, head: head, htext: string(text), hout: NewOutline(string(text), d.Language), bases: map[int64]baseMap{}}, nil
}

func (m *itemMapper) base(ctx context.Context, n int64) (baseMap, error) {
	if b, ok := m.bases[n]; ok {
		return b, nil
	}
	rev, err := m.c.revision(ctx, "map items", m.d, n)
	if err != nil {
		return baseMap{}, err
	}
	text, err := m.c.readText(ctx, rev)
	if err != nil {
		return baseMap{}, err
	}
	b := baseMap{outline: NewOutline(string(text), m.d.Language), text: string(text)}
	b.toHead = make([]int, len(b.outline.Paragraphs))
	for i := range b.toHead {
		b.toHead[i] = -1
	}
	if n == m.head.Number {
		for i := range b.toHead {
			b.toHead[i] = i
		}
	} else {
		r, err := m.c.diffHashes(ctx, m.d.ID, rev.SHA256, m.head.SHA256, textdiff.ModeLine)
		if err != nil {
			return baseMap{}, err
		}
		for _, p := range r.Paragraphs {
			switch {
			case p.OldIndex >= 0 && p.NewIndex >= 0 && p.OldIndex < len(b.toHead):
				b.toHead[p.OldIndex] = p.NewIndex
			case p.Kind == textdiff.KindMovedFrom && p.Move != nil && p.OldIndex < len(b.toHead):
				b.toHead[p.OldIndex] = p.Move.NewIndex
			}
		}
	}
	m.bases[n] = b
	return b, nil
}

// items are the items p touches, carried to the head. A proposal made before
// items were recorded has them worked out from its redline.
func (m *itemMapper) items(ctx context.Context, p Proposal) ([]mappedItem, error) {
	b, err := m.base(ctx, p.Base)
	if err != nil {
		return nil, err
	}
	refs := p.Items
	if refs == nil {
		base, err := m.c.revision(ctx, "map items", m.d, p.Base)
		if err != nil {
			return nil, err
		}
		r, err := m.c.diffHashes(ctx, m.d.ID, base.SHA256, p.SHA256, textdiff.ModeLine)
		if err != nil {
			return nil, err
		}
		refs = touchedItems(r, b.outline)
	}
	var out []mappedItem
	for _, ref := range refs {
		i := b.outline.Find(ref.Key)
		if i < 0 {
			continue
		}
		if j := b.toHead[i]; j >= 0 {
			hp := m.hout.Paragraphs[j]
			out = append(out, mappedItem{id: "head/" + hp.Label.Key(), ref: m.hout.Ref(j), text: m.htext[hp.Start:hp.End]})
			continue
		}
		bp := b.outline.Paragraphs[i]
		out = append(out, mappedItem{id: "r" + itoa(p.Base) + "/" + ref.Key, ref: ref, text: b.text[bp.Start:bp.End]})
	}
	return out, nil
}
