package drafting

// issue 14: one way to name a place in the text.

import (
	"context"
	"fmt"
	"sort"
	"unicode/utf8"

	"redline/internal/outline"
	"redline/internal/textdiff"
)

// Outline is a text's paragraphs with their labels, as people of the
// document's language read them.
type Outline struct {
	Language   string
	Paragraphs []outline.Paragraph
}

// NewOutline parses text, labelled in lang.
func NewOutline(text, lang string) Outline {
	return Outline{Language: LabelLanguage(lang), Paragraphs: outline.Parse(text)}
}

// LabelLanguage is the language labels are written in: Russian for a
// Russian document, English for any other.
func LabelLanguage(lang string) string {
	if lang == "ru" || len(lang) > 3 && lang[:3] == "ru-" {
		return "ru"
	}
	return "en"
}

// Label is paragraph i's label ("пункт 11"), "" when there is no such
// paragraph.
func (o Outline) Label(i int) string {
	if i < 0 || i >= len(o.Paragraphs) {
		return ""
	}
	return o.Paragraphs[i].Label.Format(o.Language)
}

// Ref names paragraph i by its key and its label.
func (o Outline) Ref(i int) ItemRef {
	if i < 0 || i >= len(o.Paragraphs) {
		return ItemRef{}
	}
	l := o.Paragraphs[i].Label
	return ItemRef{Key: l.Key(), Label: l.Format(o.Language)}
}

// Find returns the index of the paragraph whose label's key is key, or -1.
func (o Outline) Find(key string) int {
	for i, p := range o.Paragraphs {
		if p.Label.Key() == key {
			return i
		}
	}
	return -1
}

// RevisionOutline returns revision n's paragraphs and labels.
func (s *Documents) RevisionOutline(ctx context.Context, actor *User, slug string, n int64) (Outline, error) {
	const op = "outline revision"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Outline{}, err
	}
	r, err := s.c.revision(ctx, op, d, n)
	if err != nil {
		return Outline{}, err
	}
	text, err := s.c.readText(ctx, r)
	if err != nil {
		return Outline{}, fmt.Errorf("%s: %w", op, err)
	}
	return NewOutline(string(text), d.Language), nil
}

// DiffOutlines returns the outlines of a redline's two texts, labelled in
// the document's language. The view is one the caller was given by Diff or
// PublicDiff for the document slug, so the reading was authorized then.
func (s *Documents) DiffOutlines(ctx context.Context, slug string, v DiffView) (Outline, Outline, error) {
	const op = "outline redline"
	d, err := s.c.store.DocumentBySlug(ctx, slug)
	if err != nil {
		return Outline{}, Outline{}, fmt.Errorf("%s: %w", op, err)
	}
	lang := d.Language
	a, err := s.c.readBlob(ctx, v.From.DocumentID, v.From.SHA256)
	if err != nil {
		return Outline{}, Outline{}, fmt.Errorf("%s: %w", op, err)
	}
	b, err := s.c.readBlob(ctx, v.To.DocumentID, v.To.SHA256)
	if err != nil {
		return Outline{}, Outline{}, fmt.Errorf("%s: %w", op, err)
	}
	return NewOutline(string(a), lang), NewOutline(string(b), lang), nil
}

// ChangedItems names the paragraphs a redline changes, inserts, deletes or
// moves, in its order, by their labels (the new text's where the paragraph
// has a new side); renumbering alone is not a change.
func ChangedItems(r *textdiff.Result, from, to Outline) []ItemRef {
	var out []ItemRef
	seen := map[string]bool{}
	for _, p := range r.Paragraphs {
		var ref ItemRef
		switch p.Kind {
		case textdiff.KindEqual, textdiff.KindRenumbered:
			continue
		case textdiff.KindDeleted, textdiff.KindMovedFrom:
			ref = from.Ref(p.OldIndex)
		default:
			ref = to.Ref(p.NewIndex)
		}
		if ref.Key != "" && !seen[ref.Key] {
			seen[ref.Key] = true
			out = append(out, ref)
		}
	}
	return out
}

// LabelAt is the label of the paragraph of text (the outline's) holding the
// code point at offset cp, or of the paragraph before it when cp falls
// between paragraphs; "" for an empty text.
func (o Outline) LabelAt(text string, cp int) string { return o.RefAt(text, cp).Label }

// RefAt is LabelAt's paragraph named by its key and label.
func (o Outline) RefAt(text string, cp int) ItemRef {
	b := 0
	for n := 0; n < cp && b < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[b:])
		b += size
	}
	i := sort.Search(len(o.Paragraphs), func(i int) bool { return o.Paragraphs[i].Start > b }) - 1
	return o.Ref(max(i, 0))
}
