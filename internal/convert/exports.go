package convert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"time"

	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/textdiff"
)

// exportVersion changes whenever the files written for the same text
// change, so that no client keeps a stale file under a strong entity tag
// (the build's VCS revision, when known, is part of the tag too).
const exportVersion = "1"

// File is an exported file. Its name, type and entity tag are known before
// anything is rendered, so that a revalidation is answered without work;
// Bytes renders it, or takes it from the cache.
type File struct {
	// Name is the download's file name: "<slug>-r<n>-<sha12>.<ext>", or
	// "<slug>-r<from>-r<to>-<sha12>-diff.<ext>" for a redline.
	Name string
	// ContentType is the format's media type.
	ContentType string
	// ETag is the strong entity tag, unquoted: a digest of everything the
	// bytes depend on (the text's hash, the document's title and language,
	// the revision's author and date, the stage and public address of an
	// adopted text, the format, the writers' version).
	ETag string
	// Modified is when the revision was made or the text adopted.
	Modified time.Time
	// SHA256 is the hex SHA-256 of the text exported (the later text of a
	// redline).
	SHA256 string
	// Degraded is set by Bytes when a redline's paragraphs were too large
	// for the diff engine's budget and are shown more coarsely: the bytes
	// may then differ on a quieter moment, so no entity tag is sent.
	Degraded bool

	render func(ctx context.Context, w io.Writer) (degraded bool, err error)
	files  *Files
}

// Bytes renders the file (within MaxOutputBytes; output_too_large beyond),
// or returns it from the cache.
func (x *File) Bytes(ctx context.Context) ([]byte, error) {
	const op = "export file"
	if b, ok := x.files.cache.get(x.ETag); ok {
		return b, nil
	}
	done, err := turn(ctx, x.files.exports, "export")
	if err != nil {
		return nil, err
	}
	defer done()
	var buf bytes.Buffer
	degraded, err := x.render(ctx, office.LimitWriter(&buf, x.files.maxOutput))
	if err != nil {
		var oe *office.Error
		if errors.As(err, &oe) {
			return nil, refusal(op, err)
		}
		return nil, err
	}
	x.Degraded = degraded
	if !degraded {
		x.files.cache.put(x.ETag, buf.Bytes())
	}
	return buf.Bytes(), nil
}

// write renders text or a redline in format f.
func write(w io.Writer, f office.Format, text string, r *textdiff.Result, m office.RedlineMeta) error {
	switch {
	case r != nil && f == office.FormatDOCX:
		return office.WriteRedlineDOCX(w, r, m)
	case r != nil && f == office.FormatPDF:
		return office.WriteRedlinePDF(w, r, m)
	case f == office.FormatDOCX:
		return office.WriteDOCX(w, text, m.Meta)
	case f == office.FormatODT:
		return office.WriteODT(w, text, m.Meta)
	case f == office.FormatPDF:
		return office.WritePDF(w, text, m.Meta)
	}
	return drafting.E(drafting.KindNotFound, "export file", "no such format")
}

// Revision is revision n of a document as f, for whoever may read it.
func (f *Files) Revision(ctx context.Context, actor *drafting.User, slug string, n int64, format office.Format) (*File, error) {
	dv, err := f.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	r, err := f.svc.Documents.Revision(ctx, actor, slug, n)
	if err != nil {
		return nil, err
	}
	m := office.RedlineMeta{Meta: office.Meta{Title: dv.Title, Slug: slug, Revision: int(r.Number), SHA256: r.SHA256,
		Author: r.AuthorLogin, Date: r.CreatedAt, Language: dv.Language}}
	x := f.file("revision", format, office.FileName(slug, int(r.Number), r.SHA256, format), m, "")
	x.Modified, x.SHA256 = r.CreatedAt, r.SHA256
	x.render = func(ctx context.Context, w io.Writer) (bool, error) {
		_, text, err := f.svc.Documents.Text(ctx, actor, slug, n)
		if err != nil {
			return false, err
		}
		return false, write(w, format, string(text), nil, m)
	}
	return x, nil
}

