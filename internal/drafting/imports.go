package drafting

import (
	"context"
	"fmt"
)

// ImportTarget is what a file imported into a document will become once its
// text is reviewed: a new document (Create with the text), or the next
// revision of an existing one (Commit on Head).
type ImportTarget struct {
	Slug string
	// Exists says the document exists: the text becomes its next revision.
	Exists bool
	// Document is the existing document (zero when it does not exist).
	Document Document
	// Head is the number of the existing document's head, the base to
	// commit on (0 when it has no revision yet, or does not exist).
	Head int64
}

// PrepareImport checks, before a file is read, that actor may import one
// into the document slug: into an existing document as whoever may commit
// to it now (a chair, not on a document adopted as a whole), into a new one
// as whoever may create documents (an administrator). Nothing is written:
// the imported text is reviewed first, then goes through Create or Commit
// like any other text. An empty slug is a new document whose slug is
// chosen on review.
func (s *Documents) PrepareImport(ctx context.Context, actor *User, slug string) (ImportTarget, error) {
	const op = "import file"
	c := s.c
	if actor == nil {
		return ImportTarget{}, Refuse(op, ReasonSignIn, "sign in first")
	}
	if slug == "" {
		if err := c.authorizeFor(op, actor, "", ObjDocument, ActCreate, ReasonNotAnAdmin); err != nil {
			return ImportTarget{}, err
		}
		return ImportTarget{}, nil
	}
	if !ValidSlug(slug) {
		if err := c.authorizeFor(op, actor, "", ObjDocument, ActCreate, ReasonNotAnAdmin); err != nil {
			return ImportTarget{}, err
		}
		return ImportTarget{}, Refuse(op, ReasonInvalidSlug, "slug must match ^[a-z0-9][a-z0-9-]{0,62}$").With("field", "slug")
	}
	d, err := c.store.DocumentBySlug(ctx, slug)
	switch {
	case ErrorKind(err) == KindNotFound:
		if err := c.authorizeFor(op, actor, "", ObjDocument, ActCreate, ReasonNotAnAdmin); err != nil {
			return ImportTarget{}, err
		}
		return ImportTarget{Slug: slug}, nil
	case err != nil:
		return ImportTarget{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if d, err = c.stepDocument(ctx, op, actor, slug, ActionCommit); err != nil {
		return ImportTarget{}, err
	}
	t := ImportTarget{Slug: slug, Exists: true, Document: d}
	if err := c.readDocument(ctx, op, d, func(r DocumentReader) error {
		var err error
		t.Head, err = headNumber(ctx, r)
		return err
	}); err != nil {
		return ImportTarget{}, err
	}
	return t, nil
}
