package drafting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"redline/internal/failpoint"
	"redline/internal/textdiff"
)

// Service is Redline's drafting workflow over a metadata store and a blob
// store. Every method takes the acting user; handlers only establish who that
// is.
type Service struct {
	store          Store
	blobs          BlobStore
	authz          Authorizer
	onPolicyChange func(ctx context.Context) error
	maxTextBytes   int64
	now            func() time.Time
	hooks          Hooks
	diffs          *diffCache
	anchors        *anchorCache
}

// Hooks observe the service, e.g. for metrics. Nil fields are skipped.
type Hooks struct {
	// Committed is called after a revision's row is committed.
	Committed func(r Revision)
	// BlobWritten is called after a text's blob was written.
	BlobWritten func(bytes int)
}

// Options configure a Service.
type Options struct {
	// Authorizer decides every action; without one everything is refused.
	Authorizer Authorizer
	// PolicyChanged is called after a role change, so this instance's
	// authorizer sees it before the next request (e.g. Enforcer.Reload).
	PolicyChanged  func(ctx context.Context) error
	MaxTextBytes   int64            // largest text accepted; 4 MiB when zero
	DiffCacheBytes int              // text bytes of redlines kept in memory; 64 MiB when zero
	Now            func() time.Time // clock; time.Now when nil
	Hooks          Hooks
}

