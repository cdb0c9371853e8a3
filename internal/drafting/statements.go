package drafting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"redline/internal/failpoint"
)

// --- issue 16: signed adoptions ---

// StatementVotes is a vote as an adoption statement carries it.
type StatementVotes struct {
	For, Against, Abstained int64
}

// StatementInput is what one adoption statement says; a Signer turns it
// into the statement's canonical bytes and signs them.
type StatementInput struct {
	// Document is the slug; Title and Language the document's.
	Document, Title, Language string
	// Number numbers the document's adoptions: 1, 2, 3 …
	Number int64
	// Revision, SHA256 and Size are the adopted text's.
	Revision int64
	SHA256   string
	Size     int64
	Stage    string
	// AdoptedAt is the adoption's time; SignedAt the date the signing key
	// must be valid at: the adoption's own, unless SignedLater.
	AdoptedAt, SignedAt time.Time
	SignedLater         bool
	// Votes is the recorded vote, nil when none was recorded.
	Votes *StatementVotes
	// Previous is the SHA-256 of the document's previous statement, "" for
	// the first.
	Previous string
}

// Signer signs adoption statements with the secretariat's keys (package
// signing's keyring behind an adapter).
type Signer interface {
	// CanSignAt reports whether a key with its private half is valid at t.
	CanSignAt(t time.Time) bool
	// Sign returns the statement's canonical bytes, its armored SSHSIG
	// signature and the signing key's fingerprint. Errors: unavailable (no
	// key valid at in.SignedAt), invalid (the input cannot be a statement).
	Sign(in StatementInput) (statement, signature []byte, key string, err error)
	// Published is what is published of the keys, retired ones included.
	Published() PublishedKeys
}

// PublishedKeys is what anyone may read of the secretariat's keys.
type PublishedKeys struct {
	// AllowedSigners is the file ssh-keygen -Y verify -f takes.
	AllowedSigners []byte
	Keys           []PublishedKey
}

// PublishedKey is one key: its public line, fingerprint and validity (zero
// times: no bound), and whether this server signs with it.
type PublishedKey struct {
	Fingerprint, PublicKey  string
	ValidAfter, ValidBefore time.Time
	Signs                   bool
}

// AdoptionStatement is an adoption's signed statement as recorded: its
// bytes and signature, kept in the database and copied to write-once
// storage beside the adopted text.
type AdoptionStatement struct {
	AdoptionID int64
	DocumentID string
	// Number is the adoption's number in the document (1, 2, 3 …).
	Number    int64
	Statement []byte
	Signature []byte
	// SHA256 is the statement's hash, the next statement's Previous.
	SHA256      string
	Previous    string
	Key         string
	SignedAt    time.Time
	SignedLater bool
	ArchivedAt  time.Time // zero until both copies are made
}

// StatementKey and SignatureKey are where an adoption's statement and
// signature are kept in write-once storage, beside the adopted text.
func StatementKey(documentID string, number int64) string {
	return "adopted/" + documentID + "/statement-" + itoa(number) + ".json"
}

// SignatureKey: see StatementKey.
func SignatureKey(documentID string, number int64) string {
	return StatementKey(documentID, number) + ".sig"
}

// VotesOf is the vote recorded with an adoption, as its statement and its
// Akoma Ntoso file carry it: the one place both read an adoption's vote;
// nil when none is recorded.
func VotesOf(a Adoption) *StatementVotes { return nil }

// sign signs the adoptions of a's document, oldest first, up to a, that
// have no statement yet, and copies every statement not copied yet to
// write-once storage. An adoption whose text's copy is still pending is
// signed as of its own date; one already copied without a statement was
// made before a key was configured and is signed now, as signed later.
// Without a key able to sign, it does nothing. Every step is idempotent:
// the statement is recorded (once: its adoption and number are unique)
// before it is copied, and a retry copies the recorded bytes.
func (c *core) sign(ctx context.Context, a Adoption) error {
	if c.signer == nil {
		return nil
	}
	for attempt := 0; ; attempt++ {
		err := c.signDocument(ctx, a)
		if ErrorKind(err) == KindConflict && attempt < 3 {
			// Another process signed one of them meanwhile: read what it
			// recorded and go on from there.
			continue
		}
		if err != nil {
			return fmt.Errorf("sign adoption %d: %w", a.ID, err)
		}
		return nil
	}
}

