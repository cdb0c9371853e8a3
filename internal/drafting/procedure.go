package drafting

import (
	"context"
	"slices"
)

// State is where a document stands in its procedure: a draft is adopted as
// a basis («принят за основу»), amendments are considered, and the text is
// adopted as a whole («принят в целом»), which closes it.
type State string

// The states of a document. States only move forward; an administrator
// reopening a final document (a recorded act, with a reason) takes it back
// to basis, so that a later final adoption supersedes the earlier one.
const (
	StateDrafting State = "drafting"
	StateBasis    State = "basis"
	StateFinal    State = "final"
)

// States lists the states in procedural order.
func States() []State { return []State{StateDrafting, StateBasis, StateFinal} }

// Action is a step a user takes on a document that the procedure governs.
type Action string

// The actions of the procedure.
const (
	ActionCommit        Action = "commit"         // a chair commits a new text
	ActionPropose       Action = "propose"        // a member proposes an amendment
	ActionMerge         Action = "merge"          // a chair merges a proposal
	ActionReject        Action = "reject"         // a chair rejects a proposal
	ActionWithdraw      Action = "withdraw"       // its author withdraws a proposal
	ActionComment       Action = "comment"        // anyone reading comments or replies
	ActionEditComment   Action = "edit_comment"   // its author edits a comment
	ActionResolveThread Action = "resolve_thread" // a chair or the thread's author resolves or reopens it
	ActionHideComment   Action = "hide_comment"   // a chair hides a comment, with a reason
	ActionApprove       Action = "approve"        // a chair approves the head by its hash
	ActionAdoptBasis    Action = "adopt_basis"    // a chair adopts the head as a basis
	ActionAdoptFinal    Action = "adopt_final"    // a chair adopts the head as a whole
	ActionReopen        Action = "reopen"         // an administrator reopens a final document
)

// step is one row of the procedure: whom the authorizer must allow (obj,
// act), what a caller it does not allow is told, in which states the step
// is refused and why, and the state it leads to ("" keeps the state).
type step struct {
	obj, act string
	role     Reason
	refused  map[State]Reason
	next     State
}

// closed is the row of a step that a final document refuses.
var closed = map[State]Reason{StateFinal: ReasonDocumentClosed}

// procedure is the table of the procedure. Adding an action is adding a
// row; adding a state is adding it to the rows that refuse it.
var procedure = map[Action]step{
	ActionCommit:        {obj: ObjRevision, act: ActCommit, role: ReasonNotAChair, refused: closed},
	ActionPropose:       {obj: ObjProposal, act: ActCreate, role: ReasonRoleForbidden, refused: closed},
	ActionMerge:         {obj: ObjProposal, act: ActMerge, role: ReasonNotAChair, refused: closed},
	ActionReject:        {obj: ObjProposal, act: ActReject, role: ReasonNotAChair},
	ActionWithdraw:      {obj: ObjProposal, act: ActRead, role: ReasonRoleForbidden},
	ActionComment:       {obj: ObjComment, act: ActCreate, role: ReasonRoleForbidden, refused: closed},
	ActionEditComment:   {obj: ObjComment, act: ActCreate, role: ReasonRoleForbidden, refused: closed},
	ActionResolveThread: {obj: ObjComment, act: ActRead, role: ReasonRoleForbidden},
	ActionHideComment:   {obj: ObjComment, act: ActResolve, role: ReasonNotAChair},
	ActionApprove:       {obj: ObjApproval, act: ActCreate, role: ReasonNotAChair, refused: closed},
	ActionAdoptBasis: {obj: ObjAdoption, act: ActCreate, role: ReasonNotAChair, next: StateBasis,
		refused: map[State]Reason{StateBasis: ReasonStageOrder, StateFinal: ReasonStageOrder}},
	ActionAdoptFinal: {obj: ObjAdoption, act: ActCreate, role: ReasonNotAChair, next: StateFinal,
		refused: map[State]Reason{StateFinal: ReasonDocumentClosed}},
	ActionReopen: {obj: ObjDocument, act: ActReopen, role: ReasonNotAnAdmin, next: StateBasis,
		refused: map[State]Reason{StateDrafting: ReasonNotClosed, StateBasis: ReasonNotClosed}},
}

// Actions lists every action of the procedure, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(procedure))
	for a := range procedure {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Decide reports whether the procedure allows action while a document is
// in state, and if not, why. Who may take it is the authorizer's to say
// (policies/policy.csv); Service.Decide asks both.
func Decide(state State, action Action) (bool, Reason) {
	st, ok := procedure[action]
	if !ok {
		return false, ReasonInvalidInput
	}
	if !slices.Contains(States(), state) {
		return false, ReasonInternal
	}
	if r, refused := st.refused[state]; refused {
		return false, r
	}
	return true, ""
}

// Next is the state action leads to from state (state itself for an action
// that does not move the document).
func Next(state State, action Action) State {
	if st := procedure[action]; st.next != "" {
		return st.next
	}
	return state
}

// AdoptAction is the action of adopting at stage ("" for no such stage).
func AdoptAction(stage string) Action {
	switch stage {
	case StageBasis:
		return ActionAdoptBasis
	case StageFinal:
		return ActionAdoptFinal
	}
	return ""
}

// Decision is the answer to "may this user do that now": allowed, or the
// reason why not.
type Decision struct {
	Allowed bool
	Reason  Reason
}

func decision(err error) Decision {
	if err == nil {
		return Decision{Allowed: true}
	}
	return Decision{Reason: ErrorReason(err)}
}

// checkStep is the refusal of action by actor on d: the authorizer for
// the role, then the table for the state. The caller has found d; op names
// the operation in the error.
func (c *core) checkStep(op string, actor *User, d Document, action Action) error {
	st, ok := procedure[action]
	if !ok {
		return E(KindInternal, op, "no such step of the procedure: "+string(action))
	}
	if err := c.authorizeFor(op, actor, d.ID, st.obj, st.act, st.role); err != nil {
		return err
	}
	return checkState(op, d, action)
}

// checkState is the refusal of action by the table for d's state.
func checkState(op string, d Document, action Action) error {
	ok, r := Decide(d.State, action)
	if ok {
		return nil
	}
	msg := "the procedure does not allow this now"
	switch r {
	case ReasonDocumentClosed:
		msg = "the document is adopted as a whole and closed; an administrator may reopen it"
	case ReasonStageOrder:
		msg = "adoptions only move forward: the document is adopted " + stageWord(d.State) + " already"
	case ReasonNotClosed:
		msg = "only a document adopted as a whole is reopened"
	}
	return Refuse(op, r, msg).With("state", string(d.State))
}

func stageWord(s State) string {
	if s == StateFinal {
		return "as a whole"
	}
	return "as a basis"
}

// Decide answers whether actor may take action on the document now, and if
// not, why: what the authorizer says of their role, then the procedure's
// table for the document's state. The pages ask it which actions to offer.
// Rules about one revision or proposal (the head, the hash, the quorum) are
// answered where those are shown (ApprovalStatus, ProposalView).
func (s *Service) Decide(ctx context.Context, actor *User, slug string, action Action) Decision {
	return s.Decisions(ctx, actor, slug, action)[action]
}

// Decisions is Decide for several actions, finding the document once.
func (s *Service) Decisions(ctx context.Context, actor *User, slug string, actions ...Action) map[Action]Decision {
	const op = "decide"
	out := make(map[Action]Decision, len(actions))
	d, err := s.core.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	for _, a := range actions {
		if err != nil {
			out[a] = decision(err)
			continue
		}
		out[a] = decision(s.core.checkStep(op, actor, d, a))
	}
	return out
}
