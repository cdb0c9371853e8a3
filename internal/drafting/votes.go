package drafting

import (
	"context"
	"strconv"
)

// Vote is how a decision or an adoption was voted: the numbers of members
// for, against and abstaining. A decision or adoption without a vote has a
// nil *Vote.
type Vote struct {
	For       int
	Against   int
	Abstained int
}

// maxVote bounds each count: a hall, not a referendum.
const maxVote = 1_000_000

// Total is the number of members who voted.
func (v Vote) Total() int { return v.For + v.Against + v.Abstained }

// String is the vote as the minutes write it: "за 12, против 3, воздержались 1".
func (v Vote) String() string {
	return "за " + strconv.Itoa(v.For) + ", против " + strconv.Itoa(v.Against) + ", воздержались " + strconv.Itoa(v.Abstained)
}

// checkVote refuses a vote with a negative or absurd count, or with no
// count above zero: nobody voted, which is no vote (out_of_range; give no
// vote at all instead).
func checkVote(op string, v *Vote) error {
	if v == nil {
		return nil
	}
	if *v == (Vote{}) {
		return Refuse(op, ReasonOutOfRange, "a vote needs at least one count above zero; leave the vote out when there was none").
			With("field", "vote").With("min", 1)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"vote.for", v.For}, {"vote.against", v.Against}, {"vote.abstained", v.Abstained}} {
		if f.n < 0 || f.n > maxVote {
			return Refuse(op, ReasonOutOfRange, f.name+" must be between 0 and "+strconv.Itoa(maxVote)).
				With("field", f.name).With("max", maxVote)
		}
	}
	return nil
}

// addVote writes a vote into an event's data, so that the audit log keeps it.
func addVote(data map[string]string, v *Vote) map[string]string {
	if v != nil {
		data["vote_for"] = strconv.Itoa(v.For)
		data["vote_against"] = strconv.Itoa(v.Against)
		data["vote_abstained"] = strconv.Itoa(v.Abstained)
	}
	return data
}

// AdoptionVote is the vote recorded with an adoption, or nil when the chair
// recorded none: the one way other packages (signing, the public page) read
// it.
func AdoptionVote(a Adoption) *Vote {
	if a.Vote == nil {
		return nil
	}
	v := *a.Vote
	return &v
}

// DecisionRejected is the decision of a rejected proposal, beside
// DecisionAccepted and DecisionAcceptedWithChanges on merged ones.
const DecisionRejected = "rejected"

// DecideInput is a chair's decision on an open proposal.
type DecideInput struct {
	// Decision is accepted, accepted_with_changes or rejected.
	Decision string
	// Head is the head the chair saw (for accepting).
	Head int64
	// Text is the chair's text (accepted_with_changes; or a resolution of
	// conflicts when accepting).
	Text []byte
	// Reason is why it is rejected (required for rejected).
	Reason string
	// Message describes the revision an acceptance makes.
	Message string
	// Vote, when not nil, is how the decision was voted.
	Vote *Vote
}

// Decide records a chair's decision on an open proposal: accepted (merged
// as it is), accepted_with_changes (merged with the chair's text, both the
// author and the chair recorded) or rejected (with a reason), each with an
// optional vote. It returns the proposal as closed and, when accepted, the
// revision it became.
func (s *Proposals) Decide(ctx context.Context, actor *User, slug string, n int64, in DecideInput) (Proposal, *Revision, error) {
	const op = "decide proposal"
	if err := checkVote(op, in.Vote); err != nil {
		return Proposal{}, nil, err
	}
	switch in.Decision {
	case DecisionAccepted, DecisionAcceptedWithChanges:
		if in.Decision == DecisionAcceptedWithChanges && in.Text == nil {
			if _, err := s.c.stepDocument(ctx, op, actor, slug, ActionMerge); err != nil {
				return Proposal{}, nil, err
			}
			return Proposal{}, nil, missing(op, "text")
		}
		r, err := s.Merge(ctx, actor, slug, n, MergeInput{Head: in.Head, Text: in.Text, Message: in.Message, Vote: in.Vote})
		if err != nil {
			return Proposal{}, nil, err
		}
		p, err := s.Get(ctx, actor, slug, n)
		if err != nil {
			return Proposal{}, nil, err
		}
		return p, &r, nil
	case DecisionRejected:
		p, err := s.reject(ctx, actor, slug, n, in.Reason, in.Vote)
		return p, nil, err
	}
	if _, err := s.c.stepDocument(ctx, op, actor, slug, ActionReject); err != nil {
		return Proposal{}, nil, err
	}
	return Proposal{}, nil, Refuse(op, ReasonInvalidInput, "decision must be accepted, accepted_with_changes or rejected").
		With("field", "decision")
}