// NewService returns a Service over store and blobs.
func NewService(store Store, blobs BlobStore, opt Options) *Service {
	s := &Service{store: store, blobs: blobs, authz: opt.Authorizer, onPolicyChange: opt.PolicyChanged,
		maxTextBytes: opt.MaxTextBytes, now: opt.Now, hooks: opt.Hooks}
	if opt.DiffCacheBytes <= 0 {
		opt.DiffCacheBytes = 64 << 20
	}
	s.diffs = newDiffCache(opt.DiffCacheBytes)
	s.anchors = newAnchorCache(200_000)
	if s.maxTextBytes <= 0 {
		s.maxTextBytes = 4 << 20
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// MaxTextBytes is the largest text the service accepts.
func (s *Service) MaxTextBytes() int64 { return s.maxTextBytes }

// Ready reports whether the database and the blob store are reachable.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := s.blobs.Ping(ctx); err != nil {
		return fmt.Errorf("ping blob store: %w", err)
	}
	return nil
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// NewDocument is the input of CreateDocument.
type NewDocument struct {
	Slug              string
	Title             string
	Language          string // "ru" when empty
	ApprovalsRequired int    // 1 when zero
	Text              *string
	Message           string
}

// DocumentView is a document with its head revision (nil when it has none).
type DocumentView struct {
	Document
	Head *Revision
}

// CreateDocument creates a document and, when in.Text is set, its revision 1.
func (s *Service) CreateDocument(ctx context.Context, actor *User, in NewDocument) (DocumentView, error) {
	const op = "create document"
	if err := s.authorize(op, actor, "", ObjDocument, ActCreate); err != nil {
		return DocumentView{}, err
	}
	if in.Slug == "" {
		return DocumentView{}, E(KindInvalid, op, "slug is required")
	}
	if !ValidSlug(in.Slug) {
		return DocumentView{}, E(KindInvalid, op, "slug must match ^[a-z0-9][a-z0-9-]{0,62}$")
	}
	title, err := cleanLine(op, "title", in.Title, 300, true)
	if err != nil {
		return DocumentView{}, err
	}
	lang := in.Language
	if lang == "" {
		lang = "ru"
	}
	if !langPattern.MatchString(lang) {
		return DocumentView{}, E(KindInvalid, op, "language must be a language tag such as ru or en")
	}
	approvals := in.ApprovalsRequired
	if approvals == 0 {
		approvals = 1
	}
	if approvals < 1 || approvals > 50 {
		return DocumentView{}, E(KindInvalid, op, "approvals_required must be between 1 and 50")
	}
	id, err := newID()
	if err != nil {
		return DocumentView{}, Wrap(KindInternal, op, "", err)
	}
	now := s.clock()
	d := Document{ID: id, Slug: in.Slug, Title: title, Language: lang, ApprovalsRequired: approvals,
		CreatedBy: actor.ID, CreatedByLogin: actor.Login, CreatedAt: now}
	// A taken slug is refused before any blob is written; the transaction
	// still decides a race, at worst leaving an orphan blob for verify --gc.
	if _, err := s.store.DocumentBySlug(ctx, in.Slug); err == nil {
		return DocumentView{}, E(KindConflict, op, "a document with this slug exists")
	} else if ErrorKind(err) != KindNotFound {
		return DocumentView{}, fmt.Errorf("%s %s: %w", op, in.Slug, err)
	}
	var first *Revision
	if in.Text != nil {
		r, err := s.prepareRevision(ctx, op, actor, id, []byte(*in.Text), in.Message)
		if err != nil {
			return DocumentView{}, err
		}
		r.Number, r.Parent = 1, 0
		first = &r
	} else if in.Message != "" {
		return DocumentView{}, E(KindInvalid, op, "message needs a text")
	}
	data := map[string]string{"slug": d.Slug, "title": d.Title, "language": d.Language,
		"approvals_required": itoa(int64(d.ApprovalsRequired))}
	if first != nil {
		data["revision"], data["sha256"] = "1", first.SHA256
	}
	d, err = s.store.CreateDocument(ctx, d, first, NewEvent("document.create", actor, d.ID, now, data))
	if ErrorKind(err) == KindConflict {
		return DocumentView{}, Wrap(KindConflict, op, "a document with this slug exists", err)
	}
	if err != nil {
		return DocumentView{}, fmt.Errorf("%s %s: %w", op, in.Slug, err)
	}
	if first != nil {
		if s.hooks.Committed != nil {
			s.hooks.Committed(*first)
		}
		// Answer with the row as stored (its time as the store keeps it).
		if head, err := s.store.Head(ctx, d.ID); err == nil {
			first = &head
		}
	}
	return DocumentView{Document: d, Head: first}, nil
}

// prepareRevision validates a text, writes its blob and returns the revision
// row to commit (without number and parent).
func (s *Service) prepareRevision(ctx context.Context, op string, actor *User, docID string, raw []byte, message string) (Revision, error) {
	text, err := NormalizeText(op, raw, s.maxTextBytes)
	if err != nil {
		return Revision{}, err
	}
	msg, err := cleanMessage(op, "message", message, 2000)
	if err != nil {
		return Revision{}, err
	}
	sum := sha256.Sum256([]byte(text))
	hexSum := hex.EncodeToString(sum[:])
	// The blob goes first: a failure after this leaves an orphan blob that
	// verify --gc can remove, never a row without its text.
	if err := s.blobs.Put(ctx, BlobKey(docID, hexSum), []byte(text), hexSum); err != nil {
		return Revision{}, fmt.Errorf("store text: %w", err)
	}
	if s.hooks.BlobWritten != nil {
		s.hooks.BlobWritten(len(text))
	}
	failpoint.Hit(failpoint.AfterBlobWrite)
	return Revision{DocumentID: docID, AuthorID: actor.ID, AuthorLogin: actor.Login, Message: msg,
		SHA256: hexSum, Size: int64(len(text)), CreatedAt: s.clock()}, nil
}

// Document returns a document with its head.
func (s *Service) Document(ctx context.Context, actor *User, slug string) (DocumentView, error) {
	const op = "get document"
	d, err := s.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return DocumentView{}, err
	}
	v := DocumentView{Document: d}
	head, err := s.store.Head(ctx, d.ID)
	switch {
	case err == nil:
		v.Head = &head
	case ErrorKind(err) != KindNotFound:
		return DocumentView{}, fmt.Errorf("%s %s: read head: %w", op, slug, err)
	}
	return v, nil
}

func (s *Service) document(ctx context.Context, op, slug string) (Document, error) {
	if !ValidSlug(slug) {
		return Document{}, E(KindNotFound, op, "document not found")
	}
	d, err := s.store.DocumentBySlug(ctx, slug)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Document{}, Wrap(KindNotFound, op, "document not found", err)
		}
		return Document{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return d, nil
}

