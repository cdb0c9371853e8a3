package drafting

import (
	"context"
	"fmt"
	"strings"
)

// Adoptions is the capability of approvals and adoptions: chairs approve
// the head by its hash, and adopt it as a basis or as a whole once enough
// current chairs have; the adopted text is archived and public.
type Adoptions struct{ c *core }

// CountedApproval is an approval and whether it counts toward the quorum
// now; when it does not, Why says why (chair_removed, chair_disabled).
type CountedApproval struct {
	Approval
	Counts bool
	Why    Reason
}

// Quorum is how a revision's approvals count at one moment: only approvals
// of the revision's exact hash by people who are, at that moment, enabled
// chairs of the document.
type Quorum struct {
	Approvals []CountedApproval
	Counted   int
	Required  int
	Reached   bool
}

// countApprovals is the quorum of revision r's approvals as, by members,
// the document stands now.
func countApprovals(r Revision, as []Approval, members []RoleAssignment, required int) Quorum {
	chairs := map[int64]RoleAssignment{}
	for _, m := range members {
		if m.Role == RoleChair {
			chairs[m.UserID] = m
		}
	}
	q := Quorum{Required: required}
	seen := map[int64]bool{}
	for _, a := range as {
		ca := CountedApproval{Approval: a}
		m, isChair := chairs[a.ChairID]
		switch {
		case a.SHA256 != r.SHA256:
			ca.Why = ReasonHashMismatch
		case !isChair:
			ca.Why = ReasonChairRemoved
		case m.Disabled:
			ca.Why = ReasonChairDisabled
		case seen[a.ChairID]:
			ca.Why = ReasonAlreadyApproved
		default:
			ca.Counts = true
			seen[a.ChairID] = true
			q.Counted++
		}
		q.Approvals = append(q.Approvals, ca)
	}
	q.Reached = q.Counted >= required
	return q
}

// quorum reads revision r's approvals and the members, and counts them.
func quorum(ctx context.Context, rd DocumentReader, r Revision) (Quorum, error) {
	as, err := rd.Approvals(ctx, r.Number)
	if err != nil {
		return Quorum{}, fmt.Errorf("read approvals: %w", err)
	}
	ms, err := rd.Members(ctx)
	if err != nil {
		return Quorum{}, fmt.Errorf("read members: %w", err)
	}
	return countApprovals(r, as, ms, rd.Document().ApprovalsRequired), nil
}

// ApprovalStatus is a revision's approvals, how they count now, and what the
// asking user may do with the revision now, with the reason when not.
type ApprovalStatus struct {
	Revision Revision
	IsHead   bool
	Quorum
	Approved    bool // the asking user has approved this revision
	OpenThreads int  // open threads that an adoption needs a reason to override
	State       State
	Approve     Decision
	AdoptBasis  Decision
	AdoptFinal  Decision
}

// Approve records the actor's approval of revision n, bound to its hash,
// while the procedure allows approving: the revision must be the head
// (not_head), sum its hash (hash_mismatch), and the actor must not have
// approved it already (already_approved).
func (s *Adoptions) Approve(ctx context.Context, actor *User, slug string, n int64, sum, note string) (Approval, error) {
	const op = "approve revision"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionApprove)
	if err != nil {
		return Approval{}, err
	}
	if sum == "" {
		return Approval{}, missing(op, "sha256")
	}
	note, err = cleanMessage(op, "note", note, 2000)
	if err != nil {
		return Approval{}, err
	}
	var a Approval
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		r, err := c.ruleApprove(ctx, op, actor, tx, n, sum)
		if err != nil {
			return err
		}
		now := c.clock()
		if a, err = tx.InsertApproval(ctx, Approval{DocumentID: d.ID, Revision: r.Number, SHA256: r.SHA256, ChairID: actor.ID,
			Note: note, CreatedAt: now}); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("approval.create", actor, d.ID, now,
			map[string]string{"revision": itoa(n), "sha256": sum}))
		return err
	})
	if err != nil {
		return Approval{}, err
	}
	return a, nil
}

// ruleApprove: the procedure allows actor to approve now; n is the head,
// sum its hash, and actor has not approved it. sum "" skips the hash (for
// the pages' question "may I approve").
func (c *core) ruleApprove(ctx context.Context, op string, actor *User, rd DocumentReader, n int64, sum string) (Revision, error) {
	if err := c.checkStep(op, actor, rd.Document(), ActionApprove); err != nil {
		return Revision{}, err
	}
	r, err := headRevision(ctx, op, rd, n)
	if err != nil {
		return Revision{}, err
	}
	if sum != "" && sum != r.SHA256 {
		return Revision{}, Refuse(op, ReasonHashMismatch,
			"the hash is not this revision's: you would approve a text other than this one").With("sha256", r.SHA256)
	}
	as, err := rd.Approvals(ctx, n)
	if err != nil {
		return Revision{}, fmt.Errorf("read approvals: %w", err)
	}
	for _, a := range as {
		if a.ChairID == actor.ID {
			return Revision{}, Refuse(op, ReasonAlreadyApproved, "you have approved revision "+itoa(n)+" already")
		}
	}
	return r, nil
}

