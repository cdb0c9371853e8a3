package drafting

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"redline/internal/textdiff"
)

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

// NewComment is the input of AddComment.
type NewComment struct {
	Revision int64
	Proposal int64
	Body     string
	Anchor   *Anchor
	ReplyTo  int64
}

// AddComment records a comment on a revision or a proposal, or a reply.
func (s *Service) AddComment(ctx context.Context, actor *User, slug string, in NewComment) (Comment, error) {
	const op = "add comment"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActCreate)
	if err != nil {
		return Comment{}, err
	}
	body, err := cleanBody(op, in.Body)
	if err != nil {
		return Comment{}, err
	}
	c := Comment{DocumentID: d.ID, AuthorID: actor.ID, AuthorLogin: actor.Login, Body: body, CreatedAt: s.clock()}
	if in.ReplyTo != 0 {
		parent, err := s.comment(ctx, op, d, in.ReplyTo)
		if err != nil {
			return Comment{}, err
		}
		if in.Anchor != nil {
			return Comment{}, E(KindInvalid, op, "a reply cannot carry an anchor")
		}
		if (in.Revision != 0 && in.Revision != parent.Revision) || (in.Proposal != 0 && in.Proposal != parent.Proposal) {
			return Comment{}, E(KindInvalid, op, "a reply belongs to the revision or proposal of the comment it answers")
		}
		if parent.Depth+1 > MaxThreadDepth {
			return Comment{}, E(KindInvalid, op, "the thread is too deep; answer an earlier comment")
		}
		c.Revision, c.Proposal, c.ReplyTo, c.Thread, c.Depth = parent.Revision, parent.Proposal, parent.ID, parent.Thread, parent.Depth+1
	} else {
		if (in.Revision == 0) == (in.Proposal == 0) {
			return Comment{}, E(KindInvalid, op, "give either revision or proposal")
		}
		if in.Revision < 0 || in.Proposal < 0 {
			return Comment{}, E(KindInvalid, op, "revision and proposal are positive numbers")
		}
		c.Revision, c.Proposal = in.Revision, in.Proposal
		if in.Anchor != nil {
			text, err := s.commentedText(ctx, op, d, c)
			if err != nil {
				return Comment{}, err
			}
			if err := checkAnchor(op, text, *in.Anchor); err != nil {
				return Comment{}, err
			}
			a := *in.Anchor
			c.Anchor = &a
		} else if _, err := s.commentedText(ctx, op, d, c); err != nil {
			return Comment{}, err
		}
	}
	data := map[string]string{"revision": itoa(c.Revision), "proposal": itoa(c.Proposal), "reply_to": itoa(c.ReplyTo)}
	c, err = s.store.CreateComment(ctx, c, NewEvent("comment.create", actor, d.ID, c.CreatedAt, data))
	if err != nil {
		return Comment{}, fmt.Errorf("%s on %s: %w", op, slug, err)
	}
	return c, nil
}

// commentedText is the text a comment was made on.
func (s *Service) commentedText(ctx context.Context, op string, d Document, c Comment) (string, error) {
	if c.Proposal != 0 {
		p, err := s.proposal(ctx, op, d, c.Proposal)
		if err != nil {
			return "", err
		}
		b, err := s.readBlob(ctx, d.ID, p.SHA256)
		return string(b), err
	}
	r, err := s.revision(ctx, op, d, c.Revision)
	if err != nil {
		return "", err
	}
	b, err := s.readText(ctx, r)
	return string(b), err
}

// checkAnchor verifies that the quote is at its place in text, with its
// context (400 otherwise).
func checkAnchor(op, text string, a Anchor) error {
	runes := []rune(text)
	if a.Start < 0 || a.End <= a.Start || a.End > len(runes) {
		return E(KindInvalid, op, "anchor start and end must lie within the text, start before end (code points)")
	}
	if string(runes[a.Start:a.End]) != a.Quote {
		return E(KindInvalid, op, "the quote is not at that place in the text")
	}
	if utf8.RuneCountInString(a.Prefix) > maxAnchorContext || utf8.RuneCountInString(a.Suffix) > maxAnchorContext {
		return E(KindInvalid, op, "prefix and suffix are at most 32 code points")
	}
	if !strings.HasSuffix(string(runes[:a.Start]), a.Prefix) || !strings.HasPrefix(string(runes[a.End:]), a.Suffix) {
		return E(KindInvalid, op, "prefix and suffix must be the text just before and after the quote")
	}
	return nil
}