func (c *core) signDocument(ctx context.Context, upTo Adoption) error {
	var (
		doc Document
		as  []Adoption
	)
	if err := c.store.ReadDocument(ctx, upTo.DocumentID, func(rd DocumentReader) error {
		doc = rd.Document()
		var err error
		as, err = rd.Adoptions(ctx)
		return err
	}); err != nil {
		return err
	}
	sts, err := c.store.Statements(ctx, upTo.DocumentID)
	if err != nil {
		return err
	}
	byAdoption := map[int64]AdoptionStatement{}
	for _, st := range sts {
		byAdoption[st.AdoptionID] = st
	}
	prev := ""
	for i, a := range as {
		if a.ID > upTo.ID {
			break
		}
		number := int64(i + 1)
		st, ok := byAdoption[a.ID]
		if !ok {
			signedAt, later := a.CreatedAt, false
			if !a.ArchivedAt.IsZero() || !c.signer.CanSignAt(signedAt) {
				signedAt, later = c.clock(), true
			}
			if !c.signer.CanSignAt(signedAt) {
				return nil // no key: signed when one is configured
			}
			in := StatementInput{Document: doc.Slug, Title: doc.Title, Language: doc.Language, Number: number,
				Revision: a.Revision, SHA256: a.SHA256, Size: a.Size, Stage: a.Stage, AdoptedAt: a.CreatedAt,
				SignedAt: signedAt, SignedLater: later, Votes: VotesOf(a), Previous: prev}
			statement, signature, key, err := c.signer.Sign(in)
			if err != nil {
				return err
			}
			st = AdoptionStatement{AdoptionID: a.ID, DocumentID: a.DocumentID, Number: number, Statement: statement,
				Signature: signature, SHA256: sha256Hex(statement), Previous: prev, Key: key, SignedAt: signedAt,
				SignedLater: later}
			failpoint.Hit(failpoint.BeforeStatement)
			ev := NewEvent("adoption.signed", nil, a.DocumentID, c.clock(), map[string]string{"adoption": itoa(a.ID),
				"number": itoa(number), "revision": itoa(a.Revision), "statement_sha256": st.SHA256, "key": key,
				"signed_later": strconv.FormatBool(later)})
			if err := c.store.InsertStatement(ctx, st, ev); err != nil {
				return err
			}
			failpoint.Hit(failpoint.AfterStatement)
		}
		if st.Number != number || st.Previous != prev {
			return Wrap(KindInternal, "sign adoption", "", fmt.Errorf("%w: statement of adoption %d is number %d after %q, want %d after %q",
				ErrCorrupt, a.ID, st.Number, st.Previous, number, prev))
		}
		if st.ArchivedAt.IsZero() {
			if err := c.archiveStatement(ctx, st); err != nil {
				return err
			}
		}
		prev = st.SHA256
	}
	return nil
}

// archiveStatement copies a recorded statement and its signature to
// write-once storage and marks the copy made.
func (c *core) archiveStatement(ctx context.Context, st AdoptionStatement) error {
	if err := c.blobs.Archive(ctx, StatementKey(st.DocumentID, st.Number), st.Statement, st.SHA256); err != nil {
		return err
	}
	if err := c.blobs.Archive(ctx, SignatureKey(st.DocumentID, st.Number), st.Signature, sha256Hex(st.Signature)); err != nil {
		return err
	}
	failpoint.Hit(failpoint.AfterStatementArchive)
	return c.store.MarkStatementArchived(ctx, st.AdoptionID, c.clock())
}

// processStatements signs the adoptions made before a key was configured
// and copies statements whose copy was cut short; it returns the number of
// adoptions it went through and the first error.
func (c *core) processStatements(ctx context.Context) (int, error) {
	if c.signer == nil {
		return 0, nil
	}
	pending, err := c.store.PendingStatements(ctx)
	if err != nil {
		return 0, fmt.Errorf("read unsigned adoptions: %w", err)
	}
	done := 0
	var first error
	seen := map[string]bool{}
	// The newest pending adoption of each document: signing it signs and
	// copies every one before it.
	for i := len(pending) - 1; i >= 0; i-- {
		a := pending[i]
		if seen[a.DocumentID] {
			continue
		}
		seen[a.DocumentID] = true
		if err := c.sign(ctx, a); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		done++
	}
	return done, first
}

// PublishedKeys is what is published of the secretariat's keys; empty when
// none is configured.
func (s *Adoptions) PublishedKeys() PublishedKeys {
	if s.c.signer == nil {
		return PublishedKeys{}
	}
	return s.c.signer.Published()
}

// PublicStatement returns the statement of a document's adoption number n
// (1, 2, 3 …) for anyone: not_found (not_signed) while it is not signed.
func (s *Adoptions) PublicStatement(ctx context.Context, actor *User, slug string, n int64) (AdoptionStatement, error) {
	const op = "read adoption statement"
	pub, err := s.Public(ctx, actor, slug)
	if err != nil {
		return AdoptionStatement{}, err
	}
	for _, st := range pub.Statements {
		if st.Number == n {
			return st, nil
		}
	}
	return AdoptionStatement{}, Refuse(op, ReasonNotSigned, "adoption "+itoa(n)+" has no signed statement")
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
