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
