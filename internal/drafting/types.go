package drafting

import "time"

// Document is one text under drafting.
type Document struct {
	ID                string // random, immutable; names the blob folder
	Slug              string // ^[a-z0-9][a-z0-9-]{0,62}$, unique
	Title             string
	Language          string    // BCP 47 tag, "ru" by default
	ApprovalsRequired int       // distinct chairs needed to approve a revision
	State             State     // where it stands in the procedure
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
	// Proposal, MergedBy and Decision are set on a revision made by
	// merging a proposal: the author is the proposal's, the merger a chair,
	// and Decision says whether the chair changed the text
	// (DecisionAcceptedWithChanges) or not (DecisionAccepted).
	Proposal      int64
	MergedBy      int64
	MergedByLogin string // filled on reads
	Decision      string
}

// Decisions on a merged proposal, as its revision records them.
const (
	// DecisionAccepted: the revision is the proposal applied as it was
	// (onto the head, by a clean three-way merge when the head had moved).
	DecisionAccepted = "accepted"
	// DecisionAcceptedWithChanges: the merging chair supplied the text;
	// both the proposal's author and the chair are credited.
	DecisionAcceptedWithChanges = "accepted_with_changes"
)

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
	Disabled     bool // filled on reads: the account is disabled
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
	ObjDocument = "document" // read, create, update, manage_members, appoint_chair, reopen
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
	ActReopen        = "reopen"        // on document: reopen it after its final adoption
)

// Proposal states.
const (
	ProposalOpen      = "open"
	ProposalMerged    = "merged"
	ProposalRejected  = "rejected"
	ProposalWithdrawn = "withdrawn"
)

// Proposal is an amendment: a member's proposed whole new text against a
// base revision. Its text is a blob under BlobKey(DocumentID, SHA256).
type Proposal struct {
	DocumentID     string
	Number         int64 // 1, 2, 3 … per document
	Base           int64 // the revision it was written against
	AuthorID       int64
	AuthorLogin    string // filled on reads
	Title          string
	Rationale      string
	SHA256         string
	Size           int64
	State          string // open, merged, rejected, withdrawn
	MergedRevision int64  // the revision it became, when merged
	Decision       string // when merged: the merged revision's Decision (filled on reads)
	ClosedBy       int64
	ClosedByLogin  string // filled on reads
	CloseReason    string
	CreatedAt      time.Time
	ClosedAt       time.Time // zero while open
	// Items are the base's paragraphs the proposal touches, in text order;
	// an insertion touches the paragraph it follows (or the first one, when
	// it opens the text).
	Items []ItemRef
	// Vote is how its decision (merge or rejection) was voted; nil when
	// none was recorded or while open.
	Vote *Vote
}

// ItemRef names a paragraph: its label's key (outline.Label.Key, unique in
// its text and the same in every language) and its label as people read it
// in the document's language ("пункт 11").
type ItemRef struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Approval is a chair's sign-off on one revision, bound to its hash.
type Approval struct {
	DocumentID string
	Revision   int64
	SHA256     string
	ChairID    int64
	ChairLogin string // filled on reads
	Note       string
	CreatedAt  time.Time
}

// Adoption stages.
const (
	StageBasis = "basis" // adopted as a basis («принят за основу»)
	StageFinal = "final" // adopted as final («принят в целом»)
)

// Adoption is a revision adopted at a stage; its text is copied to
// write-once storage by the outbox.
type Adoption struct {
	ID             int64
	DocumentID     string
	Revision       int64
	SHA256         string
	Size           int64
	Stage          string
	Note           string
	OverrideReason string // given to adopt despite open comment threads
	ChairID        int64
	ChairLogin     string // filled on reads
	CreatedAt      time.Time
	ArchivedAt     time.Time // zero until the archive copy is made
	// Vote is how the adoption was voted; nil when none was recorded. Read
	// it through AdoptionVote.
	Vote *Vote
}

// Reopening is an administrator's reopening of a document adopted as a
// whole, with the reason, recorded and shown on the public page.
type Reopening struct {
	ID         int64
	DocumentID string
	Adoption   int64 // the final adoption it reopens
	Reason     string
	ActorID    int64
	ActorLogin string // filled on reads
	At         time.Time
}

// ArchiveKey is where an adopted text is kept in write-once storage.
func ArchiveKey(documentID, sha256 string) string {
	return "adopted/" + documentID + "/" + sha256
}

// Event is one entry of the audit log, a single hash chain over every state
// change: Hash = sha256(PrevHash ‖ Canonical()).
type Event struct {
	Seq        int64             // 1, 2, 3 … set by the store
	DocumentID string            // "" outside any document
	Kind       string            // e.g. "revision.commit"
	ActorID    int64             // 0 for the CLI or the system
	ActorLogin string            // filled on reads
	Data       map[string]string // what changed
	At         time.Time         // UTC, microseconds
	PrevHash   string            // set by the store
	Hash       string            // set by the store
}

// IdempotentResult is the remembered answer to a state-changing request sent
// with an Idempotency-Key.
type IdempotentResult struct {
	UserID      int64
	Key         string
	Fingerprint string // method, path and body hash of the first request
	Done        bool   // false while the first request is still running
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// Anchor ties a comment to a quote in the text it was made on: the quote,
// its place in Unicode code points, and up to 32 code points of context on
// each side.
type Anchor struct {
	Start  int
	End    int
	Quote  string
	Prefix string
	Suffix string
}

// Comment is a remark on a revision or on a proposal, general or anchored,
// possibly a reply in a thread.
type Comment struct {
	ID           int64
	DocumentID   string
	Revision     int64 // the revision it was made on; 0 when on a proposal
	Proposal     int64 // the proposal it was made on; 0 when on a revision
	AuthorID     int64
	AuthorLogin  string // filled on reads
	ReplyTo      int64  // 0 for a thread's first comment
	Thread       int64  // the first comment's ID (its own for a first comment)
	Depth        int    // 0 for a first comment
	Body         string
	Anchor       *Anchor // nil for a general comment; replies carry none
	Edited       bool
	Resolved     bool // on a thread's first comment: the thread is resolved
	ResolvedBy   int64
	Hidden       bool
	HiddenBy     int64
	HiddenReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CommentVersion is an earlier body of an edited comment.
type CommentVersion struct {
	CommentID int64
	Body      string
	EditedAt  time.Time // when this body was replaced
}
