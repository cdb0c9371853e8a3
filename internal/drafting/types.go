package drafting

import "time"

// Document is one text under drafting.
type Document struct {
	ID                string // random, immutable; names the blob folder
	Slug              string // ^[a-z0-9][a-z0-9-]{0,62}$, unique
	Title             string
	Language          string    // BCP 47 tag, "ru" by default
	ApprovalsRequired int       // distinct chairs needed to approve a revision
	CreatedBy         int64     // user id
	CreatedByLogin    string    // filled on reads
	CreatedAt         time.Time // UTC
}

// Revision is an immutable, numbered version of a document's whole text.
type Revision struct {
	DocumentID  string
	Number      int64 // 1, 2, 3 … per document
	Parent      int64 // 0 for the first revision
	AuthorID    int64
	AuthorLogin string // filled on reads
	Message     string
	SHA256      string // lowercase hex of the text
	Size        int64  // bytes
	CreatedAt   time.Time
}

// User is an account.
type User struct {
	ID           int64
	Login        string
	DisplayName  string
	PasswordHash string // PHC-formatted argon2id hash
	Admin        bool
	Disabled     bool
	CreatedAt    time.Time
}

// Token is an API token; only the SHA-256 of its secret is stored.
type Token struct {
	ID        int64
	UserID    int64
	Label     string
	Hash      string // lowercase hex sha256 of the secret
	CreatedAt time.Time
}

// BlobKey is the content-addressed key of a document's text.
func BlobKey(documentID, sha256 string) string {
	return "documents/" + documentID + "/" + sha256
}

// Roles a user can hold on a document. RoleAdmin is global (User.Admin);
// RolePublic is everyone's, signed in or not.
const (
	RoleAdmin    = "admin"
	RoleChair    = "chair"
	RoleMember   = "member"
	RoleObserver = "observer"
	RolePublic   = "public"
)

// DocumentRoles are the roles held per document.
var DocumentRoles = []string{RoleChair, RoleMember, RoleObserver}

// RoleAssignment is one user's role on one document (at most one each).
type RoleAssignment struct {
	DocumentID   string
	DocumentSlug string // filled on reads
	UserID       int64
	Login        string // filled on reads
	Role         string // chair, member or observer
	GrantedBy    int64
	GrantedAt    time.Time
}

// RoleChange records a grant or revocation: who, what, when.
type RoleChange struct {
	ID         int64
	DocumentID string
	UserID     int64
	Login      string // filled on reads
	Role       string
	Action     string // "grant" or "revoke"
	ActorID    int64  // 0 for the CLI
	ActorLogin string // filled on reads; "" for the CLI
	At         time.Time
}

// Session is a signed-in browser session; only the hash of its secret is
// stored.
type Session struct {
	Hash       string // lowercase hex sha256 of the cookie's secret
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Object kinds and actions the authorizer decides on; policies/policy.csv
// grants them to roles.
const (
	ObjDocument = "document" // read, create, update, manage_members
	ObjRevision = "revision" // read, commit
	ObjProposal = "proposal" // create, read, merge, reject
	ObjComment  = "comment"  // create, read, resolve
	ObjApproval = "approval" // create
	ObjAdoption = "adoption" // create
	ObjAdopted  = "adopted"  // read
	ObjAudit    = "audit"    // read
	ObjUser     = "user"     // manage (accounts, outside any document)

	ActRead          = "read"
	ActCreate        = "create"
	ActUpdate        = "update"
	ActManageMembers = "manage_members"
	ActCommit        = "commit"
	ActMerge         = "merge"
	ActReject        = "reject"
	ActResolve       = "resolve"
	ActManage        = "manage"
	ActAppointChair  = "appoint_chair" // on document: grant or revoke the chair role
)
