package drafting

import (
	"context"
	"fmt"
	"slices"
)

// Members is the capability of who holds which role on a document. A role
// change is a unit of work on the document, so it is ordered with the
// approvals and adoptions whose quorum it changes.
type Members struct{ c *core }

// Member is a person's role on a document.
type Member = RoleAssignment

// Set gives login the role on the document. Appointing or replacing a chair
// takes the appoint_chair permission (administrators); other roles take
// manage_members (the document's chairs).
func (s *Members) Set(ctx context.Context, actor *User, slug, login, role string) (Member, error) {
	const op = "set member"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjDocument, ActManageMembers)
	if err != nil {
		return Member{}, err
	}
	if !slices.Contains(DocumentRoles, role) {
		return Member{}, Refuse(op, ReasonInvalidRole, "role must be chair, member or observer").With("field", "role")
	}
	target, err := c.userByLogin(ctx, op, login)
	if err != nil {
		return Member{}, err
	}
	return c.setRole(ctx, op, actor, d, target, role)
}

// setRole gives target the role on d, as actor (nil: the command line,
// trusted).
func (c *core) setRole(ctx context.Context, op string, actor *User, d Document, target User, role string) (Member, error) {
	var a RoleAssignment
	err := c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		current, err := roleIn(ctx, tx, target.ID)
		if err != nil {
			return err
		}
		if actor != nil && (role == RoleChair || current == RoleChair) {
			if err := c.authorizeFor(op, actor, d.ID, ObjDocument, ActAppointChair, ReasonNotAnAdmin); err != nil {
				return Refuse(op, ReasonNotAnAdmin, "only an administrator appoints or removes a chair")
			}
		}
		now := c.clock()
		a = RoleAssignment{DocumentID: d.ID, DocumentSlug: d.Slug, UserID: target.ID, Login: target.Login,
			Role: role, GrantedAt: now, Disabled: target.Disabled}
		if actor != nil {
			a.GrantedBy = actor.ID
		}
		if err := tx.SetRole(ctx, a); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("role.grant", actor, d.ID, now, map[string]string{"login": target.Login, "role": role}))
		return err
	})
	if err != nil {
		return Member{}, err
	}
	if err := c.policyChanged(ctx); err != nil {
		return Member{}, err
	}
	return a, nil
}

// Remove takes away login's role on the document, under the same rules as
// Set.
func (s *Members) Remove(ctx context.Context, actor *User, slug, login string) error {
	const op = "remove member"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjDocument, ActManageMembers)
	if err != nil {
		return err
	}
	target, err := c.userByLogin(ctx, op, login)
	if err != nil {
		return err
	}
	return c.removeRole(ctx, op, actor, d, target, "")
}

// removeRole takes target's role on d away, as actor (nil: the command
// line); only when it is want, if want is not "".
func (c *core) removeRole(ctx context.Context, op string, actor *User, d Document, target User, want string) error {
	err := c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		current, err := roleIn(ctx, tx, target.ID)
		if err != nil {
			return err
		}
		if current == "" || (want != "" && current != want) {
			held := "any role"
			if want != "" {
				held = "the role " + want
			}
			return Refuse(op, ReasonNoRole, target.Login+" does not hold "+held+" on "+d.Slug)
		}
		var actorID int64
		if actor != nil {
			actorID = actor.ID
			if current == RoleChair && c.authorizeFor(op, actor, d.ID, ObjDocument, ActAppointChair, ReasonNotAnAdmin) != nil {
				return Refuse(op, ReasonNotAnAdmin, "only an administrator appoints or removes a chair")
			}
		}
		now := c.clock()
		if err := tx.RemoveRole(ctx, target.ID, actorID, now); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("role.revoke", actor, d.ID, now, map[string]string{"login": target.Login, "role": current}))
		return err
	})
	if err != nil {
		return err
	}
	return c.policyChanged(ctx)
}

// roleIn is the role user holds in the unit of work's document ("" none).
func roleIn(ctx context.Context, rd DocumentReader, userID int64) (string, error) {
	ms, err := rd.Members(ctx)
	if err != nil {
		return "", fmt.Errorf("read members: %w", err)
	}
	for _, m := range ms {
		if m.UserID == userID {
			return m.Role, nil
		}
	}
	return "", nil
}

// List lists who holds which role on the document.
func (s *Members) List(ctx context.Context, actor *User, slug string) ([]Member, error) {
	const op = "list members"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return nil, err
	}
	ms, err := s.c.store.DocumentRoles(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return ms, nil
}

// Changes lists the document's role history, oldest first.
func (s *Members) Changes(ctx context.Context, actor *User, slug string) ([]RoleChange, error) {
	const op = "list role changes"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjAudit, ActRead)
	if err != nil {
		return nil, err
	}
	cs, err := s.c.store.RoleChanges(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return cs, nil
}
