package drafting

import (
	"context"
	"fmt"

	"redline/internal/textdiff"
)

// PublicDocument is what anyone may read of a document: its adoptions and
// reopenings.
type PublicDocument struct {
	Document   Document
	Current    Adoption    // the newest adoption
	Adoptions  []Adoption  // oldest first
	Reopenings []Reopening // oldest first
	// Amended is the reopening made after the newest adoption as a whole,
	// when the document was reopened and not adopted as a whole since: the
	// public page says the text is being amended after its final adoption,
	// and why. Nil otherwise.
	Amended *Reopening
	// Statements are the signed adoption statements, by number (issue 16).
	Statements []AdoptionStatement
}

// Public returns a document's adopted state for anyone, signed in or not. A
// document with no adoption is not found (not_adopted), so nothing about
// drafts leaks.
func (s *Adoptions) Public(ctx context.Context, actor *User, slug string) (PublicDocument, error) {
	const op = "read adopted text"
	c := s.c
	notAdopted := Refuse(op, ReasonNotAdopted, "no adopted text under this name")
	d, err := c.document(ctx, op, slug)
	if err != nil {
		if ErrorKind(err) == KindNotFound {
			return PublicDocument{}, notAdopted
		}
		return PublicDocument{}, err
	}
	if err := c.authorize(op, actor, d.ID, ObjAdopted, ActRead); err != nil {
		return PublicDocument{}, err
	}
	as, err := c.store.Adoptions(ctx, d.ID)
	if err != nil {
		return PublicDocument{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	if len(as) == 0 {
		return PublicDocument{}, notAdopted
	}
	rs, err := c.store.Reopenings(ctx, d.ID)
	if err != nil {
		return PublicDocument{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	sts, err := c.store.Statements(ctx, d.ID)
	if err != nil {
		return PublicDocument{}, fmt.Errorf("%s %s: %w", op, slug, err)
	}
	pub := PublicDocument{Document: d, Current: as[len(as)-1], Adoptions: as, Reopenings: rs, Statements: sts}
	if final := lastFinal(as); final != nil && len(rs) > 0 && rs[len(rs)-1].Adoption == final.ID && d.State != StateFinal {
		r := rs[len(rs)-1]
		pub.Amended = &r
	}
	return pub, nil
}

// AdoptedText returns the text of an adopted revision n (0: the current
// adoption) for anyone, read from the archive when the copy is made, and
// verified against its hash either way.
func (s *Adoptions) AdoptedText(ctx context.Context, actor *User, slug string, n int64) (Adoption, []byte, error) {
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
			return Adoption{}, nil, Refuse(op, ReasonNotAdopted, "revision "+itoa(n)+" was not adopted")
		}
	}
	text, err := s.c.adoptedBytes(ctx, a)
	if err != nil {
		return Adoption{}, nil, fmt.Errorf("%s %s/%d: %w", op, slug, a.Revision, err)
	}
	return a, text, nil
}

// adoptedBytes reads an adopted text from the archive once its copy is
// made, from the drafts before, verified either way.
func (c *core) adoptedBytes(ctx context.Context, a Adoption) ([]byte, error) {
	if a.ArchivedAt.IsZero() {
		return c.readBlob(ctx, a.DocumentID, a.SHA256)
	}
	b, err := c.blobs.GetArchive(ctx, ArchiveKey(a.DocumentID, a.SHA256))
	if err != nil {
		return nil, err
	}
	if !hashMatches(b, a.SHA256) {
		return nil, Wrap(KindInternal, "read adopted text", "the archived text is corrupt", ErrCorrupt)
	}
	return b, nil
}

// PublicDiff is the redline between two adopted revisions, for anyone.
func (s *Adoptions) PublicDiff(ctx context.Context, actor *User, slug string, from, to int64, mode textdiff.Mode) (DiffView, error) {
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
		return DiffView{}, Refuse(op, ReasonNotAdopted, "both revisions must have been adopted")
	}
	r, err := s.c.diffHashes(ctx, pub.Document.ID, a.SHA256, b.SHA256, mode)
	if err != nil {
		return DiffView{}, err
	}
	return DiffView{From: Revision{DocumentID: a.DocumentID, Number: a.Revision, SHA256: a.SHA256, Size: a.Size},
		To: Revision{DocumentID: b.DocumentID, Number: b.Revision, SHA256: b.SHA256, Size: b.Size}, Result: r}, nil
}
