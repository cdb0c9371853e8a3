package drafting

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Accounts is the capability of accounts as their owners and the
// administrators see them: who am I, my tokens, and the administrators'
// list of users, new users, disabling and enabling.
type Accounts struct{ c *core }

// NewUser is the input of Accounts.Add and Operator.CreateUser.
type NewUser struct {
	Login        string
	DisplayName  string
	PasswordHash string
	Admin        bool
}

// Me returns the actor with their roles.
func (s *Accounts) Me(ctx context.Context, actor *User) (User, []Member, error) {
	const op = "who am I"
	if actor == nil {
		return User{}, nil, Refuse(op, ReasonSignIn, "sign in first")
	}
	rs, err := s.c.store.UserRoles(ctx, actor.ID)
	if err != nil {
		return User{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	return *actor, rs, nil
}

// CreateToken stores a new API token (its hash) for the actor.
func (s *Accounts) CreateToken(ctx context.Context, actor *User, label, hash string) (Token, error) {
	if actor == nil {
		return Token{}, Refuse("create token", ReasonSignIn, "sign in first")
	}
	return s.c.createToken(ctx, *actor, label, hash)
}

// Tokens lists the actor's API tokens.
func (s *Accounts) Tokens(ctx context.Context, actor *User) ([]Token, error) {
	if actor == nil {
		return nil, Refuse("list tokens", ReasonSignIn, "sign in first")
	}
	ts, err := s.c.store.ListTokens(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken deletes one of the actor's tokens.
func (s *Accounts) RevokeToken(ctx context.Context, actor *User, id int64) error {
	const op = "revoke token"
	if actor == nil {
		return Refuse(op, ReasonSignIn, "sign in first")
	}
	if err := s.c.store.DeleteToken(ctx, actor.ID, id); err != nil {
		if ErrorKind(err) == KindNotFound {
			return notFound(op, "token", err)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Add creates an account on an administrator's behalf.
func (s *Accounts) Add(ctx context.Context, actor *User, in NewUser) (User, error) {
	if err := s.c.authorizeFor("add user", actor, "", ObjUser, ActManage, ReasonNotAnAdmin); err != nil {
		return User{}, err
	}
	return s.c.createUser(ctx, actor, in)
}

// List lists every account (administrators only).
func (s *Accounts) List(ctx context.Context, actor *User) ([]User, error) {
	if err := s.c.authorizeFor("list users", actor, "", ObjUser, ActManage, ReasonNotAnAdmin); err != nil {
		return nil, err
	}
	us, err := s.c.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// SetDisabled disables or enables an account (administrators only).
// Disabling ends the user's sessions at once; their tokens are refused from
// the next request on, and their approvals stop counting toward any quorum.
func (s *Accounts) SetDisabled(ctx context.Context, actor *User, login string, disabled bool) (User, error) {
	const op = "disable user"
	c := s.c
	if err := c.authorizeFor(op, actor, "", ObjUser, ActManage, ReasonNotAnAdmin); err != nil {
		return User{}, err
	}
	u, err := c.userByLogin(ctx, op, login)
	if err != nil {
		return User{}, err
	}
	if actor != nil && u.ID == actor.ID && disabled {
		return User{}, Refuse(op, ReasonSelfDisable, "you cannot disable your own account")
	}
	kind := "user.enable"
	if disabled {
		kind = "user.disable"
	}
	ev := NewEvent(kind, actor, "", c.clock(), map[string]string{"login": u.Login})
	if err := c.store.SetUserDisabled(ctx, u.ID, disabled, ev); err != nil {
		return User{}, fmt.Errorf("%s %s: %w", op, login, err)
	}
	if disabled {
		if err := c.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return User{}, fmt.Errorf("%s %s: end sessions: %w", op, login, err)
		}
	}
	u.Disabled = disabled
	return u, nil
}

// createUser adds an account, as actor (nil: the command line).
func (c *core) createUser(ctx context.Context, actor *User, in NewUser) (User, error) {
	const op = "create user"
	if !ValidLogin(in.Login) {
		return User{}, Refuse(op, ReasonInvalidLogin, "login must match ^[a-z0-9][a-z0-9._-]{0,62}$").With("field", "login")
	}
	name, err := cleanLine(op, "display name", in.DisplayName, 200, false)
	if err != nil {
		return User{}, err
	}
	if name == "" {
		name = in.Login
	}
	if !strings.HasPrefix(in.PasswordHash, "$argon2id$") {
		return User{}, Refuse(op, ReasonInvalidPassword, "password hash must be argon2id").With("field", "password")
	}
	now := c.clock()
	ev := NewEvent("user.create", actor, "", now, map[string]string{"login": in.Login, "admin": strconv.FormatBool(in.Admin)})
	u, err := c.store.CreateUser(ctx, User{Login: in.Login, DisplayName: name, PasswordHash: in.PasswordHash,
		Admin: in.Admin, CreatedAt: now}, ev)
	if err != nil {
		if ErrorKind(err) == KindConflict {
			return User{}, &Error{Kind: KindConflict, Reason: ReasonLoginTaken, Op: op, Message: "login is taken",
				Details: map[string]any{"field": "login"}, Err: err}
		}
		return User{}, fmt.Errorf("%s %s: %w", op, in.Login, err)
	}
	return u, nil
}

// createToken stores the hash of a new API token of u.
func (c *core) createToken(ctx context.Context, u User, label, hash string) (Token, error) {
	const op = "create token"
	label, err := cleanLine(op, "label", label, 200, false)
	if err != nil {
		return Token{}, err
	}
	t, err := c.store.CreateToken(ctx, Token{UserID: u.ID, Label: label, Hash: hash, CreatedAt: c.clock()})
	if err != nil {
		return Token{}, fmt.Errorf("%s for %s: %w", op, u.Login, err)
	}
	return t, nil
}

// userByLogin looks an account up (user_not_found).
func (c *core) userByLogin(ctx context.Context, op, login string) (User, error) {
	if !ValidLogin(login) {
		return User{}, Refuse(op, ReasonUserNotFound, "no such user").With("field", "login")
	}
	u, err := c.store.UserByLogin(ctx, login)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, &Error{Kind: KindNotFound, Reason: ReasonUserNotFound, Op: op, Message: "no such user",
				Details: map[string]any{"field": "login"}, Err: err}
		}
		return User{}, fmt.Errorf("%s %s: %w", op, login, err)
	}
	return u, nil
}

// Identification: how the HTTP shell and the sign-in establish who is
// calling. They decide no access; they establish the actor the
// capabilities then ask about.

// UserByToken returns the enabled user owning the API token with this
// hash.
func (s *Service) UserByToken(ctx context.Context, hash string) (User, error) {
	const op = "authenticate"
	u, err := s.core.store.UserByTokenHash(ctx, hash)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, Refuse(op, ReasonBadCredentials, "invalid token")
		}
		return User{}, fmt.Errorf("%s: %w", op, err)
	}
	if u.Disabled {
		return User{}, Refuse(op, ReasonBadCredentials, "invalid token")
	}
	return u, nil
}

// UserByLogin returns the account with this login, password hash included,
// for signing in.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	return s.core.userByLogin(ctx, "get user", login)
}

// DisplayName is how pages name the person with this login: the account's
// display name, or the login itself when it has none or there is no such
// account. It tells nothing else about the account (no hash, no state), so
// the pages may ask it without identifying anyone.
func (s *Service) DisplayName(ctx context.Context, login string) string {
	if u, err := s.core.userByLogin(ctx, "get display name", login); err == nil && strings.TrimSpace(u.DisplayName) != "" {
		return u.DisplayName
	}
	return login
}

// CreateSession stores a new session for user.
func (s *Service) CreateSession(ctx context.Context, user User, hash string) error {
	now := s.core.clock()
	if err := s.core.store.CreateSession(ctx, Session{Hash: hash, UserID: user.ID, CreatedAt: now, LastSeenAt: now}); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// UserBySession returns the enabled user of a live session. A session past
// its idle or absolute timeout is removed and refused.
func (s *Service) UserBySession(ctx context.Context, hash string, idle, absolute time.Duration) (User, error) {
	const op = "authenticate session"
	c := s.core
	sess, u, err := c.store.SessionByHash(ctx, hash)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, Refuse(op, ReasonSessionEnded, "session ended; sign in again")
		}
		return User{}, fmt.Errorf("%s: %w", op, err)
	}
	now := c.clock()
	if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > absolute || u.Disabled {
		if err := c.store.DeleteSession(ctx, hash); err != nil {
			return User{}, fmt.Errorf("%s: end expired session: %w", op, err)
		}
		return User{}, Refuse(op, ReasonSessionEnded, "session ended; sign in again")
	}
	// Writing last-seen on every request would make every read a write;
	// a minute's precision is plenty for an idle timeout of hours.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := c.store.TouchSession(ctx, hash, now); err != nil && ErrorKind(err) != KindNotFound {
			return User{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	return u, nil
}

// EndSession removes a session.
func (s *Service) EndSession(ctx context.Context, hash string) error {
	if err := s.core.store.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