// ListDocuments returns the documents the actor may see.
func (s *Service) ListDocuments(ctx context.Context, actor *User) ([]Document, error) {
	const op = "list documents"
	if actor == nil {
		return nil, E(KindUnauthenticated, op, "sign in first")
	}
	ds, err := s.store.ListDocuments(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	visible := ds[:0]
	for _, d := range ds {
		if s.authorize(op, actor, d.ID, ObjDocument, ActRead) == nil {
			visible = append(visible, d)
		}
	}
	return visible, nil
}

// Commit makes text the next revision of the document, provided base is the
// current head number (0 for a document without revisions). A stale base is
// a conflict whose details carry the current head. A negative base or a nil
// text means the caller gave none (invalid).
func (s *Service) Commit(ctx context.Context, actor *User, slug string, base int64, text []byte, message string) (Revision, error) {
	const op = "commit revision"
	d, err := s.documentFor(ctx, op, actor, slug, ObjRevision, ActCommit)
	if err != nil {
		return Revision{}, err
	}
	if base < 0 {
		return Revision{}, E(KindInvalid, op, "base is required: the current head number (0 for the first revision)")
	}
	if text == nil {
		return Revision{}, E(KindInvalid, op, "text is required")
	}
	// Refuse a stale base before writing anything; the transaction checks
	// again, since the head can move between here and there.
	if head, err := s.headNumber(ctx, d.ID); err != nil {
		return Revision{}, fmt.Errorf("%s: %w", op, err)
	} else if head != base {
		return Revision{}, staleBase(op, head)
	}
	r, err := s.prepareRevision(ctx, op, actor, d.ID, text, message)
	if err != nil {
		return Revision{}, err
	}
	ev := NewEvent("revision.commit", actor, d.ID, r.CreatedAt,
		map[string]string{"number": itoa(base + 1), "sha256": r.SHA256, "size": itoa(r.Size)})
	r, err = s.store.CommitRevision(ctx, r, base, ev)
	if err != nil {
		return Revision{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if s.hooks.Committed != nil {
		s.hooks.Committed(r)
	}
	s.warmDiff(d.ID, base, r)
	return r, nil
}

func staleBase(op string, head int64) error {
	return &Error{Kind: KindConflict, Op: op,
		Message: "the draft has moved on: base is not the current head",
		Details: map[string]any{"head": head}}
}

func (s *Service) headNumber(ctx context.Context, docID string) (int64, error) {
	h, err := s.store.Head(ctx, docID)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return 0, nil
		}
		return 0, fmt.Errorf("read head: %w", err)
	}
	return h.Number, nil
}

// Revision returns revision n of a document.
func (s *Service) Revision(ctx context.Context, actor *User, slug string, n int64) (Revision, error) {
	const op = "get revision"
	d, err := s.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Revision{}, err
	}
	return s.revision(ctx, op, d, n)
}

func (s *Service) revision(ctx context.Context, op string, d Document, n int64) (Revision, error) {
	if n < 1 {
		return Revision{}, E(KindNotFound, op, "revision not found")
	}
	r, err := s.store.Revision(ctx, d.ID, n)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Revision{}, Wrap(KindNotFound, op, "revision not found", err)
		}
		return Revision{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, n, err)
	}
	return r, nil
}

// Revisions lists up to limit revisions newest first, numbered below before
// (all when before <= 0). limit is clamped to 1..500 (50 when zero).
func (s *Service) Revisions(ctx context.Context, actor *User, slug string, limit int, before int64) ([]Revision, error) {
	const op = "list revisions"
	d, err := s.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return nil, err
	}
	if limit < 0 || before < 0 {
		return nil, E(KindInvalid, op, "limit and before must not be negative")
	}
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, 500)
	rs, err := s.store.ListRevisions(ctx, d.ID, limit, before)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return rs, nil
}

// Text returns revision n of a document with its text, verified against the
// revision's SHA-256.
func (s *Service) Text(ctx context.Context, actor *User, slug string, n int64) (Revision, []byte, error) {
	const op = "read text"
	d, err := s.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Revision{}, nil, err
	}
	r, err := s.revision(ctx, op, d, n)
	if err != nil {
		return Revision{}, nil, err
	}
	b, err := s.readText(ctx, r)
	if err != nil {
		return Revision{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return r, b, nil
}

// readText fetches a revision's blob and checks its hash: a mismatch is an
// error, never data.
func (s *Service) readText(ctx context.Context, r Revision) ([]byte, error) {
	b, err := s.blobs.Get(ctx, BlobKey(r.DocumentID, r.SHA256))
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return nil, Wrap(KindInternal, "read text", "the stored text is missing", err)
		}
		return nil, err
	}
	if !hashMatches(b, r.SHA256) {
		return nil, Wrap(KindInternal, "read text", "the stored text is corrupt", ErrCorrupt)
	}
	return b, nil
}

func hashMatches(b []byte, sum string) bool {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]) == sum
}

// newID returns a random 128-bit identifier in hex.
func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Login        string
	DisplayName  string
	PasswordHash string
	Admin        bool
}

// CreateUser adds an account. It is the CLI's administration step: whoever
// runs it on the server's data is trusted; the event has no actor.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return s.createUser(ctx, nil, in)
}

