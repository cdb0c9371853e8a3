package drafting

import (
	"context"
	"time"
)

// BlobStore keeps revision texts under content-addressed keys. Keys are
// slash-separated ("documents/<id>/<sha256>").
type BlobStore interface {
	// Put stores data under key, create-only, having the backend verify that
	// the bytes it received have the SHA-256 sum (lowercase hex). A key that
	// already holds the same bytes is not an error. Errors: invalid (sum does
	// not match data), conflict (key holds other bytes), unavailable, internal.
	Put(ctx context.Context, key string, data []byte, sum string) error
	// Get returns the bytes stored under key. Callers verify the hash.
	// Errors: not_found (fs.ErrNotExist in the chain), unavailable, internal.
	Get(ctx context.Context, key string) ([]byte, error)
	// List calls fn with every key under prefix, in no particular order.
	// Errors: unavailable, internal, or whatever fn returns.
	List(ctx context.Context, prefix string, fn func(key string) error) error
	// Delete removes key; a missing key is not an error. Errors: unavailable,
	// internal.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store is reachable. Errors: unavailable.
	Ping(ctx context.Context) error
}

// Store keeps Redline's metadata. Implementations translate their driver's
// errors into *Error kinds at the boundary.
type Store interface {
	// Ping reports whether the database is reachable. Errors: unavailable.
	Ping(ctx context.Context) error

	// CreateUser inserts u (ID and CreatedAt are set by the store) and
	// returns it. Errors: conflict (login taken).
	CreateUser(ctx context.Context, u User) (User, error)
	// UserByLogin returns the user. Errors: not_found.
	UserByLogin(ctx context.Context, login string) (User, error)
	// UserByID returns the user. Errors: not_found.
	UserByID(ctx context.Context, id int64) (User, error)
	// ListUsers returns every user ordered by login.
	ListUsers(ctx context.Context) ([]User, error)

	// CreateToken inserts t (ID and CreatedAt set by the store).
	// Errors: conflict (hash exists), not_found (no such user).
	CreateToken(ctx context.Context, t Token) (Token, error)
	// UserByTokenHash returns the token's owner. Errors: not_found.
	UserByTokenHash(ctx context.Context, hash string) (User, error)

	// CreateDocument inserts d and, when first is not nil, its revision 1 in
	// the same transaction. Errors: conflict (slug taken).
	CreateDocument(ctx context.Context, d Document, first *Revision) (Document, error)
	// DocumentBySlug returns the document. Errors: not_found.
	DocumentBySlug(ctx context.Context, slug string) (Document, error)
	// ListDocuments returns every document ordered by slug.
	ListDocuments(ctx context.Context) ([]Document, error)

	// CommitRevision inserts r as revision base+1 of its document, in one
	// transaction that first checks that base is the current head number (0
	// when the document has none). r.Number and r.Parent are set from base.
	// Errors: conflict with Details["head"] holding the current head number
	// when base is stale; not_found (no such document).
	CommitRevision(ctx context.Context, r Revision, base int64) (Revision, error)
	// Revision returns revision n of the document. Errors: not_found.
	Revision(ctx context.Context, documentID string, n int64) (Revision, error)
	// Head returns the newest revision. Errors: not_found (no revisions).
	Head(ctx context.Context, documentID string) (Revision, error)
	// ListRevisions returns up to limit revisions, newest first, with numbers
	// below before (before <= 0 means from the head).
	ListRevisions(ctx context.Context, documentID string, limit int, before int64) ([]Revision, error)
	// AllRevisions calls fn with every revision of every document, ordered
	// by document and number.
	AllRevisions(ctx context.Context, fn func(Revision) error) error
	// Close releases the database.
	Close() error

	RoleStore
	AccountStore
}

// RoleStore keeps role assignments and their history. Changing a role also
// bumps the policy version and, on PostgreSQL, notifies other instances.
type RoleStore interface {
	// SetRole gives a.UserID the role a.Role on a.DocumentID, replacing any
	// role they held there, and records the change, in one transaction.
	// Errors: not_found (no such user or document).
	SetRole(ctx context.Context, a RoleAssignment) error
	// RemoveRole takes away the user's role on the document and records it.
	// Errors: not_found (they held none).
	RemoveRole(ctx context.Context, documentID string, userID, actorID int64) error
	// RoleAssignments returns every assignment, for loading the authorizer.
	RoleAssignments(ctx context.Context) ([]RoleAssignment, error)
	// DocumentRoles returns a document's assignments ordered by login.
	DocumentRoles(ctx context.Context, documentID string) ([]RoleAssignment, error)
	// UserRoles returns a user's assignments ordered by document slug.
	UserRoles(ctx context.Context, userID int64) ([]RoleAssignment, error)
	// RoleChanges returns a document's role history, oldest first.
	RoleChanges(ctx context.Context, documentID string) ([]RoleChange, error)
	// PolicyVersion is a number that grows with every role change.
	PolicyVersion(ctx context.Context) (int64, error)
}

// AccountStore keeps sessions, tokens and account state.
type AccountStore interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns a session and its user. Errors: not_found.
	SessionByHash(ctx context.Context, hash string) (Session, User, error)
	// TouchSession sets the session's last-seen time. Errors: not_found.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// DeleteSession removes a session; a missing one is not an error.
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions removes every session of the user.
	DeleteUserSessions(ctx context.Context, userID int64) error
	// ListTokens returns the user's tokens (without secrets), newest first.
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken revokes one of the user's tokens. Errors: not_found.
	DeleteToken(ctx context.Context, userID, tokenID int64) error
	// SetUserDisabled disables or enables an account. Errors: not_found.
	SetUserDisabled(ctx context.Context, userID int64, disabled bool) error
}

// Subject is who is asking: a signed-in user, or nobody (public reader).
type Subject struct {
	UserID int64 // 0 for an anonymous caller
	Admin  bool
}

// Authorizer decides whether a subject may do an action on a kind of object
// in a document. Implementations treat every internal error as a denial.
type Authorizer interface {
	// Allow reports whether sub may do act on obj in the document documentID
	// ("" for actions outside any document, such as creating one).
	Allow(sub Subject, documentID, obj, act string) bool
	// Roles returns the roles sub holds on documentID (including admin and
	// public where they apply).
	Roles(sub Subject, documentID string) []string
}
