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

// Archiver keeps adopted texts in write-once storage (MinIO Object Lock with
// a legal hold, or read-only files on disk).
type Archiver interface {
	// Archive stores data under key, create-only, verifying sum; storing the
	// same bytes again is not an error. Errors: invalid, conflict,
	// unavailable, internal.
	Archive(ctx context.Context, key string, data []byte, sum string) error
	// GetArchive returns an archived text. Errors: not_found, unavailable.
	GetArchive(ctx context.Context, key string) ([]byte, error)
}

// Blobs is the blob backend the service is wired with: texts, and the
// write-once archive of adopted ones. A backend without the archive does
// not satisfy it, so it cannot be wired.
type Blobs interface {
	BlobStore
	Archiver
}

// Store keeps Redline's metadata. It persists and decides nothing: every
// rule of the procedure is checked by this package inside InDocument.
// Implementations translate their driver's errors into *Error kinds at the
// boundary.
type Store interface {
	// Ping reports whether the database is reachable. Errors: unavailable.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	DocumentStore
	RoleStore
	AccountStore
	EventStore
	IdempotencyStore
}

// DocumentStore keeps documents and everything in them. Reads outside a
// unit of work see committed data; every change to a document goes through
// InDocument.
type DocumentStore interface {
	// InDocument runs fn in one transaction holding the document's lock
	// (SELECT … FOR NO KEY UPDATE on PostgreSQL, the immediate transaction
	// on SQLite), so that no other unit of work on the document runs
	// meanwhile, and commits what fn wrote when it returns nil. Errors:
	// not_found (no such document), unavailable, internal, or fn's error.
	InDocument(ctx context.Context, documentID string, fn func(DocumentTx) error) error
	// ReadDocument runs fn over one consistent read-only snapshot of the
	// document, taking no lock. Errors: as InDocument.
	ReadDocument(ctx context.Context, documentID string, fn func(DocumentReader) error) error

	// CreateDocument inserts d (State drafting) and, when first is not nil,
	// its revision 1, and appends ev, in one transaction. Errors: conflict
	// (slug taken).
	CreateDocument(ctx context.Context, d Document, first *Revision, ev Event) (Document, error)
	// DocumentBySlug returns the document. Errors: not_found.
	DocumentBySlug(ctx context.Context, slug string) (Document, error)
	// ListDocuments returns every document ordered by slug.
	ListDocuments(ctx context.Context) ([]Document, error)

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

	// Proposal returns proposal n of the document. Errors: not_found.
	Proposal(ctx context.Context, documentID string, n int64) (Proposal, error)
	// ListProposals returns the document's proposals, newest first, only
	// those in state when it is not "".
	ListProposals(ctx context.Context, documentID, state string) ([]Proposal, error)

	// Approvals returns the approvals of a revision, oldest first.
	Approvals(ctx context.Context, documentID string, revision int64) ([]Approval, error)
	// Adoptions returns the document's adoptions, oldest first.
	Adoptions(ctx context.Context, documentID string) ([]Adoption, error)
	// Reopenings returns the document's reopenings, oldest first.
	Reopenings(ctx context.Context, documentID string) ([]Reopening, error)
	// PendingArchives returns adoptions whose archive copy is not made yet,
	// oldest first.
	PendingArchives(ctx context.Context) ([]Adoption, error)
	// MarkArchived records that an adoption's archive copy exists. Marking
	// one already marked is not an error. Errors: not_found.
	MarkArchived(ctx context.Context, adoptionID int64, at time.Time) error

	// Statements returns the document's adoption statements, by number.
	Statements(ctx context.Context, documentID string) ([]AdoptionStatement, error)
	// InsertStatement records an adoption's statement (ArchivedAt zero)
	// and appends ev, in one transaction. Errors: conflict (the adoption,
	// or its number in the document, has one already), not_found (no such
	// adoption).
	InsertStatement(ctx context.Context, st AdoptionStatement, ev Event) error
	// MarkStatementArchived records that a statement's copies exist.
	// Marking one already marked is not an error. Errors: not_found.
	MarkStatementArchived(ctx context.Context, adoptionID int64, at time.Time) error
	// PendingStatements returns adoptions whose text's copy is made but
	// that have no statement, or whose statement's copy is not made,
	// oldest first.
	PendingStatements(ctx context.Context) ([]Adoption, error)

	// Comment returns one comment of the document. Errors: not_found.
	Comment(ctx context.Context, documentID string, id int64) (Comment, error)
	// ListComments returns every comment of the document, oldest first.
	ListComments(ctx context.Context, documentID string) ([]Comment, error)
	// CommentVersions returns a comment's earlier bodies, oldest first.
	// Errors: not_found.
	CommentVersions(ctx context.Context, documentID string, id int64) ([]CommentVersion, error)
}