func (s *Service) createUser(ctx context.Context, actor *User, in NewUser) (User, error) {
	const op = "create user"
	if !ValidLogin(in.Login) {
		return User{}, E(KindInvalid, op, "login must match ^[a-z0-9][a-z0-9._-]{0,62}$")
	}
	name, err := cleanLine(op, "display name", in.DisplayName, 200, false)
	if err != nil {
		return User{}, err
	}
	if name == "" {
		name = in.Login
	}
	if !strings.HasPrefix(in.PasswordHash, "$argon2id$") {
		return User{}, E(KindInvalid, op, "password hash must be argon2id")
	}
	now := s.clock()
	ev := NewEvent("user.create", actor, "", now, map[string]string{"login": in.Login, "admin": strconv.FormatBool(in.Admin)})
	u, err := s.store.CreateUser(ctx, User{Login: in.Login, DisplayName: name, PasswordHash: in.PasswordHash,
		Admin: in.Admin, CreatedAt: now}, ev)
	if err != nil {
		if ErrorKind(err) == KindConflict {
			return User{}, Wrap(KindConflict, op, "login is taken", err)
		}
		return User{}, fmt.Errorf("%s %s: %w", op, in.Login, err)
	}
	return u, nil
}

// CreateToken stores the hash of a new API token for login.
func (s *Service) CreateToken(ctx context.Context, login, label, hash string) (Token, error) {
	const op = "create token"
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Token{}, Wrap(KindNotFound, op, "no such user", err)
		}
		return Token{}, fmt.Errorf("%s: %w", op, err)
	}
	label, err = cleanLine(op, "label", label, 200, false)
	if err != nil {
		return Token{}, err
	}
	t, err := s.store.CreateToken(ctx, Token{UserID: u.ID, Label: label, Hash: hash, CreatedAt: s.clock()})
	if err != nil {
		return Token{}, fmt.Errorf("%s for %s: %w", op, login, err)
	}
	return t, nil
}

// UserByToken returns the enabled user owning the token with this hash.
func (s *Service) UserByToken(ctx context.Context, hash string) (User, error) {
	const op = "authenticate"
	u, err := s.store.UserByTokenHash(ctx, hash)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, E(KindUnauthenticated, op, "invalid token")
		}
		return User{}, fmt.Errorf("%s: %w", op, err)
	}
	if u.Disabled {
		return User{}, E(KindUnauthenticated, op, "invalid token")
	}
	return u, nil
}

// Problem is one finding of Verify.
type Problem struct {
	// Kind is "missing", "corrupt", "unreadable" (a revision's text),
	// "orphan" (a blob no revision names), "chain" (the audit log's first
	// broken link), "unarchived", "archive-missing", "archive-corrupt" or
	// "archive-unreadable" (an adopted text's write-once copy).
	Kind     string
	Key      string
	Revision *Revision
	Err      error
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Revisions int
	Events    int
	Problems  []Problem
	Removed   int // orphans removed when gc was asked for
}

// Bad reports whether anything is missing, corrupt or broken; orphan blobs
// and archive copies still to be made (the outbox's work) are not.
func (r VerifyReport) Bad() bool {
	for _, p := range r.Problems {
		if p.Kind != "orphan" && p.Kind != "unarchived" {
			return true
		}
	}
	return false
}

