package drafting

import (
	"context"
	"fmt"
)

// Documents is the capability of documents and their revisions: creating
// a document, committing, reading revisions and texts, redlines, the audit
// log, and reopening a closed document.
type Documents struct{ c *core }

// NewDocument is the input of Create.
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

// Create creates a document (in state drafting) and, when in.Text is set,
// its revision 1.
func (s *Documents) Create(ctx context.Context, actor *User, in NewDocument) (DocumentView, error) {
	const op = "create document"
	c := s.c
	if err := c.authorizeFor(op, actor, "", ObjDocument, ActCreate, ReasonNotAnAdmin); err != nil {
		return DocumentView{}, err
	}
	if in.Slug == "" {
		return DocumentView{}, missing(op, "slug")
	}
	if !ValidSlug(in.Slug) {
		return DocumentView{}, Refuse(op, ReasonInvalidSlug, "slug must match ^[a-z0-9][a-z0-9-]{0,62}$").With("field", "slug")
	}
	title, err := cleanLine(op, "title", in.Title, 300, true)
	if err != nil {
		return DocumentView{}, err
	}
	lang := in.Language
	if lang == "" {
		lang = "ru"
	}
	if !langPattern().MatchString(lang) {
		return DocumentView{}, Refuse(op, ReasonInvalidLanguage, "language must be a language tag such as ru or en").With("field", "language")
	}
	approvals := in.ApprovalsRequired
	if approvals == 0 {
		approvals = 1
	}
	if approvals < 1 || approvals > 50 {
		return DocumentView{}, Refuse(op, ReasonOutOfRange, "approvals_required must be between 1 and 50").
			With("field", "approvals_required").With("min", 1).With("max", 50)
	}
	id, err := newID()
	if err != nil {
		return DocumentView{}, Wrap(KindInternal, op, "", err)
	}
	now := c.clock()
	d := Document{ID: id, Slug: in.Slug, Title: title, Language: lang, ApprovalsRequired: approvals, State: StateDrafting,
		CreatedBy: actor.ID, CreatedByLogin: actor.Login, CreatedAt: now}
	// A taken slug is refused before any blob is written; the transaction
	// still decides a race, at worst leaving an orphan blob for verify --gc.
	if _, err := c.store.DocumentBySlug(ctx, in.Slug); err == nil {
		return DocumentView{}, slugTaken(op, nil)
	} else if ErrorKind(err) != KindNotFound {
		return DocumentView{}, fmt.Errorf("%s %s: %w", op, in.Slug, err)
	}
	var first *Revision
	if in.Text != nil {
		// No text at all makes a document without revisions; a blank one
		// would be a first revision with nothing in it.
		if blank([]byte(*in.Text)) {
			return DocumentView{}, Refuse(op, ReasonEmptyText, "the first revision needs a text: omit text to create the document without one").With("field", "text")
		}
		msg, err := cleanMessage(op, "message", in.Message, 2000)
		if err != nil {
			return DocumentView{}, err
		}
		text, sum, err := c.storeText(ctx, op, id, []byte(*in.Text))
		if err != nil {
			return DocumentView{}, err
		}
		first = &Revision{DocumentID: id, Number: 1, AuthorID: actor.ID, AuthorLogin: actor.Login, Message: msg,
			SHA256: sum, Size: int64(len(text)), CreatedAt: now}
	} else if in.Message != "" {
		return DocumentView{}, missing(op, "text")
	}
	data := map[string]string{"slug": d.Slug, "title": d.Title, "language": d.Language,
		"approvals_required": itoa(int64(d.ApprovalsRequired))}
	if first != nil {
		data["revision"], data["sha256"] = "1", first.SHA256
	}
	d, err = c.store.CreateDocument(ctx, d, first, NewEvent("document.create", actor, d.ID, now, data))
	if ErrorKind(err) == KindConflict {
		return DocumentView{}, slugTaken(op, err)
	}
	if err != nil {
		return DocumentView{}, fmt.Errorf("%s %s: %w", op, in.Slug, err)
	}
	if first != nil {
		if c.hooks.Committed != nil {
			c.hooks.Committed(*first)
		}
		// Answer with the row as stored.
		if head, err := c.store.Head(ctx, d.ID); err == nil {
			first = &head
		}
	}
	return DocumentView{Document: d, Head: first}, nil
}

func slugTaken(op string, err error) error {
	return &Error{Kind: KindConflict, Reason: ReasonSlugTaken, Op: op, Message: "a document with this slug exists",
		Details: map[string]any{"field": "slug"}, Err: err}
}

