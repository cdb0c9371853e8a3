package drafting

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Comments is the capability of comments: on revisions and proposals,
// threaded, anchored to quotes carried through later revisions, edited,
// resolved and hidden.
type Comments struct{ c *core }

// Comment limits.
const (
	MaxCommentRunes  = 10000
	MaxThreadDepth   = 8
	maxAnchorContext = 32
)

// Anchor statuses of a comment listed for a revision.
const (
	AnchorAnchored = "anchored" // the quote is intact at the mapped place
	AnchorMoved    = "moved"    // found again elsewhere, e.g. its paragraph moved
	AnchorOutdated = "outdated" // the quoted text changed or was deleted
)

// NewComment is the input of Add.
type NewComment struct {
	Revision int64
	Proposal int64
	Body     string
	Anchor   *Anchor
	ReplyTo  int64
}

// Add records a comment on a revision or a proposal, or a reply, while the
// procedure allows comments (not on a document adopted as a whole).
func (s *Comments) Add(ctx context.Context, actor *User, slug string, in NewComment) (Comment, error) {
	const op = "add comment"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionComment)
	if err != nil {
		return Comment{}, err
	}
	body, err := cleanBody(op, in.Body)
	if err != nil {
		return Comment{}, err
	}
	cm := Comment{DocumentID: d.ID, AuthorID: actor.ID, Body: body}
	// A negative number names nothing (out_of_range); 0 is "not given".
	for _, f := range []struct {
		name string
		n    int64
	}{{"revision", in.Revision}, {"proposal", in.Proposal}, {"reply_to", in.ReplyTo}} {
		if f.n < 0 {
			return Comment{}, Refuse(op, ReasonOutOfRange, f.name+" must be a positive number").With("field", f.name).With("min", 1)
		}
	}
	if in.ReplyTo == 0 {
		if (in.Revision == 0) == (in.Proposal == 0) {
			return Comment{}, Refuse(op, ReasonInvalidInput, "give either revision or proposal")
		}
		cm.Revision, cm.Proposal = in.Revision, in.Proposal
		// The text commented on is immutable: read and check the anchor
		// before the unit of work.
		text, err := c.commentedText(ctx, op, d, cm)
		if err != nil {
			return Comment{}, err
		}
		if in.Anchor != nil {
			if err := checkAnchor(op, text, *in.Anchor); err != nil {
				return Comment{}, err
			}
			a := *in.Anchor
			cm.Anchor = &a
		}
	} else if in.Anchor != nil {
		return Comment{}, Refuse(op, ReasonBadReply, "a reply cannot carry an anchor")
	}
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), ActionComment); err != nil {
			return err
		}
		if in.ReplyTo != 0 {
			parent, err := txComment(ctx, op, tx, in.ReplyTo)
			if err != nil {
				return err
			}
			if (in.Revision != 0 && in.Revision != parent.Revision) || (in.Proposal != 0 && in.Proposal != parent.Proposal) {
				return Refuse(op, ReasonBadReply, "a reply belongs to the revision or proposal of the comment it answers")
			}
			if parent.Depth+1 > MaxThreadDepth {
				return Refuse(op, ReasonThreadTooDeep, "the thread is too deep; answer an earlier comment").With("max", MaxThreadDepth)
			}
			cm.Revision, cm.Proposal, cm.ReplyTo, cm.Thread, cm.Depth = parent.Revision, parent.Proposal, parent.ID, parent.Thread, parent.Depth+1
		}
		now := c.clock()
		cm.CreatedAt, cm.UpdatedAt = now, now
		var err error
		if cm, err = tx.InsertComment(ctx, cm); err != nil {
			return err
		}
		data := map[string]string{"comment": itoa(cm.ID), "revision": itoa(cm.Revision), "proposal": itoa(cm.Proposal),
			"reply_to": itoa(cm.ReplyTo)}
		if cm.ReplyTo == 0 {
			data["thread"] = itoa(cm.Thread)
		}
		_, err = tx.AppendEvent(ctx, NewEvent("comment.create", actor, d.ID, now, data))
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return cm, nil
}

// commentedText is the text a comment is made on.
func (c *core) commentedText(ctx context.Context, op string, d Document, cm Comment) (string, error) {
	if cm.Proposal != 0 {
		p, err := c.proposal(ctx, op, d, cm.Proposal)
		if err != nil {
			return "", err
		}
		b, err := c.readBlob(ctx, d.ID, p.SHA256)
		return string(b), err
	}
	r, err := c.revision(ctx, op, d, cm.Revision)
	if err != nil {
		return "", err
	}
	b, err := c.readText(ctx, r)
	return string(b), err
}