// headRevision is revision n, refused (not_head) unless it is the head.
func headRevision(ctx context.Context, op string, rd DocumentReader, n int64) (Revision, error) {
	var r Revision
	var err error
	if n >= 1 {
		r, err = rd.Revision(ctx, n)
	}
	if n < 1 || ErrorKind(err) == KindNotFound {
		return Revision{}, notFound(op, "revision", err)
	}
	if err != nil {
		return Revision{}, err
	}
	head, err := headNumber(ctx, rd)
	if err != nil {
		return Revision{}, err
	}
	if head != n {
		return Revision{}, Refuse(op, ReasonNotHead,
			fmt.Sprintf("revision %d is not the head; the head is revision %d", n, head)).With("head", head)
	}
	return r, nil
}

// Status returns revision n's approvals as they count now, with what actor
// may do with it now: the same rules Approve and Adopt apply, asked of one
// consistent snapshot.
func (s *Adoptions) Status(ctx context.Context, actor *User, slug string, n int64) (ApprovalStatus, error) {
	const op = "list approvals"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return ApprovalStatus{}, err
	}
	var st ApprovalStatus
	err = c.readDocument(ctx, op, d, func(rd DocumentReader) error {
		r, err := rd.Revision(ctx, n)
		if n < 1 || ErrorKind(err) == KindNotFound {
			return notFound(op, "revision", err)
		}
		if err != nil {
			return err
		}
		st.Revision, st.State = r, rd.Document().State
		head, err := headNumber(ctx, rd)
		if err != nil {
			return err
		}
		st.IsHead = head == n
		if st.Quorum, err = quorum(ctx, rd, r); err != nil {
			return err
		}
		for _, a := range st.Approvals {
			st.Approved = st.Approved || (actor != nil && a.ChairID == actor.ID)
		}
		_, err = c.ruleApprove(ctx, op, actor, rd, n, "")
		st.Approve = decision(err)
		adopt := func(stage string) Decision {
			_, err := c.ruleAdopt(ctx, op, actor, rd, n, stage)
			return decision(err)
		}
		st.AdoptBasis, st.AdoptFinal = adopt(StageBasis), adopt(StageFinal)
		if st.AdoptBasis.Allowed || st.AdoptFinal.Allowed {
			all, err := rd.Comments(ctx)
			if err != nil {
				return err
			}
			open, err := c.openThreads(ctx, rd.Document(), all, n)
			if err != nil {
				return err
			}
			st.OpenThreads = len(open)
		}
		return nil
	})
	if err != nil {
		return ApprovalStatus{}, err
	}
	return st, nil
}

// AdoptInput is the input of Adopt.
type AdoptInput struct {
	Stage          string
	Note           string
	OverrideReason string
	// Vote, when not nil, is how the adoption was voted.
	Vote *Vote
}