// Get returns a document with its head.
func (s *Documents) Get(ctx context.Context, actor *User, slug string) (DocumentView, error) {
	const op = "get document"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return DocumentView{}, err
	}
	v := DocumentView{Document: d}
	head, err := s.c.store.Head(ctx, d.ID)
	switch {
	case err == nil:
		v.Head = &head
	case ErrorKind(err) != KindNotFound:
		return DocumentView{}, fmt.Errorf("%s %s: read head: %w", op, slug, err)
	}
	return v, nil
}

// List returns the documents the actor may see.
func (s *Documents) List(ctx context.Context, actor *User) ([]Document, error) {
	const op = "list documents"
	if actor == nil {
		return nil, Refuse(op, ReasonSignIn, "sign in first")
	}
	ds, err := s.c.store.ListDocuments(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := s.c.syncPolicy(ctx, op); err != nil {
		return nil, err
	}
	visible := ds[:0]
	for _, d := range ds {
		if s.c.authorize(op, actor, d.ID, ObjDocument, ActRead) == nil {
			visible = append(visible, d)
		}
	}
	return visible, nil
}

// Commit makes text the next revision of the document, provided the
// procedure allows a commit now (not on a document adopted as a whole) and
// base is the current head number (0 for a document without revisions). A
// stale base is a conflict (stale_base) whose details carry the current
// head. A negative base or a nil text means the caller gave none.
func (s *Documents) Commit(ctx context.Context, actor *User, slug string, base int64, text []byte, message string) (Revision, error) {
	const op = "commit revision"
	c := s.c
	d, err := c.stepDocument(ctx, op, actor, slug, ActionCommit)
	if err != nil {
		return Revision{}, err
	}
	if base < 0 {
		return Revision{}, missing(op, "base")
	}
	if text == nil {
		return Revision{}, missing(op, "text")
	}
	if blank(text) {
		return Revision{}, Refuse(op, ReasonEmptyText, "a revision needs a text: an empty one would delete everything").With("field", "text")
	}
	msg, err := cleanMessage(op, "message", message, 2000)
	if err != nil {
		return Revision{}, err
	}
	// Refuse a stale base before writing anything; the unit of work checks
	// again, since the head can move between here and there.
	if err := c.readDocument(ctx, op, d, func(r DocumentReader) error {
		return c.ruleCommit(ctx, op, actor, r, base)
	}); err != nil {
		return Revision{}, err
	}
	norm, sum, err := c.storeText(ctx, op, d.ID, text)
	if err != nil {
		return Revision{}, err
	}
	var stored Revision
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		if err := c.ruleCommit(ctx, op, actor, tx, base); err != nil {
			return err
		}
		now := c.clock()
		r := Revision{DocumentID: d.ID, Number: base + 1, Parent: base, AuthorID: actor.ID, Message: msg,
			SHA256: sum, Size: int64(len(norm)), CreatedAt: now}
		var err error
		if stored, err = tx.InsertRevision(ctx, r); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("revision.commit", actor, d.ID, now,
			map[string]string{"number": itoa(r.Number), "sha256": sum, "size": itoa(r.Size)}))
		return err
	})
	if err != nil {
		return Revision{}, err
	}
	if c.hooks.Committed != nil {
		c.hooks.Committed(stored)
	}
	c.warmDiff(d.ID, base, stored)
	return stored, nil
}

// ruleCommit: the procedure allows actor a commit now, on base, the head.
func (c *core) ruleCommit(ctx context.Context, op string, actor *User, r DocumentReader, base int64) error {
	if err := c.checkStep(op, actor, r.Document(), ActionCommit); err != nil {
		return err
	}
	head, err := headNumber(ctx, r)
	if err != nil {
		return err
	}
	if head != base {
		return staleBase(op, head)
	}
	return nil
}

func staleBase(op string, head int64) error {
	return Refuse(op, ReasonStaleBase, "the draft has moved on: base is not the current head").With("head", head)
}

// headNumber is the number of the head, 0 for a document without revisions.
func headNumber(ctx context.Context, r DocumentReader) (int64, error) {
	h, err := r.Head(ctx)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return 0, nil
		}
		return 0, fmt.Errorf("read head: %w", err)
	}
	return h.Number, nil
}

// Revision returns revision n of a document.
func (s *Documents) Revision(ctx context.Context, actor *User, slug string, n int64) (Revision, error) {
	const op = "get revision"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Revision{}, err
	}
	return s.c.revision(ctx, op, d, n)
}

