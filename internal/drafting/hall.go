package drafting

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// HallKind is the audit kind of the chair's setting of the hall: the item
// under discussion and whether the audience may follow it (issue 17).
const HallKind = "hall.item"

// MaxHallItem bounds the label of the item under discussion, in runes.
const MaxHallItem = 120

// EventFinder finds the newest audit event of a kind. The hall's state is
// its newest HallKind event: the audit log is its only record.
type EventFinder interface {
	// LastEvent returns documentID's newest event of kind. Errors:
	// not_found (none), unavailable, internal.
	LastEvent(ctx context.Context, documentID, kind string) (Event, error)
}

// Hall is the session in the hall: which item a chair has put under
// discussion, for the hall view and its remote control.
type Hall struct{ c *core }

// HallState is the hall of one document as a chair last set it.
type HallState struct {
	// Item is the label key of the item under discussion ("" for none).
	Item string
	// Revision is the head when it was set (0 before any revision).
	Revision int64
	// Public says the chair opened the hall to the audience.
	Public bool
	SetBy  string    // the chair's login; "" for the public
	SetAt  time.Time // zero when never set
	// Event is the audit seq of the setting, where a stream opened after
	// reading this state resumes from.
	Event int64
}

// HallInput is what a chair sets.
type HallInput struct {
	Item   string
	Public bool
}

// Hall returns the hall's capability of s.
func (s *Service) Hall() *Hall { return &Hall{s.core} }

// SetItem puts an item under discussion (or none, with ""), and opens the
// hall to the audience or closes it. Only a chair who may commit does it.
// Errors: invalid (invalid_input: a label with control characters or over
// MaxHallItem runes), forbidden (not_a_chair), not_found.
func (h *Hall) SetItem(ctx context.Context, actor *User, slug string, in HallInput) (HallState, error) {
	const op = "drafting.Hall.SetItem"
	d, err := h.c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return HallState{}, err
	}
	if err := h.c.authorizeFor(op, actor, d.ID, ObjRevision, ActCommit, ReasonNotAChair); err != nil {
		return HallState{}, err
	}
	if !validHallItem(in.Item) {
		return HallState{}, Refuse(op, ReasonInvalidInput, fmt.Sprintf("an item is a paragraph label of at most %d characters", MaxHallItem))
	}
	var out HallState
	err = h.c.store.InDocument(ctx, d.ID, func(tx DocumentTx) error {
		var rev int64
		head, err := tx.Head(ctx)
		switch {
		case err == nil:
			rev = head.Number
		case ErrorKind(err) != KindNotFound:
			return err
		}
		now := h.c.clock()
		ev, err := tx.AppendEvent(ctx, NewEvent(HallKind, actor, d.ID, now, map[string]string{
			"label": in.Item, "revision": itoa(rev), "public": strconv.FormatBool(in.Public)}))
		if err != nil {
			return err
		}
		out = HallState{Item: in.Item, Revision: rev, Public: in.Public, SetBy: actor.Login, SetAt: now, Event: ev.Seq}
		return nil
	})
	if err != nil {
		return HallState{}, err
	}
	return out, nil
}

// State returns the hall as a member sees it. Errors: forbidden,
// unauthenticated, not_found.
func (h *Hall) State(ctx context.Context, actor *User, slug string) (HallState, error) {
	const op = "drafting.Hall.State"
	d, err := h.c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return HallState{}, err
	}
	return h.state(ctx, op, d.ID)
}

// PublicState returns the hall as the audience sees it: only when a chair
// opened it to them, and without who set it. Errors: not_found (no such
// document, or the hall is not open to the audience).
func (h *Hall) PublicState(ctx context.Context, slug string) (HallState, error) {
	const op = "drafting.Hall.PublicState"
	d, err := h.c.document(ctx, op, slug)
	if err != nil {
		return HallState{}, err
	}
	st, err := h.state(ctx, op, d.ID)
	if err != nil {
		return HallState{}, err
	}
	if !st.Public {
		return HallState{}, Refuse(op, ReasonNotFound, "the hall of this document is not open to the public")
	}
	st.SetBy = ""
	return st, nil
}

// DocumentID returns the ID of the document a member may read, for
// subscribing to its stream. Errors: as State.
func (h *Hall) DocumentID(ctx context.Context, actor *User, slug string) (string, error) {
	d, err := h.c.documentFor(ctx, "drafting.Hall.DocumentID", actor, slug, ObjDocument, ActRead)
	if err != nil {
		return "", err
	}
	return d.ID, nil
}