// Diff is the redline from revision from to revision to (by word, as the
// pages show it) as .docx with tracked changes by the later revision's
// author at its date, or as .pdf, for whoever may read the revisions.
func (f *Files) Diff(ctx context.Context, actor *drafting.User, slug string, from, to int64, format office.Format) (*File, error) {
	dv, err := f.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if format != office.FormatDOCX && format != office.FormatPDF {
		return nil, drafting.Refuse("export redline", drafting.ReasonNotFound, "a redline is exported as .docx or .pdf")
	}
	a, b, err := f.svc.Documents.DiffRevisions(ctx, actor, slug, from, to)
	if err != nil {
		return nil, err
	}
	m := office.RedlineMeta{Meta: office.Meta{Title: dv.Title, Slug: slug, Revision: int(b.Number), SHA256: b.SHA256,
		Author: b.AuthorLogin, Date: b.CreatedAt, Language: dv.Language}, From: int(a.Number)}
	x := f.file("redline", format, office.DiffFileName(slug, int(a.Number), int(b.Number), b.SHA256, format), m, a.SHA256)
	x.Modified, x.SHA256 = b.CreatedAt, b.SHA256
	x.render = func(ctx context.Context, w io.Writer) (bool, error) {
		v, err := f.svc.Documents.Diff(ctx, actor, slug, from, to, textdiff.ModeWord)
		if err != nil {
			return false, err
		}
		return v.Result.Degraded, write(w, format, "", v.Result, m)
	}
	return x, nil
}

// Adopted is the adopted text of revision n (its latest adoption) as f, for
// anyone: its first page names the stage, the date of adoption, the
// revision, the SHA-256 and the public page at base (REDLINE_BASE_URL).
func (f *Files) Adopted(ctx context.Context, actor *drafting.User, slug string, n int64, format office.Format, base string) (*File, error) {
	pub, err := f.svc.Adoptions.Public(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	var a *drafting.Adoption
	for i := range pub.Adoptions {
		if pub.Adoptions[i].Revision == n {
			a = &pub.Adoptions[i] // the latest adoption of n
		}
	}
	if a == nil {
		return nil, drafting.Refuse("export adopted text", drafting.ReasonNotAdopted, "revision "+strconv.FormatInt(n, 10)+" was not adopted")
	}
	m := office.RedlineMeta{Meta: office.Meta{Title: pub.Document.Title, Slug: slug, Revision: int(a.Revision), SHA256: a.SHA256,
		Date: a.CreatedAt, Language: pub.Document.Language, Stage: a.Stage, URL: base + "/public/" + slug}}
	x := f.file("adopted", format, office.FileName(slug, int(a.Revision), a.SHA256, format), m, "")
	x.Modified, x.SHA256 = a.CreatedAt, a.SHA256
	x.render = func(ctx context.Context, w io.Writer) (bool, error) {
		got, text, err := f.svc.Adoptions.AdoptedText(ctx, actor, slug, n)
		if err != nil {
			return false, err
		}
		if got.ID != a.ID {
			// Adopted again between the two reads: the tag would lie.
			return false, drafting.E(drafting.KindConflict, "export adopted text", "the text was adopted again meanwhile; ask again")
		}
		return false, write(w, format, string(text), nil, m)
	}
	return x, nil
}

// file is a File of kind in format, with the entity tag of everything the
// bytes depend on.
func (f *Files) file(kind string, format office.Format, name string, m office.RedlineMeta, fromSHA string) *File {
	h := sha256.New()
	for _, s := range []string{"redline-export", exportVersion, build, kind, string(format), m.Slug, m.Title, m.Language,
		strconv.Itoa(m.Revision), m.SHA256, m.Author, m.Date.UTC().Format(time.RFC3339Nano), m.Stage, m.URL,
		strconv.Itoa(m.From), fromSHA} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return &File{Name: name, ContentType: office.ContentType(format), ETag: hex.EncodeToString(h.Sum(nil))[:40], files: f}
}
