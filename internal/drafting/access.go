package drafting

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// subject is the authorizer's view of the actor.
func subject(actor *User) Subject {
	if actor == nil {
		return Subject{}
	}
	return Subject{UserID: actor.ID, Admin: actor.Admin}
}

// authorize asks the authorizer whether actor may do act on obj in the
// document docID ("" outside any document). A refusal is unauthenticated for
// an anonymous caller and forbidden for a signed-in one.
func (s *Service) authorize(op string, actor *User, docID, obj, act string) error {
	if actor != nil && actor.Disabled {
		return E(KindUnauthenticated, op, "account is disabled")
	}
	if s.authz != nil && s.authz.Allow(subject(actor), docID, obj, act) {
		return nil
	}
	if actor == nil {
		return E(KindUnauthenticated, op, "sign in first")
	}
	return E(KindForbidden, op, "your role does not allow this")
}

// documentFor looks a document up and checks that actor may do act on obj
// in it. An anonymous caller learns nothing about which slugs exist.
func (s *Service) documentFor(ctx context.Context, op string, actor *User, slug, obj, act string) (Document, error) {
	d, err := s.document(ctx, op, slug)
	if err != nil {
		if actor == nil && ErrorKind(err) == KindNotFound {
			return Document{}, E(KindUnauthenticated, op, "sign in first")
		}
		return Document{}, err
	}
	if err := s.authorize(op, actor, d.ID, obj, act); err != nil {
		return Document{}, err
	}
	return d, nil
}

func (s *Service) policyChanged(ctx context.Context) error {
	if s.onPolicyChange == nil {
		return nil
	}
	if err := s.onPolicyChange(ctx); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	return nil
}

// Member is a person's role on a document.
type Member = RoleAssignment

// SetMember gives login the role on the document. Appointing or replacing a
// chair takes the appoint_chair permission (administrators); other roles take
// manage_members (the document's chairs).
func (s *Service) SetMember(ctx context.Context, actor *User, slug, login, role string) (Member, error) {
	const op = "set member"
	d, err := s.documentFor(ctx, op, actor, slug, ObjDocument, ActManageMembers)
	if err != nil {
		return Member{}, err
	}
	if !slices.Contains(DocumentRoles, role) {
		return Member{}, E(KindInvalid, op, "role must be chair, member or observer")
	}
	target, err := s.UserByLogin(ctx, login)
	if err != nil {
		return Member{}, err
	}
	current, err := s.roleOf(ctx, d.ID, target.ID)
	if err != nil {
		return Member{}, fmt.Errorf("%s: %w", op, err)
	}
	if role == RoleChair || current == RoleChair {
		if err := s.authorize(op, actor, d.ID, ObjDocument, ActAppointChair); err != nil {
			return Member{}, Wrap(KindForbidden, op, "only an administrator appoints or removes a chair", err)
		}
	}
	return s.setRole(ctx, op, actor, d, target, role)
}

func (s *Service) setRole(ctx context.Context, op string, actor *User, d Document, target User, role string) (Member, error) {
	a := RoleAssignment{DocumentID: d.ID, DocumentSlug: d.Slug, UserID: target.ID, Login: target.Login,
		Role: role, GrantedAt: s.clock()}
	if actor != nil {
		a.GrantedBy = actor.ID
	}
	ev := NewEvent("role.grant", actor, d.ID, a.GrantedAt, map[string]string{"login": target.Login, "role": role})
	if err := s.store.SetRole(ctx, a, ev); err != nil {
		return Member{}, fmt.Errorf("%s %s on %s: %w", op, target.Login, d.Slug, err)
	}
	if err := s.policyChanged(ctx); err != nil {
		return Member{}, err
	}
	return a, nil
}

// RemoveMember takes away login's role on the document, under the same
// rules as SetMember.
func (s *Service) RemoveMember(ctx context.Context, actor *User, slug, login string) error {
	const op = "remove member"
	d, err := s.documentFor(ctx, op, actor, slug, ObjDocument, ActManageMembers)
	if err != nil {
		return err
	}
	target, err := s.UserByLogin(ctx, login)
	if err != nil {
		return err
	}
	return s.removeRole(ctx, op, actor, d, target)
}

