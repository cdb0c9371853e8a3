package drafting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"redline/internal/failpoint"
	"redline/internal/textdiff"
)

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

// ApprovalStatus is a revision's approvals and the quorum progress.
type ApprovalStatus struct {
	Revision  Revision
	Approvals []Approval
	Required  int
	Reached   bool
}

// Approve records the actor's approval of revision n, bound to its hash: the
// hash must be the revision's and the revision must be the head (409 both).
func (s *Service) Approve(ctx context.Context, actor *User, slug string, n int64, sum, note string) (Approval, error) {
	const op = "approve revision"
	d, err := s.documentFor(ctx, op, actor, slug, ObjApproval, ActCreate)
	if err != nil {
		return Approval{}, err
	}
	if sum == "" {
		return Approval{}, E(KindInvalid, op, "sha256 is required: the hash of the text you approve")
	}
	note, err = cleanMessage(op, "note", note, 2000)
	if err != nil {
		return Approval{}, err
	}
	r, err := s.revision(ctx, op, d, n)
	if err != nil {
		return Approval{}, err
	}
	if sum != r.SHA256 {
		return Approval{}, &Error{Kind: KindConflict, Op: op,
			Message: "the hash is not this revision's: you would approve a text other than this one",
			Details: map[string]any{"sha256": r.SHA256}}
	}
	now := s.clock()
	a := Approval{DocumentID: d.ID, Revision: n, SHA256: sum, ChairID: actor.ID, ChairLogin: actor.Login, Note: note, CreatedAt: now}
	ev := NewEvent("approval.create", actor, d.ID, now, map[string]string{"revision": itoa(n), "sha256": sum})
	a, err = s.store.CreateApproval(ctx, a, ev)
	if err != nil {
		if ErrorKind(err) == KindConflict {
			return Approval{}, Wrap(KindConflict, op, conflictMessage(err, "the revision cannot be approved"), err)
		}
		return Approval{}, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return a, nil
}

// conflictMessage keeps a store's conflict message if it has one.
func conflictMessage(err error, fallback string) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return fallback
}

// Approvals returns revision n's approvals and quorum progress.
func (s *Service) Approvals(ctx context.Context, actor *User, slug string, n int64) (ApprovalStatus, error) {
	const op = "list approvals"
	d, err := s.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return ApprovalStatus{}, err
	}
	r, err := s.revision(ctx, op, d, n)
	if err != nil {
		return ApprovalStatus{}, err
	}
	as, err := s.store.Approvals(ctx, d.ID, n)
	if err != nil {
		return ApprovalStatus{}, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return ApprovalStatus{Revision: r, Approvals: as, Required: d.ApprovalsRequired, Reached: len(as) >= d.ApprovalsRequired}, nil
}

// AdoptInput is the input of Adopt.
type AdoptInput struct {
	Stage          string
	Note           string
	OverrideReason string
}