func cleanBody(op, body string) (string, error) {
	if utf8.RuneCountInString(body) > MaxCommentRunes {
		return "", E(KindTooLarge, op, "a comment is at most 10 000 characters")
	}
	body, err := cleanMessage(op, "body", body, MaxCommentRunes)
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", E(KindInvalid, op, "body is required")
	}
	return body, nil
}

func (s *Service) comment(ctx context.Context, op string, d Document, id int64) (Comment, error) {
	if id < 1 {
		return Comment{}, E(KindNotFound, op, "comment not found")
	}
	c, err := s.store.Comment(ctx, d.ID, id)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Comment{}, Wrap(KindNotFound, op, "comment not found", err)
		}
		return Comment{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, id, err)
	}
	return c, nil
}

// EditComment replaces the body of the actor's own comment; earlier bodies
// are kept.
func (s *Service) EditComment(ctx context.Context, actor *User, slug string, id int64, body string) (Comment, error) {
	const op = "edit comment"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActCreate)
	if err != nil {
		return Comment{}, err
	}
	body, err = cleanBody(op, body)
	if err != nil {
		return Comment{}, err
	}
	c, err := s.comment(ctx, op, d, id)
	if err != nil {
		return Comment{}, err
	}
	if c.AuthorID != actor.ID {
		return Comment{}, E(KindForbidden, op, "only its author edits a comment")
	}
	now := s.clock()
	c, err = s.store.EditComment(ctx, d.ID, id, body, now, NewEvent("comment.edit", actor, d.ID, now, map[string]string{"comment": itoa(id)}))
	if err != nil {
		return Comment{}, fmt.Errorf("%s %s/%d: %w", op, slug, id, err)
	}
	return c, nil
}

// CommentVersions returns a comment's earlier bodies.
func (s *Service) CommentVersions(ctx context.Context, actor *User, slug string, id int64) ([]CommentVersion, error) {
	const op = "comment history"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.comment(ctx, op, d, id); err != nil {
		return nil, err
	}
	vs, err := s.store.CommentVersions(ctx, d.ID, id)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%d: %w", op, slug, id, err)
	}
	return vs, nil
}

// ResolveThread resolves (or reopens) the thread of comment id: its chairs
// or the author of its first comment may.
func (s *Service) ResolveThread(ctx context.Context, actor *User, slug string, id int64, resolved bool) (Comment, error) {
	const op = "resolve thread"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return Comment{}, err
	}
	c, err := s.comment(ctx, op, d, id)
	if err != nil {
		return Comment{}, err
	}
	root, err := s.comment(ctx, op, d, c.Thread)
	if err != nil {
		return Comment{}, err
	}
	if root.AuthorID != actor.ID {
		if err := s.authorize(op, actor, d.ID, ObjComment, ActResolve); err != nil {
			return Comment{}, Wrap(KindForbidden, op, "a chair or the thread's author resolves it", err)
		}
	}
	kind := "comment.reopen"
	if resolved {
		kind = "comment.resolve"
	}
	now := s.clock()
	if err := s.store.SetThreadResolved(ctx, d.ID, root.ID, resolved, actor.ID, now,
		NewEvent(kind, actor, d.ID, now, map[string]string{"thread": itoa(root.ID)})); err != nil {
		return Comment{}, fmt.Errorf("%s %s/%d: %w", op, slug, id, err)
	}
	return s.comment(ctx, op, d, root.ID)
}

// HideComment lets a chair hide a comment with a recorded reason; it is kept
// and listed as hidden.
func (s *Service) HideComment(ctx context.Context, actor *User, slug string, id int64, reason string) (Comment, error) {
	const op = "hide comment"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActResolve)
	if err != nil {
		return Comment{}, err
	}
	reason, err = cleanMessage(op, "reason", reason, 2000)
	if err != nil {
		return Comment{}, err
	}
	if reason == "" {
		return Comment{}, E(KindInvalid, op, "a reason is required to hide a comment")
	}
	if _, err := s.comment(ctx, op, d, id); err != nil {
		return Comment{}, err
	}
	now := s.clock()
	if err := s.store.HideComment(ctx, d.ID, id, actor.ID, reason, now,
		NewEvent("comment.hide", actor, d.ID, now, map[string]string{"comment": itoa(id), "reason": reason})); err != nil {
		return Comment{}, fmt.Errorf("%s %s/%d: %w", op, slug, id, err)
	}
	return s.comment(ctx, op, d, id)
}

// ListedComment is a comment as listed for a revision: with its anchor mapped
// into that revision.
type ListedComment struct {
	Comment
	Status    string  // anchored, moved or outdated; "" for a general comment or reply
	Mapped    *Anchor // the anchor in the listed revision (anchored or moved)
	Paragraph int     // paragraph index of the mapped anchor in the listed revision; -1 if none
}