func (s *Service) removeRole(ctx context.Context, op string, actor *User, d Document, target User) error {
	current, err := s.roleOf(ctx, d.ID, target.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if current == "" {
		return E(KindNotFound, op, target.Login+" holds no role on this document")
	}
	if current == RoleChair && actor != nil {
		if err := s.authorize(op, actor, d.ID, ObjDocument, ActAppointChair); err != nil {
			return Wrap(KindForbidden, op, "only an administrator appoints or removes a chair", err)
		}
	}
	var actorID int64
	if actor != nil {
		actorID = actor.ID
	}
	ev := NewEvent("role.revoke", actor, d.ID, s.clock(), map[string]string{"login": target.Login, "role": current})
	if err := s.store.RemoveRole(ctx, d.ID, target.ID, actorID, ev); err != nil {
		return fmt.Errorf("%s %s on %s: %w", op, target.Login, d.Slug, err)
	}
	return s.policyChanged(ctx)
}

// GrantRole and RevokeRole are the CLI's administration steps: whoever runs
// the command on the server's data is trusted, and the change is recorded
// with no actor.
func (s *Service) GrantRole(ctx context.Context, login, role, slug string) (Member, error) {
	const op = "grant role"
	if !slices.Contains(DocumentRoles, role) {
		return Member{}, E(KindInvalid, op, "role must be chair, member or observer")
	}
	d, err := s.document(ctx, op, slug)
	if err != nil {
		return Member{}, err
	}
	target, err := s.UserByLogin(ctx, login)
	if err != nil {
		return Member{}, err
	}
	return s.setRole(ctx, op, nil, d, target, role)
}

// RevokeRole takes login's role on the document away (CLI).
func (s *Service) RevokeRole(ctx context.Context, login, role, slug string) error {
	const op = "revoke role"
	d, err := s.document(ctx, op, slug)
	if err != nil {
		return err
	}
	target, err := s.UserByLogin(ctx, login)
	if err != nil {
		return err
	}
	current, err := s.roleOf(ctx, d.ID, target.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if current != role {
		return E(KindNotFound, op, login+" does not hold the role "+role+" on "+slug)
	}
	return s.removeRole(ctx, op, nil, d, target)
}

func (s *Service) roleOf(ctx context.Context, docID string, userID int64) (string, error) {
	rs, err := s.store.UserRoles(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("read roles: %w", err)
	}
	for _, r := range rs {
		if r.DocumentID == docID {
			return r.Role, nil
		}
	}
	return "", nil
}

// Members lists who holds which role on the document.
func (s *Service) Members(ctx context.Context, actor *User, slug string) ([]Member, error) {
	const op = "list members"
	d, err := s.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.DocumentRoles(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return ms, nil
}

// MemberChanges lists the document's role history, oldest first.
func (s *Service) MemberChanges(ctx context.Context, actor *User, slug string) ([]RoleChange, error) {
	const op = "list role changes"
	d, err := s.documentFor(ctx, op, actor, slug, ObjAudit, ActRead)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.RoleChanges(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return cs, nil
}

// Me returns the actor with their roles.
func (s *Service) Me(ctx context.Context, actor *User) (User, []Member, error) {
	const op = "who am I"
	if actor == nil {
		return User{}, nil, E(KindUnauthenticated, op, "sign in first")
	}
	rs, err := s.store.UserRoles(ctx, actor.ID)
	if err != nil {
		return User{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	return *actor, rs, nil
}

// CreateSession stores a new session for user.
func (s *Service) CreateSession(ctx context.Context, user User, hash string) error {
	now := s.clock()
	if err := s.store.CreateSession(ctx, Session{Hash: hash, UserID: user.ID, CreatedAt: now, LastSeenAt: now}); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// UserBySession returns the enabled user of a live session. A session past
// its idle or absolute timeout is removed and refused.
func (s *Service) UserBySession(ctx context.Context, hash string, idle, absolute time.Duration) (User, error) {
	const op = "authenticate session"
	sess, u, err := s.store.SessionByHash(ctx, hash)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, E(KindUnauthenticated, op, "session ended; sign in again")
		}
		return User{}, fmt.Errorf("%s: %w", op, err)
	}
	now := s.clock()
	if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > absolute || u.Disabled {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			return User{}, fmt.Errorf("%s: end expired session: %w", op, err)
		}
		return User{}, E(KindUnauthenticated, op, "session ended; sign in again")
	}
	// Writing last-seen on every request would make every read a write;
	// a minute's precision is plenty for an idle timeout of hours.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, hash, now); err != nil && ErrorKind(err) != KindNotFound {
			return User{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	return u, nil
}

// EndSession removes a session.
func (s *Service) EndSession(ctx context.Context, hash string) error {
	if err := s.store.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// CreateOwnToken stores a new API token for the actor.
func (s *Service) CreateOwnToken(ctx context.Context, actor *User, label, hash string) (Token, error) {
	if actor == nil {
		return Token{}, E(KindUnauthenticated, "create token", "sign in first")
	}
	return s.CreateToken(ctx, actor.Login, label, hash)
}

// Tokens lists the actor's API tokens.
func (s *Service) Tokens(ctx context.Context, actor *User) ([]Token, error) {
	if actor == nil {
		return nil, E(KindUnauthenticated, "list tokens", "sign in first")
	}
	ts, err := s.store.ListTokens(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken deletes one of the actor's tokens.
func (s *Service) RevokeToken(ctx context.Context, actor *User, id int64) error {
	const op = "revoke token"
	if actor == nil {
		return E(KindUnauthenticated, op, "sign in first")
	}
	if err := s.store.DeleteToken(ctx, actor.ID, id); err != nil {
		if ErrorKind(err) == KindNotFound {
			return Wrap(KindNotFound, op, "no such token", err)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// AddUser creates an account on an administrator's behalf.
func (s *Service) AddUser(ctx context.Context, actor *User, in NewUser) (User, error) {
	if err := s.authorize("add user", actor, "", ObjUser, ActManage); err != nil {
		return User{}, err
	}
	return s.createUser(ctx, actor, in)
}

// Users lists every account (administrators only).
func (s *Service) Users(ctx context.Context, actor *User) ([]User, error) {
	if err := s.authorize("list users", actor, "", ObjUser, ActManage); err != nil {
		return nil, err
	}
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// SetUserDisabled disables or enables an account (administrators only).
// Disabling ends the user's sessions at once; their tokens are refused from
// the next request on.
func (s *Service) SetUserDisabled(ctx context.Context, actor *User, login string, disabled bool) (User, error) {
	const op = "disable user"
	if err := s.authorize(op, actor, "", ObjUser, ActManage); err != nil {
		return User{}, err
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	if actor != nil && u.ID == actor.ID && disabled {
		return User{}, E(KindConflict, op, "you cannot disable your own account")
	}
	kind := "user.enable"
	if disabled {
		kind = "user.disable"
	}
	ev := NewEvent(kind, actor, "", s.clock(), map[string]string{"login": u.Login})
	if err := s.store.SetUserDisabled(ctx, u.ID, disabled, ev); err != nil {
		return User{}, fmt.Errorf("%s %s: %w", op, login, err)
	}
	if disabled {
		if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return User{}, fmt.Errorf("%s %s: end sessions: %w", op, login, err)
		}
	}
	u.Disabled = disabled
	return u, nil
}

// Authorize reports whether actor may do act on obj in the document: nil,
// or the refusal (unauthenticated, forbidden, not_found). Handlers use it to
// refuse a caller before telling them what is wrong with their parameters.
func (s *Service) Authorize(ctx context.Context, actor *User, slug, obj, act string) error {
	_, err := s.documentFor(ctx, "authorize", actor, slug, obj, act)
	return err
}
