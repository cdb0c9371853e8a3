package reliability

import (
	"strconv"

	"redline/internal/drafting"
)

// moment is what counted at one adoption, as the audit log replayed up to
// its event says: who was a chair of the document, whose account was
// disabled, and who had approved which hash of which revision.
type moment struct {
	chairs   map[string]bool           // logins
	disabled map[string]bool           // logins
	approved map[string]map[int64]bool // "revision|sha256" → approvers' user IDs
}

// quorum counts the approvals of a's revision that counted at the moment:
// of a's hash, approved before a, by a chair then, enabled then; each chair
// once.
func (m *moment) quorum(as []drafting.Approval, a drafting.Adoption) int {
	by := m.approved[strconv.FormatInt(a.Revision, 10)+"|"+a.SHA256]
	seen := map[int64]bool{}
	for _, ap := range as {
		if ap.SHA256 == a.SHA256 && by[ap.ChairID] && m.chairs[ap.ChairLogin] && !m.disabled[ap.ChairLogin] {
			seen[ap.ChairID] = true
		}
	}
	return len(seen)
}

// closedBy are the events of changes a document adopted as a whole refuses.
var closedBy = map[string]bool{
	"revision.commit": true, "proposal.create": true, "proposal.merge": true, "approval.create": true,
	"comment.create": true, "comment.edit": true,
}

// checkProcedure replays each document's audit log in chain order: the
// procedure's state (drafting → basis → final, a reopening back to basis),
// the roles and disabled accounts, and the approvals; it reports adoptions
// that did not move forward, changes to a final document with no reopening
// before them, and a stored state other than the log's; and it keeps what
// counted at each adoption for checkAdoptions.
func (c *checker) checkProcedure() error {
	type doc struct {
		state    drafting.State
		lastRev  int64
		roles    map[string]string
		approved map[string]map[int64]bool
	}
	docs := map[string]*doc{}
	disabled := map[string]bool{}
	get := func(id string) *doc {
		d, ok := docs[id]
		if !ok {
			d = &doc{state: drafting.StateDrafting, roles: map[string]string{}, approved: map[string]map[int64]bool{}}
			docs[id] = d
		}
		return d
	}
	for _, e := range c.log {
		switch e.Kind {
		case "user.disable":
			disabled[e.Data["login"]] = true
			continue
		case "user.enable":
			delete(disabled, e.Data["login"])
			continue
		}
		if e.DocumentID == "" {
			continue
		}
		d := get(e.DocumentID)
		if closedBy[e.Kind] && d.state == drafting.StateFinal {
			c.add(InvClosedChange, e.DocumentID, "event %d (%s) changed the document adopted as a whole with no reopening before it", e.Seq, e.Kind)
		}
		switch e.Kind {
		case "role.grant":
			d.roles[e.Data["login"]] = e.Data["role"]
		case "role.revoke":
			delete(d.roles, e.Data["login"])
		case "approval.create":
			k := e.Data["revision"] + "|" + e.Data["sha256"]
			if d.approved[k] == nil {
				d.approved[k] = map[int64]bool{}
			}
			d.approved[k][e.ActorID] = true
		case "document.reopen":
			if d.state != drafting.StateFinal {
				c.add(InvAdoptionOrder, e.DocumentID, "event %d reopened a document that was not adopted as a whole", e.Seq)
			}
			d.state = drafting.StateBasis
		case "adoption.create":
			rev, _ := strconv.ParseInt(e.Data["revision"], 10, 64)
			stage := e.Data["stage"]
			switch {
			case rev < d.lastRev:
				c.add(InvAdoptionOrder, e.DocumentID, "event %d adopted revision %d after revision %d", e.Seq, rev, d.lastRev)
			case d.state == drafting.StateFinal:
				c.add(InvAdoptionOrder, e.DocumentID, "event %d adopted (%s) a document adopted as a whole, with no reopening", e.Seq, stage)
			case stage == drafting.StageBasis && d.state != drafting.StateDrafting:
				c.add(InvAdoptionOrder, e.DocumentID, "event %d adopted as a basis a document already adopted (%s)", e.Seq, d.state)
			}
			m := &moment{chairs: map[string]bool{}, disabled: map[string]bool{}, approved: map[string]map[int64]bool{}}
			for login, role := range d.roles {
				if role == drafting.RoleChair {
					m.chairs[login] = true
				}
			}
			for login := range disabled {
				m.disabled[login] = true
			}
			for k, by := range d.approved {
				m.approved[k] = map[int64]bool{}
				for id := range by {
					m.approved[k][id] = true
				}
			}
			if id, err := strconv.ParseInt(e.Data["adoption"], 10, 64); err == nil {
				c.moments[revKey{e.DocumentID, id}] = m
			}
			if stage == drafting.StageBasis || stage == drafting.StageFinal {
				d.state = drafting.State(stage)
			}
			d.lastRev = max(d.lastRev, rev)
		}
	}
	for id, dc := range c.docs {
		want := drafting.StateDrafting
		if d, ok := docs[id]; ok {
			want = d.state
		}
		if dc.State != want {
			c.add(InvDocumentState, id, "the document's state is %s; its audit log leads to %s", dc.State, want)
		}
	}
	return nil
}