// checkAnchor verifies that the quote is at its place in text, with its
// context (bad_anchor otherwise).
func checkAnchor(op, text string, a Anchor) error {
	runes := []rune(text)
	if a.Start < 0 || a.End <= a.Start || a.End > len(runes) {
		return Refuse(op, ReasonBadAnchor, "anchor start and end must lie within the text, start before end (code points)")
	}
	if string(runes[a.Start:a.End]) != a.Quote {
		return Refuse(op, ReasonBadAnchor, "the quote is not at that place in the text")
	}
	if utf8.RuneCountInString(a.Prefix) > maxAnchorContext || utf8.RuneCountInString(a.Suffix) > maxAnchorContext {
		return Refuse(op, ReasonBadAnchor, "prefix and suffix are at most 32 code points")
	}
	if !strings.HasSuffix(string(runes[:a.Start]), a.Prefix) || !strings.HasPrefix(string(runes[a.End:]), a.Suffix) {
		return Refuse(op, ReasonBadAnchor, "prefix and suffix must be the text just before and after the quote")
	}
	return nil
}

func cleanBody(op, body string) (string, error) {
	if utf8.RuneCountInString(body) > MaxCommentRunes {
		return "", Refuse(op, ReasonCommentTooLong, "a comment is at most 10 000 characters").
			With("field", "body").With("max", MaxCommentRunes)
	}
	body, err := cleanMessage(op, "body", body, MaxCommentRunes)
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", missing(op, "body")
	}
	return body, nil
}

func (c *core) comment(ctx context.Context, op string, d Document, id int64) (Comment, error) {
	if id < 1 {
		return Comment{}, notFound(op, "comment", nil)
	}
	cm, err := c.store.Comment(ctx, d.ID, id)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Comment{}, notFound(op, "comment", err)
		}
		return Comment{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, id, err)
	}
	return cm, nil
}

// txComment is comment id as the unit of work reads it.
func txComment(ctx context.Context, op string, r DocumentReader, id int64) (Comment, error) {
	if id < 1 {
		return Comment{}, notFound(op, "comment", nil)
	}
	cm, err := r.Comment(ctx, id)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Comment{}, notFound(op, "comment", err)
		}
		return Comment{}, err
	}
	return cm, nil
}

// Edit replaces the body of the actor's own comment; earlier bodies are
// kept.
func (s *Comments) Edit(ctx context.Context, actor *User, slug string, id int64, body string) (Comment, error) {
	const op = "edit comment"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionEditComment)
	if err != nil {
		return Comment{}, err
	}
	body, err = cleanBody(op, body)
	if err != nil {
		return Comment{}, err
	}
	var out Comment
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), ActionEditComment); err != nil {
			return err
		}
		cm, err := txComment(ctx, op, tx, id)
		if err != nil {
			return err
		}
		if cm.AuthorID != actor.ID {
			return Refuse(op, ReasonNotTheAuthor, "only its author edits a comment")
		}
		if cm.Hidden {
			return Refuse(op, ReasonCommentHidden, "a hidden comment cannot be edited")
		}
		now := c.clock()
		if out, err = tx.EditComment(ctx, id, body, now); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("comment.edit", actor, d.ID, now, map[string]string{"comment": itoa(id)}))
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return out, nil
}

// Versions returns a comment's earlier bodies. A hidden comment's are read
// only by the document's chairs and administrators.
func (s *Comments) Versions(ctx context.Context, actor *User, slug string, id int64) ([]CommentVersion, error) {
	const op = "comment history"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return nil, err
	}
	cm, err := s.c.comment(ctx, op, d, id)
	if err != nil {
		return nil, err
	}
	if cm.Hidden && (actor == nil || !actor.Admin) {
		if err := s.c.authorizeFor(op, actor, d.ID, ObjComment, ActResolve, ReasonNotAChair); err != nil {
			return nil, err
		}
	}
	vs, err := s.c.store.CommentVersions(ctx, d.ID, id)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%d: %w", op, slug, id, err)
	}
	return vs, nil
}

// Resolve resolves (or, with resolved false, reopens) the thread of comment
// id: its chairs or the author of its first comment may.
func (s *Comments) Resolve(ctx context.Context, actor *User, slug string, id int64, resolved bool) (Comment, error) {
	const op = "resolve thread"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionResolveThread)
	if err != nil {
		return Comment{}, err
	}
	var rootID int64
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), ActionResolveThread); err != nil {
			return err
		}
		cm, err := txComment(ctx, op, tx, id)
		if err != nil {
			return err
		}
		root, err := txComment(ctx, op, tx, cm.Thread)
		if err != nil {
			return err
		}
		if root.AuthorID != actor.ID && c.authorize(op, actor, d.ID, ObjComment, ActResolve) != nil {
			return Refuse(op, ReasonNotTheAuthor, "a chair or the thread's author resolves it")
		}
		rootID = root.ID
		kind := "comment.reopen"
		if resolved {
			kind = "comment.resolve"
		}
		now := c.clock()
		if err := tx.SetThreadResolved(ctx, root.ID, resolved, actor.ID, now); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent(kind, actor, d.ID, now, map[string]string{"thread": itoa(root.ID)}))
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return c.comment(ctx, op, d, rootID)
}