// Adopt adopts revision n at a stage. The procedure must allow that stage
// now (adoptions only move forward: stage_order, document_closed); n must
// be the head (not_head) with the quorum of approvals of its exact hash by
// chairs enabled now (quorum_not_reached); open comment threads anchored in
// it or carried into it hold it back (open_threads, recorded in the audit
// log) unless the chair gives a reason to override. The adopted text is
// copied to write-once storage by an outbox step, tried at once and
// retried by the operator's outbox until done.
func (s *Adoptions) Adopt(ctx context.Context, actor *User, slug string, n int64, in AdoptInput) (Adoption, error) {
	const op = "adopt revision"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return Adoption{}, err
	}
	action := AdoptAction(in.Stage)
	if action == "" {
		if err := c.authorizeFor(op, actor, d.ID, ObjAdoption, ActCreate, ReasonNotAChair); err != nil {
			return Adoption{}, err
		}
		return Adoption{}, Refuse(op, ReasonInvalidStage, "stage must be basis or final").With("field", "stage")
	}
	if err := c.checkStep(op, actor, d, action); err != nil {
		return Adoption{}, err
	}
	note, err := cleanMessage(op, "note", in.Note, 2000)
	if err != nil {
		return Adoption{}, err
	}
	override, err := cleanReason(op, "override_reason", in.OverrideReason, 2000)
	if err != nil {
		return Adoption{}, err
	}
	if err := checkVote(op, in.Vote); err != nil {
		return Adoption{}, err
	}
	// The same check on a snapshot first: it warms the anchors' cache, so
	// the unit of work, which holds the document's lock, finds the open
	// threads quickly.
	if err := c.readDocument(ctx, op, d, func(rd DocumentReader) error {
		if _, err := c.ruleAdopt(ctx, op, actor, rd, n, in.Stage); err != nil {
			return err
		}
		all, err := rd.Comments(ctx)
		if err != nil {
			return err
		}
		_, err = c.openThreads(ctx, d, all, n)
		return err
	}); err != nil {
		return Adoption{}, err
	}
	var (
		a       Adoption
		refusal error
	)
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		q, err := c.ruleAdopt(ctx, op, actor, tx, n, in.Stage)
		if err != nil {
			return err
		}
		doc := tx.Document()
		all, err := tx.Comments(ctx)
		if err != nil {
			return err
		}
		open, err := c.openThreads(ctx, doc, all, n)
		if err != nil {
			return err
		}
		now := c.clock()
		if len(open) > 0 && override == "" {
			ids := make([]int64, len(open))
			idText := make([]string, len(open))
			for i, cm := range open {
				ids[i], idText[i] = cm.ID, itoa(cm.ID)
			}
			// The refusal is recorded: the unit of work commits the event
			// and the caller is refused after it.
			refusal = Refuse(op, ReasonOpenThreads,
				"the revision has open comment threads; resolve them or give override_reason").
				With("open_threads", ids).With("field", "override_reason")
			_, err := tx.AppendEvent(ctx, NewEvent("adoption.refused", actor, d.ID, now, map[string]string{
				"revision": itoa(n), "stage": in.Stage, "reason": string(ReasonOpenThreads),
				"open_threads": strings.Join(idText, ",")}))
			return err
		}
		if len(open) == 0 {
			override = "" // nothing to override: do not record a reason for nothing
		}
		r := q.revision
		if a, err = tx.InsertAdoption(ctx, Adoption{DocumentID: d.ID, Revision: n, SHA256: r.SHA256, Size: r.Size,
			Stage: in.Stage, Note: note, OverrideReason: override, ChairID: actor.ID, CreatedAt: now, Vote: in.Vote}); err != nil {
			return err
		}
		if next := Next(doc.State, action); next != doc.State {
			if err := tx.SetState(ctx, next); err != nil {
				return err
			}
		}
		data := map[string]string{"adoption": itoa(a.ID), "revision": itoa(n), "sha256": r.SHA256, "stage": in.Stage,
			"approvals": strings.Join(q.counted, ","), "state": string(Next(doc.State, action))}
		if override != "" {
			data["override_reason"] = override
		}
		_, err = tx.AppendEvent(ctx, NewEvent("adoption.create", actor, d.ID, now, addVote(data, in.Vote)))
		return err
	})
	if err != nil {
		return Adoption{}, err
	}
	if refusal != nil {
		return Adoption{}, refusal
	}
	// The adoption is committed; the copy is the outbox's job, and a
	// failure here is retried later rather than reported.
	if err := c.archive(ctx, a); err == nil {
		a.ArchivedAt = c.clock()
	}
	return a, nil
}

// adoptCheck is what ruleAdopt found: the revision and the logins of the
// chairs whose approvals count.
type adoptCheck struct {
	revision Revision
	counted  []string
}

// ruleAdopt: the procedure allows actor to adopt at stage now; n is the
// head, not older than the last adoption, with the quorum of approvals by
// current, enabled chairs. The open threads gate is the caller's.
func (c *core) ruleAdopt(ctx context.Context, op string, actor *User, rd DocumentReader, n int64, stage string) (adoptCheck, error) {
	action := AdoptAction(stage)
	if action == "" {
		return adoptCheck{}, Refuse(op, ReasonInvalidStage, "stage must be basis or final").With("field", "stage")
	}
	if err := c.checkStep(op, actor, rd.Document(), action); err != nil {
		return adoptCheck{}, err
	}
	r, err := headRevision(ctx, op, rd, n)
	if err != nil {
		return adoptCheck{}, err
	}
	as, err := rd.Adoptions(ctx)
	if err != nil {
		return adoptCheck{}, fmt.Errorf("read adoptions: %w", err)
	}
	if len(as) > 0 && as[len(as)-1].Revision > n {
		// The head never goes back, so this only guards the order against
		// a store that lost a revision.
		return adoptCheck{}, Refuse(op, ReasonStageOrder, "adoptions only move forward: a newer revision is adopted").
			With("adopted", as[len(as)-1].Revision)
	}
	q, err := quorum(ctx, rd, r)
	if err != nil {
		return adoptCheck{}, err
	}
	if !q.Reached {
		return adoptCheck{}, Refuse(op, ReasonQuorumNotReached,
			fmt.Sprintf("revision %d has %d of the %d approvals by current chairs it needs", n, q.Counted, q.Required)).
			With("approvals", q.Counted).With("required", q.Required)
	}
	out := adoptCheck{revision: r}
	for _, a := range q.Approvals {
		if a.Counts {
			out.counted = append(out.counted, a.ChairLogin)
		}
	}
	return out, nil
}