// PublicDocumentID returns the ID of a document for its public stream:
// one that was adopted, or whose hall a chair opened to the audience; for
// any other the answer is the public pages' not_adopted, so nothing about
// drafts leaks.
func (h *Hall) PublicDocumentID(ctx context.Context, slug string) (string, error) {
	const op = "drafting.Hall.PublicDocumentID"
	notAdopted := Refuse(op, ReasonNotAdopted, "no adopted text under this name")
	d, err := h.c.document(ctx, op, slug)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return "", notAdopted
		}
		return "", err
	}
	as, err := h.c.store.Adoptions(ctx, d.ID)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if len(as) > 0 {
		return d.ID, nil
	}
	st, err := h.state(ctx, op, d.ID)
	if err != nil {
		return "", err
	}
	if !st.Public {
		return "", notAdopted
	}
	return d.ID, nil
}

func (h *Hall) state(ctx context.Context, op, docID string) (HallState, error) {
	f, ok := h.c.store.(EventFinder)
	if !ok {
		return HallState{}, E(KindUnavailable, op, "the store cannot find events")
	}
	ev, err := f.LastEvent(ctx, docID, HallKind)
	if ErrorKind(err) == KindNotFound {
		return HallState{}, nil
	}
	if err != nil {
		return HallState{}, fmt.Errorf("%s: %w", op, err)
	}
	rev, _ := strconv.ParseInt(ev.Data["revision"], 10, 64)
	return HallState{Item: ev.Data["label"], Revision: rev, Public: ev.Data["public"] == "true",
		SetBy: ev.ActorLogin, SetAt: ev.At, Event: ev.Seq}, nil
}

func validHallItem(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxHallItem {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// HallProposal is a proposal with what the hall view diffs: its text, and
// for a closed one the text of the revision it was written against.
type HallProposal struct {
	Proposal Proposal
	Text     string
	BaseText string // "" for an open proposal
}

// HallTexts is what the hall view shows: the hall, the head's text, and
// every proposal with its text, newest first.
type HallTexts struct {
	State     HallState
	Head      *Revision // nil before the first revision
	HeadText  string
	Proposals []HallProposal
}

// Texts returns what the hall view shows, to a member who may read the
// proposals, or to anyone (actor nil) when a chair opened the hall to the
// audience: the audience's view names no people. Errors: forbidden,
// unauthenticated, not_found (for the audience: the hall is not open).
func (h *Hall) Texts(ctx context.Context, actor *User, slug string) (HallTexts, error) {
	const op = "drafting.Hall.Texts"
	c := h.c
	var (
		d   Document
		st  HallState
		err error
	)
	if actor == nil {
		if st, err = h.PublicState(ctx, slug); err != nil {
			return HallTexts{}, err
		}
		if d, err = c.document(ctx, op, slug); err != nil {
			return HallTexts{}, err
		}
	} else {
		if d, err = c.documentFor(ctx, op, actor, slug, ObjProposal, ActRead); err != nil {
			return HallTexts{}, err
		}
		if st, err = h.state(ctx, op, d.ID); err != nil {
			return HallTexts{}, err
		}
	}
	out := HallTexts{State: st}
	head, err := c.store.Head(ctx, d.ID)
	switch {
	case err == nil:
		b, err := c.readText(ctx, head)
		if err != nil {
			return HallTexts{}, fmt.Errorf("%s %s: %w", op, slug, err)
		}
		out.Head, out.HeadText = &head, string(b)
	case ErrorKind(err) != KindNotFound:
		return HallTexts{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	ps, err := c.store.ListProposals(ctx, d.ID, "")
	if err != nil {
		return HallTexts{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	bases := map[int64]string{}
	for _, p := range ps {
		if p.State == ProposalWithdrawn {
			continue
		}
		b, err := c.readBlob(ctx, d.ID, p.SHA256)
		if err != nil {
			return HallTexts{}, fmt.Errorf("%s %s/%d: %w", op, slug, p.Number, err)
		}
		hp := HallProposal{Proposal: p, Text: string(b)}
		if p.State != ProposalOpen {
			base, ok := bases[p.Base]
			if !ok {
				r, err := c.store.Revision(ctx, d.ID, p.Base)
				if err != nil {
					return HallTexts{}, fmt.Errorf("%s %s/%d: base: %w", op, slug, p.Number, err)
				}
				bb, err := c.readText(ctx, r)
				if err != nil {
					return HallTexts{}, fmt.Errorf("%s %s/%d: base: %w", op, slug, p.Number, err)
				}
				base = string(bb)
				bases[p.Base] = base
			}
			hp.BaseText = base
		}
		if actor == nil {
			hp.Proposal.AuthorLogin, hp.Proposal.ClosedByLogin, hp.Proposal.AuthorID, hp.Proposal.ClosedBy = "", "", 0, 0
		}
		out.Proposals = append(out.Proposals, hp)
	}
	return out, nil
}

// PublicTitle returns the title of a document whose hall is open to the
// audience. Errors: not_found.
func (h *Hall) PublicTitle(ctx context.Context, slug string) (string, error) {
	if _, err := h.PublicState(ctx, slug); err != nil {
		return "", err
	}
	d, err := h.c.document(ctx, "drafting.Hall.PublicTitle", slug)
	if err != nil {
		return "", err
	}
	return d.Title, nil
}