// DocumentReader reads one document consistently: under its lock inside
// InDocument, or from one snapshot inside ReadDocument. Errors: not_found
// where a method names it, unavailable, internal.
type DocumentReader interface {
	// Document is the document as the unit of work found it (under the
	// lock in InDocument), its State included.
	Document() Document
	// Head returns the newest revision. Errors: not_found (no revisions).
	Head(ctx context.Context) (Revision, error)
	// Revision returns revision n. Errors: not_found.
	Revision(ctx context.Context, n int64) (Revision, error)
	// Proposal returns proposal n. Errors: not_found.
	Proposal(ctx context.Context, n int64) (Proposal, error)
	// LastProposal is the number of the newest proposal, 0 when none.
	LastProposal(ctx context.Context) (int64, error)
	// Approvals returns the approvals of a revision, oldest first.
	Approvals(ctx context.Context, revision int64) ([]Approval, error)
	// Adoptions returns the adoptions, oldest first.
	Adoptions(ctx context.Context) ([]Adoption, error)
	// Members returns who holds which role, ordered by login, each with
	// whether their account is disabled.
	Members(ctx context.Context) ([]RoleAssignment, error)
	// Comment returns one comment. Errors: not_found.
	Comment(ctx context.Context, id int64) (Comment, error)
	// Comments returns every comment, oldest first.
	Comments(ctx context.Context) ([]Comment, error)
}

// DocumentTx is a unit of work on one document, under its lock. The
// drafting code decides; these methods write what it decided, as given.
// AppendEvent is the last write of every unit of work (on PostgreSQL it
// takes the audit chain's lock, held until the commit).
type DocumentTx interface {
	DocumentReader

	// SetState records the document's new state.
	SetState(ctx context.Context, s State) error
	// InsertRevision inserts r as it is (number, parent, time and, for a
	// merge, proposal, merger and decision set) and returns it with the
	// logins filled in. Errors: not_found (no such author), conflict (the
	// number is taken).
	InsertRevision(ctx context.Context, r Revision) (Revision, error)
	// InsertProposal inserts p as it is (number, state open, time set).
	InsertProposal(ctx context.Context, p Proposal) (Proposal, error)
	// CloseProposal records that the open proposal p.Number is now p.State
	// (merged into p.MergedRevision, rejected or withdrawn), by p.ClosedBy
	// with p.CloseReason at p.ClosedAt, and returns it as stored.
	CloseProposal(ctx context.Context, p Proposal) (Proposal, error)
	// InsertApproval inserts a and returns it with the chair's login.
	InsertApproval(ctx context.Context, a Approval) (Approval, error)
	// InsertAdoption inserts a with its archive copy queued and returns it
	// with its ID and the chair's login.
	InsertAdoption(ctx context.Context, a Adoption) (Adoption, error)
	// InsertReopening records a reopening and returns it with its ID.
	InsertReopening(ctx context.Context, r Reopening) (Reopening, error)
	// InsertComment inserts c and returns it with its ID (and Thread, for a
	// first comment) and the author's login.
	InsertComment(ctx context.Context, c Comment) (Comment, error)
	// EditComment replaces a comment's body at at, keeping the old one as a
	// CommentVersion.
	EditComment(ctx context.Context, id int64, body string, at time.Time) (Comment, error)
	// SetThreadResolved resolves or reopens the thread whose first comment
	// is thread.
	SetThreadResolved(ctx context.Context, thread int64, resolved bool, by int64, at time.Time) error
	// HideComment hides a comment, recording who, why and when.
	HideComment(ctx context.Context, id, by int64, reason string, at time.Time) error
	// SetRole gives a.UserID the role a.Role here, replacing any role they
	// held, and records the change; the policy version grows.
	SetRole(ctx context.Context, a RoleAssignment) error
	// RemoveRole takes the user's role here away, recording the change
	// with actorID (0 for the command line) at at.
	RemoveRole(ctx context.Context, userID, actorID int64, at time.Time) error
	// AppendEvent appends ev to the audit chain (Seq, PrevHash and Hash set
	// with ChainHash) and returns it.
	AppendEvent(ctx context.Context, ev Event) (Event, error)
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
	// LatestEvents returns a document's newest limit events, oldest first.
	LatestEvents(ctx context.Context, documentID string, limit int) ([]Event, error)
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

// RoleStore reads role assignments and their history; they change inside
// InDocument (DocumentTx.SetRole, RemoveRole).
type RoleStore interface {
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

// AccountStore keeps accounts, sessions and tokens.
type AccountStore interface {
	// CreateUser inserts u (ID set by the store) and appends ev, in one
	// transaction, and returns it. Errors: conflict (login taken).
	CreateUser(ctx context.Context, u User, ev Event) (User, error)
	// UserByLogin returns the user. Errors: not_found.
	UserByLogin(ctx context.Context, login string) (User, error)
	// UserByID returns the user. Errors: not_found.
	UserByID(ctx context.Context, id int64) (User, error)
	// ListUsers returns every user ordered by login.
	ListUsers(ctx context.Context) ([]User, error)
	// SetUserDisabled disables or enables an account and appends ev;
	// disabling also deletes the account's API tokens and sessions, so that
	// enabling it again revives none of them.
	// Errors: not_found.
	SetUserDisabled(ctx context.Context, userID int64, disabled bool, ev Event) error

	// CreateToken inserts t (ID set by the store). Errors: conflict (hash
	// exists), not_found (no such user).
	CreateToken(ctx context.Context, t Token) (Token, error)
	// UserByTokenHash returns the token's owner. Errors: not_found.
	UserByTokenHash(ctx context.Context, hash string) (User, error)
	// ListTokens returns the user's tokens (without secrets), newest first.
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken revokes one of the user's tokens. Errors: not_found.
	DeleteToken(ctx context.Context, userID, tokenID int64) error

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
