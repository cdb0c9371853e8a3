package shell

import (
	"context"
	"strconv"
	"time"

	"redline/internal/drafting"
)

// Issue 13: limits per member, so that one account cannot flood a
// document with proposals or comments. Both answer 429 with the limit.

// AllowComment counts a comment by actor against the per-minute limit
// (REDLINE_COMMENTS_PER_MINUTE), in the counters every replica shares, and
// refuses the one past it with too_many_comments.
func (s *Shell) AllowComment(ctx context.Context, actor *drafting.User) error {
	if actor == nil {
		return nil // the service refuses an anonymous comment itself
	}
	r, err := s.auth.Throttle().Count(ctx, "comments:"+strconv.FormatInt(actor.ID, 10), s.commentsPerMinute, time.Minute)
	if err != nil {
		return err
	}
	if r != nil {
		secs := int((r.Wait + time.Second - 1) / time.Second)
		return drafting.Refuse("comment", drafting.ReasonTooManyComments, "too many comments in a minute; wait a little").
			With("limit", s.commentsPerMinute).With("retry_after_seconds", secs)
	}
	return nil
}

// AllowProposal refuses a new proposal by actor on slug when they already
// have REDLINE_MAX_OPEN_PROPOSALS open there (too_many_proposals). Two
// proposals sent at the same moment may both pass: the limit is against
// floods, not an exact quota.
func (s *Shell) AllowProposal(ctx context.Context, actor *drafting.User, slug string) error {
	if actor == nil {
		return nil
	}
	ps, err := s.svc.Proposals.List(ctx, actor, slug, string(drafting.ProposalOpen))
	if err != nil {
		// What the caller may not list, the service refuses to create
		// with its own reason.
		return nil
	}
	n := 0
	for _, p := range ps {
		if p.AuthorID == actor.ID {
			n++
		}
	}
	if n >= s.maxOpenProposals {
		return drafting.Refuse("propose", drafting.ReasonTooManyProposals, "you have too many open proposals on this document").
			With("limit", s.maxOpenProposals)
	}
	return nil
}
