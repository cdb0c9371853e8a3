package drafting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"golang.org/x/sync/singleflight"
	"time"

	"redline/internal/failpoint"
	"redline/internal/textdiff"
)

// Service is Redline's drafting workflow over a metadata store and a blob
// store, split by capability. Every method of the capabilities takes the
// acting user and asks the authorizer and the procedure itself; handlers
// only establish who that is. What trusts its caller (the command line's
// administration) is on Operator, which handlers are never given.
type Service struct {
	Documents *Documents // documents, revisions, redlines, the audit log, reopening
	Proposals *Proposals // amendments and merging them
	Comments  *Comments  // comments, threads and their anchors
	Adoptions *Adoptions // approvals, adoptions and the public's reading of them
	Members   *Members   // who holds which role on a document
	Accounts  *Accounts  // users and tokens, as their owners and administrators see them

	core *core
}

// core is what every capability shares: the ports, the clock and the
// caches. Its methods are the shared steps (finding a document, asking the
// authorizer, reading and writing texts); they trust their caller.
type core struct {
	store          Store
	blobs          Blobs
	authz          Authorizer
	onPolicyChange func(ctx context.Context) error
	policySync     func(ctx context.Context) error
	maxTextBytes   int64
	now            func() time.Time
	hooks          Hooks
	signer         Signer // nil: adoptions are not signed
	diffs          *diffCache
	anchors        *anchorCache
	flight         singleflight.Group // issue 13: one computation for concurrent askers
	touchedSets    *touchedCache
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
	PolicyChanged func(ctx context.Context) error
	// PolicySync is called before the authorizer decides on a document, so
	// that role changes committed by other instances are in force (e.g.
	// Enforcer.Sync: one indexed read; issue 18). Nil: the authorizer is
	// trusted as it is.
	PolicySync     func(ctx context.Context) error
	MaxTextBytes   int64            // largest text accepted; 4 MiB when zero
	DiffCacheBytes int              // text bytes of redlines kept in memory; 64 MiB when zero
	Now            func() time.Time // the one clock of every record; time.Now when nil
	Hooks          Hooks
	// Signer signs adoption statements; nil: adoptions are not signed
	// (until a service with one runs the outbox).
	Signer Signer
}

// NewService returns a Service over store and blobs. blobs must have the
// write-once archive: the type says so, so a backend without one is refused
// at compile time.
func NewService(store Store, blobs Blobs, opt Options) *Service {
	c := &core{store: store, blobs: blobs, authz: opt.Authorizer, onPolicyChange: opt.PolicyChanged, policySync: opt.PolicySync,
		maxTextBytes: opt.MaxTextBytes, now: opt.Now, hooks: opt.Hooks, signer: opt.Signer}
	if opt.DiffCacheBytes <= 0 {
		opt.DiffCacheBytes = 64 << 20
	}
	c.diffs = newDiffCache(opt.DiffCacheBytes)
	c.anchors = newAnchorCache(200_000)
	c.touchedSets = newTouchedCache(16 << 20)
	if c.maxTextBytes <= 0 {
		c.maxTextBytes = 4 << 20
	}
	if c.now == nil {
		c.now = time.Now
	}
	return &Service{core: c, Documents: &Documents{c}, Proposals: &Proposals{c}, Comments: &Comments{c},
		Adoptions: &Adoptions{c}, Members: &Members{c}, Accounts: &Accounts{c}}
}

// MaxTextBytes is the largest text the service accepts.
func (s *Service) MaxTextBytes() int64 { return s.core.maxTextBytes }

// Now is the service's clock, the one every record's time comes from.
func (s *Service) Now() time.Time { return s.core.clock() }

// Ready reports whether the database and the blob store are reachable.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.core.store.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := s.core.blobs.Ping(ctx); err != nil {
		return fmt.Errorf("ping blob store: %w", err)
	}
	return nil
}

// Authorize reports whether actor may do act on obj in the document: nil,
// or the refusal (unauthenticated, forbidden, not_found). Handlers use it to
// refuse a caller before telling them what is wrong with their parameters,
// and pages to decide what to offer outside the procedure (the members'
// page, the audit log).
func (s *Service) Authorize(ctx context.Context, actor *User, slug, obj, act string) error {
	_, err := s.core.documentFor(ctx, "authorize", actor, slug, obj, act)
	return err
}

// clock is the time now, UTC, to the microsecond: what both databases keep,
// so a record reads back as it was written.
func (c *core) clock() time.Time { return c.now().UTC().Truncate(time.Microsecond) }