// Hide lets a chair hide a comment with a recorded reason; it is kept and
// listed as hidden.
func (s *Comments) Hide(ctx context.Context, actor *User, slug string, id int64, reason string) (Comment, error) {
	const op = "hide comment"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionHideComment)
	if err != nil {
		return Comment{}, err
	}
	reason, err = cleanReason(op, "reason", reason, 2000)
	if err != nil {
		return Comment{}, err
	}
	if reason == "" {
		return Comment{}, missing(op, "reason")
	}
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.checkStep(op, actor, tx.Document(), ActionHideComment); err != nil {
			return err
		}
		if _, err := txComment(ctx, op, tx, id); err != nil {
			return err
		}
		now := c.clock()
		if err := tx.HideComment(ctx, id, actor.ID, reason, now); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, NewEvent("comment.hide", actor, d.ID, now,
			map[string]string{"comment": itoa(id), "reason": reason}))
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return c.comment(ctx, op, d, id)
}

// ListedComment is a comment as listed for a revision: with its anchor mapped
// into that revision.
type ListedComment struct {
	Comment
	Status    string  // anchored, moved or outdated; "" for a general comment or reply
	Mapped    *Anchor // the anchor in the listed revision (anchored or moved)
	Paragraph int     // paragraph index of the mapped anchor in the listed revision; -1 if none
	Label     string  // that paragraph's label ("пункт 11"); "" if none
}

// CommentFilter narrows a listing.
type CommentFilter struct {
	State     string // "", "open" or "resolved" (of the thread)
	Paragraph *int   // only comments anchored in this paragraph
	Author    string // login
}

// CommentListing is what List answers.
type CommentListing struct {
	Revision Revision
	Comments []ListedComment
	// OpenThreads counts open, visible threads anchored per paragraph of the
	// listed revision.
	OpenThreads map[int]int
}

// List returns the comments made on revision n and every earlier revision,
// each with its anchor carried into n through the redlines between
// consecutive revisions: anchored, moved or outdated, never lost.
func (s *Comments) List(ctx context.Context, actor *User, slug string, n int64, f CommentFilter) (CommentListing, error) {
	const op = "list comments"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return CommentListing{}, err
	}
	switch f.State {
	case "", "open", "resolved":
	default:
		return CommentListing{}, Refuse(op, ReasonInvalidInput, "state must be open or resolved").With("field", "state")
	}
	target, err := c.revision(ctx, op, d, n)
	if err != nil {
		return CommentListing{}, err
	}
	all, err := c.store.ListComments(ctx, d.ID)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	var cs []Comment
	roots := map[int64]Comment{}
	for _, cm := range all {
		if cm.Proposal == 0 && cm.Revision <= n {
			cs = append(cs, cm)
			if cm.ID == cm.Thread {
				roots[cm.ID] = cm
			}
		}
	}
	mapped, err := c.mapAnchors(ctx, d, cs, n)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s: %w", op, err)
	}
	targetText, err := c.readText(ctx, target)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s: %w", op, err)
	}
	starts := paragraphStarts(string(targetText))
	labels := NewOutline(string(targetText), d.Language)
	out := CommentListing{Revision: target, OpenThreads: map[int]int{}}
	for _, cm := range cs {
		lc := ListedComment{Comment: cm, Paragraph: -1}
		if m, ok := mapped[cm.ID]; ok {
			lc.Status = m.status
			if m.status != AnchorOutdated {
				a := m.anchor
				lc.Mapped = &a
				lc.Paragraph = paragraphAt(starts, a.Start)
				lc.Label = labels.LabelAt(string(targetText), a.Start)
			}
		}
		root := roots[cm.Thread]
		if root.Resolved {
			lc.Resolved = true
		}
		if cm.ID == cm.Thread && !cm.Resolved && !cm.Hidden && lc.Paragraph >= 0 {
			out.OpenThreads[lc.Paragraph]++
		}
		if f.State == "open" && root.Resolved || f.State == "resolved" && !root.Resolved {
			continue
		}
		if f.Author != "" && cm.AuthorLogin != f.Author {
			continue
		}
		if f.Paragraph != nil && lc.Paragraph != *f.Paragraph {
			continue
		}
		out.Comments = append(out.Comments, lc)
	}
	return out, nil
}

// OnProposal lists the comments made on a proposal.
func (s *Comments) OnProposal(ctx context.Context, actor *User, slug string, p int64) ([]Comment, error) {
	const op = "list comments"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return nil, err
	}
	if _, err := c.proposal(ctx, op, d, p); err != nil {
		return nil, err
	}
	all, err := c.store.ListComments(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	var out []Comment
	for _, cm := range all {
		if cm.Proposal == p {
			out = append(out, cm)
		}
	}
	return out, nil
}