// CommentFilter narrows a listing.
type CommentFilter struct {
	State     string // "", "open" or "resolved" (of the thread)
	Paragraph *int   // only comments anchored in this paragraph
	Author    string // login
}

// CommentListing is what ListComments answers.
type CommentListing struct {
	Revision Revision
	Comments []ListedComment
	// OpenThreads counts open, visible threads anchored per paragraph of the
	// listed revision.
	OpenThreads map[int]int
}

// ListComments returns the comments made on revision n and every earlier
// revision, each with its anchor carried into n through the redlines between
// consecutive revisions: anchored, moved or outdated, never lost.
func (s *Service) ListComments(ctx context.Context, actor *User, slug string, n int64, f CommentFilter) (CommentListing, error) {
	const op = "list comments"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return CommentListing{}, err
	}
	switch f.State {
	case "", "open", "resolved":
	default:
		return CommentListing{}, E(KindInvalid, op, "state must be open or resolved")
	}
	target, err := s.revision(ctx, op, d, n)
	if err != nil {
		return CommentListing{}, err
	}
	all, err := s.store.ListComments(ctx, d.ID)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	var cs []Comment
	roots := map[int64]Comment{}
	for _, c := range all {
		if c.Proposal == 0 && c.Revision <= n {
			cs = append(cs, c)
			if c.ID == c.Thread {
				roots[c.ID] = c
			}
		}
	}
	mapped, err := s.mapAnchors(ctx, d, cs, n)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s: %w", op, err)
	}
	targetText, err := s.readText(ctx, target)
	if err != nil {
		return CommentListing{}, fmt.Errorf("%s: %w", op, err)
	}
	starts := paragraphStarts(string(targetText))
	out := CommentListing{Revision: target, OpenThreads: map[int]int{}}
	for _, c := range cs {
		lc := ListedComment{Comment: c, Paragraph: -1}
		if m, ok := mapped[c.ID]; ok {
			lc.Status = m.status
			if m.status != AnchorOutdated {
				a := m.anchor
				lc.Mapped = &a
				lc.Paragraph = paragraphAt(starts, a.Start)
			}
		}
		root := roots[c.Thread]
		if root.Resolved {
			lc.Resolved = true
		}
		if c.ID == c.Thread && !c.Resolved && !c.Hidden && lc.Paragraph >= 0 {
			out.OpenThreads[lc.Paragraph]++
		}
		if f.State == "open" && root.Resolved || f.State == "resolved" && !root.Resolved {
			continue
		}
		if f.Author != "" && c.AuthorLogin != f.Author {
			continue
		}
		if f.Paragraph != nil && lc.Paragraph != *f.Paragraph {
			continue
		}
		out.Comments = append(out.Comments, lc)
	}
	return out, nil
}