func (c *core) revision(ctx context.Context, op string, d Document, n int64) (Revision, error) {
	if n < 1 {
		return Revision{}, notFound(op, "revision", nil)
	}
	r, err := c.store.Revision(ctx, d.ID, n)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return Revision{}, notFound(op, "revision", err)
		}
		return Revision{}, fmt.Errorf("%s %s/%d: %w", op, d.Slug, n, err)
	}
	return r, nil
}

// Revisions lists up to limit revisions newest first, numbered below before
// (all when before <= 0). limit is clamped to 1..500 (50 when zero).
func (s *Documents) Revisions(ctx context.Context, actor *User, slug string, limit int, before int64) ([]Revision, error) {
	const op = "list revisions"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return nil, err
	}
	if limit < 0 || before < 0 {
		return nil, Refuse(op, ReasonOutOfRange, "limit and before must not be negative")
	}
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, 500)
	rs, err := s.c.store.ListRevisions(ctx, d.ID, limit, before)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return rs, nil
}

// Text returns revision n of a document with its text, verified against the
// revision's SHA-256.
func (s *Documents) Text(ctx context.Context, actor *User, slug string, n int64) (Revision, []byte, error) {
	const op = "read text"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Revision{}, nil, err
	}
	r, err := s.c.revision(ctx, op, d, n)
	if err != nil {
		return Revision{}, nil, err
	}
	b, err := s.c.readText(ctx, r)
	if err != nil {
		return Revision{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, n, err)
	}
	return r, b, nil
}

// Events returns a document's audit log for those who may read it.
func (s *Documents) Events(ctx context.Context, actor *User, slug string, after int64, limit int) ([]Event, error) {
	const op = "read audit log"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjAudit, ActRead)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	es, err := s.c.store.Events(ctx, d.ID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return es, nil
}

// LatestEvents returns the document's newest limit (at most 1000) audit
// events, oldest first: what the audit log page shows.
func (s *Documents) LatestEvents(ctx context.Context, actor *User, slug string, limit int) ([]Event, error) {
	const op = "read audit log"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjAudit, ActRead)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	es, err := s.c.store.LatestEvents(ctx, d.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	return es, nil
}

// Reopen lets an administrator reopen a document adopted as a whole, with a
// reason: the reopening is recorded, shown on the public page, and the
// document goes back to basis, so that amendments are possible again and a
// later adoption as a whole supersedes the earlier one.
func (s *Documents) Reopen(ctx context.Context, actor *User, slug, reason string) (Reopening, error) {
	const op = "reopen document"
	c := s.c
	d, err := c.documentFor(ctx, op, actor, slug, ObjDocument, ActRead)
	if err != nil {
		return Reopening{}, err
	}
	if err := c.checkStep(op, actor, d, ActionReopen); err != nil {
		return Reopening{}, err
	}
	reason, err = cleanReason(op, "reason", reason, 2000)
	if err != nil {
		return Reopening{}, err
	}
	if reason == "" {
		return Reopening{}, missing(op, "reason")
	}
	var out Reopening
	err = c.inDocument(ctx, op, d, func(tx DocumentTx) error {
		d := tx.Document()
		if err := c.checkStep(op, actor, d, ActionReopen); err != nil {
			return err
		}
		as, err := tx.Adoptions(ctx)
		if err != nil {
			return err
		}
		final := lastFinal(as)
		if final == nil {
			// A final state with no final adoption is a broken store; never
			// reopen what was not closed by an adoption.
			return E(KindInternal, op, "the document is final but has no final adoption")
		}
		now := c.clock()
		if out, err = tx.InsertReopening(ctx, Reopening{DocumentID: d.ID, Adoption: final.ID, Reason: reason,
			ActorID: actor.ID, ActorLogin: actor.Login, At: now}); err != nil {
			return err
		}
		next := Next(d.State, ActionReopen)
		if err := tx.SetState(ctx, next); err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, NewEvent("document.reopen", actor, d.ID, now, map[string]string{
			"reason": reason, "adoption": itoa(final.ID), "revision": itoa(final.Revision), "state": string(next)}))
		return err
	})
	if err != nil {
		return Reopening{}, err
	}
	return out, nil
}

// lastFinal is the newest adoption as a whole, nil when there is none.
func lastFinal(as []Adoption) *Adoption {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Stage == StageFinal {
			return &as[i]
		}
	}
	return nil
}