// Verify re-reads every revision's text and checks its hash, and lists blobs
// that no revision refers to; with gc it removes those orphans. progress, when
// not nil, is called every so often with the count checked so far.
func (s *Service) Verify(ctx context.Context, gc bool, progress func(n int)) (VerifyReport, error) {
	var rep VerifyReport
	known := make(map[string]bool)
	err := s.store.AllRevisions(ctx, func(r Revision) error {
		rep.Revisions++
		if progress != nil && rep.Revisions%500 == 0 {
			progress(rep.Revisions)
		}
		key := BlobKey(r.DocumentID, r.SHA256)
		known[key] = true
		_, err := s.readText(ctx, r)
		switch {
		case err == nil:
		case errors.Is(err, ErrCorrupt):
			rep.Problems = append(rep.Problems, Problem{Kind: "corrupt", Key: key, Revision: &r, Err: err})
		case errors.Is(err, fs.ErrNotExist):
			rep.Problems = append(rep.Problems, Problem{Kind: "missing", Key: key, Revision: &r, Err: err})
		default:
			rep.Problems = append(rep.Problems, Problem{Kind: "unreadable", Key: key, Revision: &r, Err: err})
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify: read revisions: %w", err)
	}
	// Proposal texts share the documents/<id>/<sha256> key space: they are
	// known too, and checked like revision texts.
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return rep, fmt.Errorf("verify: list documents: %w", err)
	}
	for _, d := range docs {
		ps, err := s.store.ListProposals(ctx, d.ID, "")
		if err != nil {
			return rep, fmt.Errorf("verify: proposals of %s: %w", d.Slug, err)
		}
		for _, p := range ps {
			key := BlobKey(d.ID, p.SHA256)
			if known[key] {
				continue
			}
			known[key] = true
			if _, err := s.readBlob(ctx, d.ID, p.SHA256); err != nil {
				kind := "unreadable"
				if errors.Is(err, ErrCorrupt) {
					kind = "corrupt"
				} else if errors.Is(err, fs.ErrNotExist) {
					kind = "missing"
				}
				rep.Problems = append(rep.Problems, Problem{Kind: kind, Key: key,
					Err: fmt.Errorf("text of proposal %d of %s: %w", p.Number, d.Slug, err)})
			}
		}
	}
	var orphans []string
	if err := s.blobs.List(ctx, "documents/", func(key string) error {
		if !known[key] {
			orphans = append(orphans, key)
		}
		return nil
	}); err != nil {
		return rep, fmt.Errorf("verify: list blobs: %w", err)
	}
	for _, key := range orphans {
		rep.Problems = append(rep.Problems, Problem{Kind: "orphan", Key: key})
		if gc {
			if err := s.blobs.Delete(ctx, key); err != nil {
				return rep, fmt.Errorf("verify: remove orphan %s: %w", key, err)
			}
			rep.Removed++
		}
	}
	if err := s.verifyEvents(ctx, &rep); err != nil {
		return rep, err
	}
	if err := s.verifyAdoptions(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// verifyEvents recomputes the audit chain and reports its first broken link.
func (s *Service) verifyEvents(ctx context.Context, rep *VerifyReport) error {
	prev, want := "", int64(1)
	broken := false
	err := s.store.AllEvents(ctx, func(e Event) error {
		rep.Events++
		if broken {
			return nil
		}
		switch {
		case e.Seq != want:
			rep.Problems = append(rep.Problems, Problem{Kind: "chain", Key: "event " + itoa(e.Seq), Err: fmt.Errorf("expected event %d", want)})
		case e.PrevHash != prev:
			rep.Problems = append(rep.Problems, Problem{Kind: "chain", Key: "event " + itoa(e.Seq), Err: fmt.Errorf("prev_hash does not name event %d", want-1)})
		case ChainHash(prev, e) != e.Hash:
			rep.Problems = append(rep.Problems, Problem{Kind: "chain", Key: "event " + itoa(e.Seq), Err: fmt.Errorf("hash does not match the event")})
		default:
			prev, want = e.Hash, want+1
			return nil
		}
		broken = true // the first broken link is the finding; what follows is moot
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify: read events: %w", err)
	}
	return nil
}

// verifyAdoptions checks that every archived adoption's copy exists with its
// hash; pending copies are listed for the outbox.
func (s *Service) verifyAdoptions(ctx context.Context, rep *VerifyReport) error {
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return fmt.Errorf("verify: list documents: %w", err)
	}
	for _, d := range docs {
		as, err := s.store.Adoptions(ctx, d.ID)
		if err != nil {
			return fmt.Errorf("verify: adoptions of %s: %w", d.Slug, err)
		}
		for _, a := range as {
			key := ArchiveKey(a.DocumentID, a.SHA256)
			if a.ArchivedAt.IsZero() {
				rep.Problems = append(rep.Problems, Problem{Kind: "unarchived", Key: key})
				continue
			}
			if _, err := s.adoptedBytes(ctx, a); err != nil {
				kind := "archive-unreadable"
				if errors.Is(err, ErrCorrupt) {
					kind = "archive-corrupt"
				} else if errors.Is(err, fs.ErrNotExist) {
					kind = "archive-missing"
				}
				rep.Problems = append(rep.Problems, Problem{Kind: kind, Key: key, Err: err})
			}
		}
	}
	return nil
}

// UserByLogin returns the account with this login.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	const op = "get user"
	if !ValidLogin(login) {
		return User{}, E(KindNotFound, op, "no such user")
	}
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return User{}, Wrap(KindNotFound, op, "no such user", err)
		}
		return User{}, fmt.Errorf("%s %s: %w", op, login, err)
	}
	return u, nil
}

// warmDiff computes, in the background, the redline from a new revision's
// parent: the one everybody opens next, and the step comments' anchors are
// carried through. Failures only mean a cold cache.
func (s *Service) warmDiff(docID string, parent int64, r Revision) {
	if parent < 1 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p, err := s.store.Revision(ctx, docID, parent)
		if err != nil {
			return
		}
		_, _ = s.diffHashes(ctx, docID, p.SHA256, r.SHA256, textdiff.ModeWord)
	}()
}