// subject is the authorizer's view of the actor.
func subject(actor *User) Subject {
	if actor == nil {
		return Subject{}
	}
	return Subject{UserID: actor.ID, Admin: actor.Admin}
}

// authorize asks the authorizer whether actor may do act on obj in the
// document docID ("" outside any document). A refusal is unauthenticated
// for an anonymous caller and forbidden (role_forbidden) for a signed-in
// one.
func (c *core) authorize(op string, actor *User, docID, obj, act string) error {
	return c.authorizeFor(op, actor, docID, obj, act, ReasonRoleForbidden)
}

// authorizeFor is authorize with the reason a signed-in caller is refused
// with.
func (c *core) authorizeFor(op string, actor *User, docID, obj, act string, reason Reason) error {
	if actor != nil && actor.Disabled {
		return Refuse(op, ReasonAccountDisabled, "account is disabled")
	}
	if c.authz != nil && c.authz.Allow(subject(actor), docID, obj, act) {
		return nil
	}
	if actor == nil {
		return Refuse(op, ReasonSignIn, "sign in first")
	}
	msg := "your role does not allow this"
	switch reason {
	case ReasonNotAChair:
		msg = "only a chair of this document may do this"
	case ReasonNotAnAdmin:
		msg = "only an administrator may do this"
	}
	if reason.Kind() != KindForbidden {
		reason = ReasonRoleForbidden
	}
	return Refuse(op, reason, msg)
}

// document looks a document up by slug.
func (c *core) document(ctx context.Context, op, slug string) (Document, error) {
	if !ValidSlug(slug) {
		return Document{}, Refuse(op, ReasonNotFound, "document not found")
	}
	d, err := c.store.DocumentBySlug(ctx, slug)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Document{}, &Error{Kind: KindNotFound, Reason: ReasonNotFound, Op: op, Message: "document not found", Err: err}
		}
		return Document{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if err := c.syncPolicy(ctx, op); err != nil {
		return Document{}, err
	}
	return d, nil
}