// ProposalComments lists the comments made on a proposal.
func (s *Service) ProposalComments(ctx context.Context, actor *User, slug string, p int64) ([]Comment, error) {
	const op = "list comments"
	d, err := s.documentFor(ctx, op, actor, slug, ObjComment, ActRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.proposal(ctx, op, d, p); err != nil {
		return nil, err
	}
	all, err := s.store.ListComments(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	var out []Comment
	for _, c := range all {
		if c.Proposal == p {
			out = append(out, c)
		}
	}
	return out, nil
}

type mappedAnchor struct {
	status string
	anchor Anchor
}

// mapAnchors carries the anchors of comments into revision n, one revision
// at a time. A comment's mapping into a revision never changes (both are
// immutable), so results are cached per comment and target revision.
func (s *Service) mapAnchors(ctx context.Context, d Document, cs []Comment, n int64) (map[int64]mappedAnchor, error) {
	out := map[int64]mappedAnchor{}
	var pending []Comment
	for _, c := range cs {
		if c.Anchor == nil {
			continue
		}
		if m, ok := s.anchors.get(anchorKey{c.ID, n}); ok {
			out[c.ID] = m
			continue
		}
		pending = append(pending, c)
	}
	if len(pending) == 0 {
		return out, nil
	}
	// Each comment is carried from the latest revision its mapping is
	// cached for (its own revision at worst), so a listing for a new head
	// takes one step, not the whole history.
	type carry struct {
		c    Comment
		from int64
		m    mappedAnchor
	}
	carries := make([]carry, 0, len(pending))
	for _, c := range pending {
		cr := carry{c: c, from: c.Revision, m: mappedAnchor{status: AnchorAnchored, anchor: *c.Anchor}}
		for k := n - 1; k > c.Revision; k-- {
			if m, ok := s.anchors.get(anchorKey{c.ID, k}); ok {
				cr.from, cr.m = k, m
				break
			}
		}
		carries = append(carries, cr)
	}
	sort.Slice(carries, func(i, j int) bool { return carries[i].from < carries[j].from })
	first := carries[0].from
	// live: comments being carried forward, by ID, with their current
	// anchor in revision k.
	live := map[int64]mappedAnchor{}
	next := 0
	var prevText string
	var prevRev Revision
	for k := first; k <= n; k++ {
		r, err := s.revision(ctx, "map anchors", d, k)
		if err != nil {
			return nil, err
		}
		text, err := s.readText(ctx, r)
		if err != nil {
			return nil, err
		}
		if k > first && len(live) > 0 {
			res, err := s.diffHashes(ctx, d.ID, prevRev.SHA256, r.SHA256, textdiff.ModeWord)
			if err != nil {
				return nil, err
			}
			var ids []int64
			var as []textdiff.Anchor
			for id, m := range live {
				if m.status == AnchorOutdated {
					continue
				}
				ids = append(ids, id)
				as = append(as, textdiff.Anchor(m.anchor))
			}
			ms := textdiff.MapAnchors(prevText, string(text), res, as)
			// The text as code points, once per step: rebuilding each
			// anchor's quote and context from it is what Next does, without
			// converting the whole text for every anchor.
			runes := []rune(string(text))
			for i, id := range ids {
				m := live[id]
				switch string(ms[i].Status) {
				case AnchorOutdated:
					m.status = AnchorOutdated // it keeps its original quote and revision
					m.anchor = Anchor{}
				default:
					if string(ms[i].Status) == AnchorMoved {
						m.status = AnchorMoved
					}
					m.anchor = anchorAt(runes, ms[i].Start, ms[i].End)
				}
				live[id] = m
			}
			for id, m := range live {
				s.anchors.put(anchorKey{id, k}, m)
			}
		}
		for next < len(carries) && carries[next].from == k {
			live[carries[next].c.ID] = carries[next].m
			next++
		}
		prevText, prevRev = string(text), r
	}
	for id, m := range live {
		out[id] = m
	}
	return out, nil
}

// anchorAt is the anchor of runes[start:end] with its context.
func anchorAt(runes []rune, start, end int) Anchor {
	return Anchor{Start: start, End: end, Quote: string(runes[start:end]),
		Prefix: string(runes[max(0, start-maxAnchorContext):start]),
		Suffix: string(runes[end:min(len(runes), end+maxAnchorContext)])}
}

// paragraphStarts returns the code-point offsets where paragraphs start.
func paragraphStarts(text string) []int {
	starts := []int{0}
	runes := []rune(text)
	for i := 1; i < len(runes); i++ {
		if runes[i-1] == '\n' && runes[i] != '\n' && i >= 2 && runes[i-2] == '\n' {
			starts = append(starts, i)
		}
	}
	return starts
}

func paragraphAt(starts []int, pos int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > pos }) - 1
}

type anchorKey struct {
	comment  int64
	revision int64
}

// anchorCache remembers mapped anchors; each entry is small, so it is bounded
// by count.
type anchorCache struct {
	mu    sync.Mutex
	max   int
	items map[anchorKey]mappedAnchor
}

func newAnchorCache(max int) *anchorCache {
	return &anchorCache{max: max, items: make(map[anchorKey]mappedAnchor)}
}

func (c *anchorCache) get(k anchorKey) (mappedAnchor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.items[k]
	return m, ok
}

func (c *anchorCache) put(k anchorKey, m mappedAnchor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		// Dropping everything is crude but bounded, and refilling costs one
		// listing: the diffs behind it stay cached.
		clear(c.items)
	}
	c.items[k] = m
}

// OpenThreadsIn lists the open, visible threads anchored in revision n or
// carried into it (anchored or moved there), and general threads on n.
func (s *Service) openThreadsIn(ctx context.Context, d Document, n int64) ([]Comment, error) {
	all, err := s.store.ListComments(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var cs []Comment
	for _, c := range all {
		if c.Proposal == 0 && c.Revision <= n && c.ID == c.Thread {
			cs = append(cs, c)
		}
	}
	mapped, err := s.mapAnchors(ctx, d, cs, n)
	if err != nil {
		return nil, err
	}
	var open []Comment
	for _, c := range cs {
		if c.Resolved || c.Hidden {
			continue
		}
		if c.Anchor == nil {
			if c.Revision == n {
				open = append(open, c)
			}
			continue
		}
		if m := mapped[c.ID]; m.status != AnchorOutdated {
			open = append(open, c)
		}
	}
	return open, nil
}