// Adopt adopts revision n at a stage once it has the quorum of approvals
// (409 otherwise). The adopted text is copied to write-once storage by an
// outbox step, tried at once and retried by RunOutbox until done.
func (s *Service) Adopt(ctx context.Context, actor *User, slug string, n int64, in AdoptInput) (Adoption, error) {
	const op = "adopt revision"
	d, err := s.documentFor(ctx, op, actor, slug, ObjAdoption, ActCreate)
	if err != nil {
		return Adoption{}, err
	}
	if in.Stage != StageBasis && in.Stage != StageFinal {
		return Adoption{}, E(KindInvalid, op, "stage must be basis or final")
	}
	note, err := cleanMessage(op, "note", in.Note, 2000)
	if err != nil {
		return Adoption{}, err
	}
	override, err := cleanMessage(op, "override_reason", in.OverrideReason, 2000)
	if err != nil {
		return Adoption{}, err
	}
	r, err := s.revision(ctx, op, d, n)
	if err != nil {
		return Adoption{}, err
	}
	// The adoption gate: open threads anchored in the revision, or carried
	// into it, block adoption unless the chair gives a reason to override.
	open, err := s.openThreadsIn(ctx, d, n)
	if err != nil {
		return Adoption{}, fmt.Errorf("%s: %w", op, err)
	}
	if len(open) > 0 && override == "" {
		ids := make([]int64, len(open))
		idText := make([]string, len(open))
		for i, c := range open {
			ids[i], idText[i] = c.ID, itoa(c.ID)
		}
		ev := NewEvent("adoption.refused", actor, d.ID, s.clock(), map[string]string{
			"revision": itoa(n), "stage": in.Stage, "open_threads": strings.Join(idText, ",")})
		if _, err := s.store.AppendEvent(ctx, ev); err != nil {
			return Adoption{}, fmt.Errorf("%s: record refusal: %w", op, err)
		}
		return Adoption{}, &Error{Kind: KindConflict, Op: op,
			Message: "the revision has open comment threads; resolve them or give override_reason",
			Details: map[string]any{"open_threads": ids}}
	}
	if len(open) == 0 {
		override = "" // nothing to override: do not record a reason for nothing
	}
	now := s.clock()
	a := Adoption{DocumentID: d.ID, Revision: n, SHA256: r.SHA256, Size: r.Size, Stage: in.Stage, Note: note,
		OverrideReason: override, ChairID: actor.ID, ChairLogin: actor.Login, CreatedAt: now}
	data := map[string]string{"revision": itoa(n), "sha256": r.SHA256, "stage": in.Stage}
	if override != "" {
		data["override_reason"] = override
	}
	a, err = s.store.CreateAdoption(ctx, a, d.ApprovalsRequired, NewEvent("adoption.create", actor, d.ID, now, data))
	if err != nil {
		if ErrorKind(err) == KindConflict {
			return Adoption{}, Wrap(KindConflict, op, "the revision has not reached the quorum of approvals", err)
		}
		return Adoption{}, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	// The adoption is committed; the copy is the outbox's job, and a
	// failure here is retried later rather than reported.
	if err := s.archive(ctx, a); err == nil {
		a.ArchivedAt = s.clock()
	}
	return a, nil
}

// archive copies one adoption's text to write-once storage and marks it done.
// Every step is idempotent, so a retry after a crash anywhere is safe.
func (s *Service) archive(ctx context.Context, a Adoption) error {
	arch, ok := s.blobs.(Archiver)
	if !ok {
		return E(KindInternal, "archive", "the blob store has no write-once archive")
	}
	text, err := s.readBlob(ctx, a.DocumentID, a.SHA256)
	if err != nil {
		return fmt.Errorf("archive adoption %d: %w", a.ID, err)
	}
	failpoint.Hit(failpoint.BeforeArchive)
	if err := arch.Archive(ctx, ArchiveKey(a.DocumentID, a.SHA256), text, a.SHA256); err != nil {
		return fmt.Errorf("archive adoption %d: %w", a.ID, err)
	}
	failpoint.Hit(failpoint.AfterArchive)
	if err := s.store.MarkArchived(ctx, a.ID, s.clock()); err != nil {
		return fmt.Errorf("archive adoption %d: mark done: %w", a.ID, err)
	}
	return nil
}

// ProcessOutbox makes every pending archive copy once; it returns the number
// made and the first error.
func (s *Service) ProcessOutbox(ctx context.Context) (int, error) {
	pending, err := s.store.PendingArchives(ctx)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	done := 0
	var first error
	for _, a := range pending {
		if err := s.archive(ctx, a); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		done++
	}
	return done, first
}

// RunOutbox processes the outbox every interval until ctx ends, reporting
// failures to logf.
func (s *Service) RunOutbox(ctx context.Context, interval time.Duration, logf func(err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.ProcessOutbox(ctx); err != nil && logf != nil && ctx.Err() == nil {
			logf(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PublicDocument is what anyone may read of a document: its adoptions.
type PublicDocument struct {
	Document  Document
	Current   Adoption   // the latest adoption
	Adoptions []Adoption // oldest first
}

// Public returns a document's adopted state for anyone, signed in or not. A
// document with no adoption is not found, so nothing about drafts leaks.
func (s *Service) Public(ctx context.Context, actor *User, slug string) (PublicDocument, error) {
	const op = "read adopted text"
	notFound := E(KindNotFound, op, "no adopted text under this name")
	d, err := s.document(ctx, op, slug)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return PublicDocument{}, notFound
		}
		return PublicDocument{}, err
	}
	if err := s.authorize(op, actor, d.ID, ObjAdopted, ActRead); err != nil {
		return PublicDocument{}, err
	}
	as, err := s.store.Adoptions(ctx, d.ID)
	if err != nil {
		return PublicDocument{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if len(as) == 0 {
		return PublicDocument{}, notFound
	}
	return PublicDocument{Document: d, Current: as[len(as)-1], Adoptions: as}, nil
}

// AdoptedText returns the text of an adopted revision n (0: the current
// adoption) for anyone, read from the archive when the copy is made, and
// verified against its hash either way.
func (s *Service) AdoptedText(ctx context.Context, actor *User, slug string, n int64) (Adoption, []byte, error) {
	const op = "read adopted text"
	pub, err := s.Public(ctx, actor, slug)
	if err != nil {
		return Adoption{}, nil, err
	}
	a := pub.Current
	if n != 0 {
		found := false
		for _, x := range pub.Adoptions {
			if x.Revision == n {
				a, found = x, true // the latest adoption of n
			}
		}
		if !found {
			return Adoption{}, nil, E(KindNotFound, op, "revision "+itoa(n)+" was not adopted")
		}
	}
	text, err := s.adoptedBytes(ctx, a)
	if err != nil {
		return Adoption{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, a.Revision, err)
	}
	return a, text, nil
}

func (s *Service) adoptedBytes(ctx context.Context, a Adoption) ([]byte, error) {
	if arch, ok := s.blobs.(Archiver); ok && !a.ArchivedAt.IsZero() {
		b, err := arch.GetArchive(ctx, ArchiveKey(a.DocumentID, a.SHA256))
		if err != nil {
			return nil, err
		}
		if !hashMatches(b, a.SHA256) {
			return nil, Wrap(KindInternal, "read adopted text", "the archived text is corrupt", ErrCorrupt)
		}
		return b, nil
	}
	return s.readBlob(ctx, a.DocumentID, a.SHA256)
}

// PublicDiff is the redline between two adopted revisions, for anyone.
func (s *Service) PublicDiff(ctx context.Context, actor *User, slug string, from, to int64, mode textdiff.Mode) (DiffView, error) {
	const op = "diff adopted texts"
	pub, err := s.Public(ctx, actor, slug)
	if err != nil {
		return DiffView{}, err
	}
	find := func(n int64) (Adoption, bool) {
		for _, a := range pub.Adoptions {
			if a.Revision == n {
				return a, true
			}
		}
		return Adoption{}, false
	}
	a, ok1 := find(from)
	b, ok2 := find(to)
	if !ok1 || !ok2 {
		return DiffView{}, E(KindNotFound, op, "both revisions must have been adopted")
	}
	r, err := s.diffHashes(ctx, pub.Document.ID, a.SHA256, b.SHA256, mode)
	if err != nil {
		return DiffView{}, err
	}
	return DiffView{From: Revision{DocumentID: a.DocumentID, Number: a.Revision, SHA256: a.SHA256, Size: a.Size},
		To: Revision{DocumentID: b.DocumentID, Number: b.Revision, SHA256: b.SHA256, Size: b.Size}, Result: r}, nil
}

// Events returns a document's audit log for those who may read it.
func (s *Service) Events(ctx context.Context, actor *User, slug string, after int64, limit int) ([]Event, error) {
	const op = "read audit log"
	d, err := s.documentFor(ctx, op, actor, slug, ObjAudit, ActRead)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	es, err := s.store.Events(ctx, d.ID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return es, nil
}