// syncPolicy brings the authorizer up to date before it decides on a
// document (Options.PolicySync).
func (c *core) syncPolicy(ctx context.Context, op string) error {
	if c.policySync == nil {
		return nil
	}
	if err := c.policySync(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// documentFor looks a document up and checks that actor may do act on obj
// in it. An anonymous caller learns nothing about which slugs exist.
func (c *core) documentFor(ctx context.Context, op string, actor *User, slug, obj, act string) (Document, error) {
	d, err := c.document(ctx, op, slug)
	if err != nil {
		if actor == nil && ErrorKind(err) == KindNotFound {
			return Document{}, Refuse(op, ReasonSignIn, "sign in first")
		}
		return Document{}, err
	}
	if err := c.authorize(op, actor, d.ID, obj, act); err != nil {
		// A signed-in caller who may not read the document at all learns
		// no more than about a slug that does not exist (issue 13).
		if actor != nil && ErrorKind(err) == KindForbidden && ErrorReason(err) != ReasonAccountDisabled &&
			c.authorize(op, actor, d.ID, ObjDocument, ActRead) != nil {
			return Document{}, notFound(op, "document", nil)
		}
		return Document{}, err
	}
	return d, nil
}

// stepDocument looks a document up for a step of the procedure: actor must
// read it, and the step must be theirs to take in its state as last
// committed. The unit of work checks the step again under the lock.
func (c *core) stepDocument(ctx context.Context, op string, actor *User, slug string, action Action) (Document, error) {
	d, err := c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return Document{}, err
	}
	if err := c.checkStep(op, actor, d, action); err != nil {
		return Document{}, err
	}
	return d, nil
}

// inDocument runs fn as the document's unit of work.
func (c *core) inDocument(ctx context.Context, op string, d Document, fn func(tx DocumentTx) error) error {
	if err := c.store.InDocument(ctx, d.ID, fn); err != nil {
		return fmt.Errorf("%s %s: %w", op, d.Slug, err)
	}
	return nil
}

// readDocument runs fn over a consistent snapshot of the document.
func (c *core) readDocument(ctx context.Context, op string, d Document, fn func(r DocumentReader) error) error {
	if err := c.store.ReadDocument(ctx, d.ID, fn); err != nil {
		return fmt.Errorf("%s %s: %w", op, d.Slug, err)
	}
	return nil
}

func (c *core) policyChanged(ctx context.Context) error {
	if c.onPolicyChange == nil {
		return nil
	}
	if err := c.onPolicyChange(ctx); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	return nil
}

// storeText validates a text and writes its blob, returning the normalised
// text and its hash. The blob goes first: a failure after this leaves an
// orphan blob that verify --gc can remove, never a row without its text.
func (c *core) storeText(ctx context.Context, op, docID string, raw []byte) (string, string, error) {
	text, err := NormalizeText(op, raw, c.maxTextBytes)
	if err != nil {
		return "", "", err
	}
	b := sha256.Sum256([]byte(text))
	sum := hex.EncodeToString(b[:])
	if err := c.blobs.Put(ctx, BlobKey(docID, sum), []byte(text), sum); err != nil {
		return "", "", fmt.Errorf("store text: %w", err)
	}
	if c.hooks.BlobWritten != nil {
		c.hooks.BlobWritten(len(text))
	}
	failpoint.Hit(failpoint.AfterBlobWrite)
	return text, sum, nil
}

// readText fetches a revision's blob and checks its hash: a mismatch is an
// error, never data.
func (c *core) readText(ctx context.Context, r Revision) ([]byte, error) {
	return c.readBlob(ctx, r.DocumentID, r.SHA256)
}

// missingBlobRetry is how long readBlob waits before asking once more for a
// text the blob store says it does not have. A variable so a test can
// shorten it.
var missingBlobRetry = 250 * time.Millisecond

// readBlob reads a stored text of a document by hash and verifies it.
//
// Every caller holds a row that names the text, so the text was written
// before the row was committed. A blob store that answers "no such object"
// is then either healing (distributed MinIO, right after nodes came back,
// may answer NoSuchKey while the drives that missed the write outvote the
// others) or has lost it. The read is retried once; a text still missing is
// unavailable (503 with Retry-After), not an internal error, and Verify
// reports it as missing.
func (c *core) readBlob(ctx context.Context, docID, sum string) ([]byte, error) {
	key := BlobKey(docID, sum)
	b, err := c.blobs.Get(ctx, key)
	if ErrorKind(err) == KindNotFound {
		t := time.NewTimer(missingBlobRetry)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
			b, err = c.blobs.Get(ctx, key)
		}
	}
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return nil, Wrap(KindUnavailable, "read text", "the stored text is missing for now; try again shortly", err)
		}
		return nil, err
	}
	if !hashMatches(b, sum) {
		return nil, Wrap(KindInternal, "read text", "the stored text is corrupt", ErrCorrupt)
	}
	return b, nil
}

func hashMatches(b []byte, sum string) bool {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]) == sum
}

// diffHashes is the cached redline between two stored texts; concurrent
// askers of one redline share its computation (issue 13).
func (c *core) diffHashes(ctx context.Context, docID, from, to string, mode textdiff.Mode) (*textdiff.Result, error) {
	opt := textdiff.Options{Mode: mode}
	key := diffKey{from, to, opt.CacheKey()}
	if r, ok := c.diffs.get(key); ok {
		return r, nil
	}
	return c.sharedDiff(key, func() (*textdiff.Result, error) {
		a, err := c.readBlob(ctx, docID, from)
		if err != nil {
			return nil, err
		}
		b, err := c.readBlob(ctx, docID, to)
		if err != nil {
			return nil, err
		}
		r, err := textdiff.DiffContext(ctx, string(a), string(b), opt)
		if err != nil {
			return nil, Wrap(KindUnavailable, "diff", "the redline took longer than the request allows; try again later", err)
		}
		c.diffs.put(key, r, len(a)+len(b))
		return r, nil
	})
}

// warmDiff computes, in the background, the redline from a new revision's
// parent: the one everybody opens next, and the step comments' anchors are
// carried through. Failures only mean a cold cache.
func (c *core) warmDiff(docID string, parent int64, r Revision) {
	if parent < 1 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p, err := c.store.Revision(ctx, docID, parent)
		if err != nil {
			return
		}
		_, _ = c.diffHashes(ctx, docID, p.SHA256, r.SHA256, textdiff.ModeWord)
	}()
}

// newID returns a random 128-bit identifier in hex.
func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// notFound is the refusal of a lookup, keeping the store's error as cause.
func notFound(op, what string, err error) error {
	return &Error{Kind: KindNotFound, Reason: ReasonNotFound, Op: op, Message: what + " not found", Err: err}
}
