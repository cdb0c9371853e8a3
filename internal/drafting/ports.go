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
	// appends ev, in one transaction, and returns it. Errors: conflict
	// (login taken).
	CreateUser(ctx context.Context, u User, ev Event) (User, error)
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

	// CreateDocument inserts d and, when first is not nil, its revision 1,
	// and appends ev, in one transaction. Errors: conflict (slug taken).
	CreateDocument(ctx context.Context, d Document, first *Revision, ev Event) (Document, error)
	// DocumentBySlug returns the document. Errors: not_found.
	DocumentBySlug(ctx context.Context, slug string) (Document, error)
	// ListDocuments returns every document ordered by slug.
	ListDocuments(ctx context.Context) ([]Document, error)

	// CommitRevision inserts r as revision base+1 of its document and
	// appends ev, in one transaction that first checks that base is the
	// current head number (0 when the document has none). r.Number and
	// r.Parent are set from base. Errors: conflict with Details["head"]
	// holding the current head number when base is stale; not_found (no such
	// document).
	CommitRevision(ctx context.Context, r Revision, base int64, ev Event) (Revision, error)
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
	WorkflowStore
	EventStore
	IdempotencyStore
	CommentStore
}

// WorkflowStore keeps proposals, approvals and adoptions. Every method that
// changes state appends its event in the same transaction.
type WorkflowStore interface {
	// CreateProposal inserts p as the document's next proposal (Number,
	// State open and CreatedAt set by the store). Errors: not_found (no such
	// document or author), invalid (p.Base is not an existing revision).
	CreateProposal(ctx context.Context, p Proposal, ev Event) (Proposal, error)
	// Proposal returns proposal n of the document. Errors: not_found.
	Proposal(ctx context.Context, documentID string, n int64) (Proposal, error)
	// ListProposals returns the document's proposals, newest first, only
	// those in state when it is not "".
	ListProposals(ctx context.Context, documentID, state string) ([]Proposal, error)
	// CloseProposal moves an open proposal to state (rejected or withdrawn),
	// recording who, why and when. Errors: not_found; conflict with
	// Details["state"] when it is not open.
	CloseProposal(ctx context.Context, documentID string, n int64, state string, by int64, reason string, at time.Time, ev Event) (Proposal, error)
	// CommitMerge does what CommitRevision does and, in the same
	// transaction, marks the open proposal r.Proposal merged into the new
	// revision. Errors: as CommitRevision; conflict with Details["state"]
	// when the proposal is not open.
	CommitMerge(ctx context.Context, r Revision, base int64, ev Event) (Revision, error)

	// CreateApproval records a chair's approval of revision a.Revision. In
	// one transaction it checks that the revision is the document's head
	// (else conflict with Details["head"]) and that its hash is a.SHA256
	// (else conflict), and that this chair has not approved it yet (else
	// conflict).
	CreateApproval(ctx context.Context, a Approval, ev Event) (Approval, error)
	// Approvals returns the approvals of a revision, oldest first.
	Approvals(ctx context.Context, documentID string, revision int64) ([]Approval, error)

	// CreateAdoption records an adoption and queues its archive copy, in one
	// transaction that checks the revision has at least required approvals
	// (else conflict with Details["approvals"] and ["required"]). ID and
	// CreatedAt are set by the store.
	CreateAdoption(ctx context.Context, a Adoption, required int, ev Event) (Adoption, error)
	// Adoptions returns the document's adoptions, oldest first.
	Adoptions(ctx context.Context, documentID string) ([]Adoption, error)
	// PendingArchives returns adoptions whose archive copy is not made yet,
	// oldest first.
	PendingArchives(ctx context.Context) ([]Adoption, error)
	// MarkArchived records that an adoption's archive copy exists. Marking
	// one already marked is not an error. Errors: not_found.
	MarkArchived(ctx context.Context, adoptionID int64, at time.Time) error
}

// EventStore keeps the audit log, one hash chain appended under a lock so it
// cannot fork.
type EventStore interface {
	// AppendEvent appends ev on its own (Seq, PrevHash and Hash set by the
	// store with ChainHash) and returns it.
	AppendEvent(ctx context.Context, ev Event) (Event, error)
	// Events returns a document's events ("" for all), oldest first, with
	// Seq above after, at most limit.
	Events(ctx context.Context, documentID string, after int64, limit int) ([]Event, error)
	// AllEvents calls fn with every event in chain order.
	AllEvents(ctx context.Context, fn func(Event) error) error
}

// IdempotencyStore remembers the answers to requests sent with an
// Idempotency-Key, per user.
type IdempotencyStore interface {
	// ReserveIdempotencyKey records r (Done false) when (r.UserID, r.Key) is
	// new and returns found=false; otherwise it returns the record there.
	ReserveIdempotencyKey(ctx context.Context, r IdempotentResult) (existing IdempotentResult, found bool, err error)
	// CompleteIdempotencyKey stores the answer of a reserved key.
	CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey forgets a reserved key whose request failed in a
	// way worth retrying.
	ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error
}

// RoleStore keeps role assignments and their history. Changing a role also
// bumps the policy version and, on PostgreSQL, notifies other instances.
type RoleStore interface {
	// SetRole gives a.UserID the role a.Role on a.DocumentID, replacing any
	// role they held there, records the change and appends ev, in one
	// transaction. Errors: not_found (no such user or document).
	SetRole(ctx context.Context, a RoleAssignment, ev Event) error
	// RemoveRole takes away the user's role on the document, records it and
	// appends ev. Errors: not_found (they held none).
	RemoveRole(ctx context.Context, documentID string, userID, actorID int64, ev Event) error
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
	// SetUserDisabled disables or enables an account and appends ev.
	// Errors: not_found.
	SetUserDisabled(ctx context.Context, userID int64, disabled bool, ev Event) error
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

// CommentStore keeps comments; nothing is ever deleted. Each change appends
// its event in the same transaction.
type CommentStore interface {
	// CreateComment inserts c (ID, Thread for a first comment, CreatedAt
	// set by the store; Thread and Depth of a reply given by the caller).
	// Errors: not_found (document, revision, proposal or reply_to missing).
	CreateComment(ctx context.Context, c Comment, ev Event) (Comment, error)
	// Comment returns one comment of the document. Errors: not_found.
	Comment(ctx context.Context, documentID string, id int64) (Comment, error)
	// ListComments returns every comment of the document, oldest first.
	ListComments(ctx context.Context, documentID string) ([]Comment, error)
	// EditComment replaces a comment's body, keeping the old one as a
	// CommentVersion. Errors: not_found.
	EditComment(ctx context.Context, documentID string, id int64, body string, at time.Time, ev Event) (Comment, error)
	// CommentVersions returns a comment's earlier bodies, oldest first.
	CommentVersions(ctx context.Context, documentID string, id int64) ([]CommentVersion, error)
	// SetThreadResolved resolves or reopens the thread whose first comment
	// is thread. Errors: not_found.
	SetThreadResolved(ctx context.Context, documentID string, thread int64, resolved bool, by int64, at time.Time, ev Event) error
	// HideComment hides a comment, recording who and why; it is kept.
	// Errors: not_found.
	HideComment(ctx context.Context, documentID string, id, by int64, reason string, at time.Time, ev Event) error
}
