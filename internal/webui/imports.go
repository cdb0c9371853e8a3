package webui

import (
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/convert"
	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// An administrator uploads a .docx or .odt on the documents page, a chair on
// the edit page; either way the page that follows shows the text as Redline
// will store it, editable, with what it does not carry (pictures,
// footnotes …) and, for a new revision, its changes against the current
// text, above the usual form: creating or committing is the usual step,
// taken only once the text was reviewed. Nothing is stored on upload.

// multipartSlack is what a multipart body may carry besides its file.
const multipartSlack = 64 << 10

// importData is the review page of an imported file.
type importData struct {
	Import  *convert.Import
	Ignored []ignoredRow
	New     bool         // a new document: the creation form
	Create  documentForm // its fields
	Commit  editForm     // otherwise the commit form, on the head seen now
	Redline *redline     // the changes against the head (nil without one)
	KB      string       // the file's size in kilobytes
}

// ignoredRow is one kind of content the text does not carry.
type ignoredRow struct {
	Kind       string
	Count      int
	Paragraphs string // "3, 7, 12" (at most the first 20), "" when not tied to paragraphs
}

func ignoredRows(ig []office.Ignored) []ignoredRow {
	out := make([]ignoredRow, 0, len(ig))
	for _, x := range ig {
		var ps []string
		for _, n := range x.Paragraphs {
			if n > 0 {
				ps = append(ps, strconv.Itoa(n))
			}
		}
		out = append(out, ignoredRow{Kind: x.Kind, Count: x.Count, Paragraphs: strings.Join(ps, ", ")})
	}
	return out
}

// readImport reads the uploaded file of a request after Prepare allowed it.
func (u *UI) readImport(c *gin.Context, t drafting.ImportTarget) (*convert.Import, error) {
	max := u.files.MaxUploadBytes()
	file, name, err := shell.Upload(c, "file", max+multipartSlack, convert.FileTooLarge(max))
	if err != nil {
		return nil, err
	}
	return u.files.Import(c.Request.Context(), t, file, name, c.Request.ContentLength)
}

// importRefused reports whether err refuses the file itself (shown next to
// the file field) rather than the caller or the service.
func importRefused(err error) bool {
	return shownOnForm(err) || drafting.ErrorKind(err) == drafting.KindUnsupported
}

// handleImportNew is an administrator's upload of a new document's text.
func (u *UI) handleImportNew(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	t, err := u.files.Prepare(ctx, actor, "")
	if err != nil {
		u.fail(c, err)
		return
	}
	im, err := u.readImport(c, t)
	if err != nil {
		if importRefused(err) {
			tr := u.langs[pickLanguage(c.Request)]
			u.showDocuments(c, shell.Status(err), map[string]string{"file": tr.Reason(err)}, documentForm{Approvals: 1})
			return
		}
		u.fail(c, err)
		return
	}
	title := im.Title
	if title == "" {
		title = strings.TrimSuffix(im.FileName, path.Ext(im.FileName))
	}
	d := importData{Import: im, New: true, Create: documentForm{Slug: slugFrom(im.FileName), Title: title, Text: im.Text, Approvals: 1}}
	u.showImport(c, nil, d)
}

// translit writes Russian letters in Latin ones, as slugs are written.
var translit = map[rune]string{'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "yu", 'я': "ya"}

// slugFrom suggests a slug from a file's name: its letters (Russian ones
// transliterated) and digits, lower-cased, other runs as one hyphen; ""
// when nothing is left.
func slugFrom(name string) string {
	name = strings.ToLower(strings.TrimSuffix(name, path.Ext(name)))
	var b strings.Builder
	dash := false
	for _, r := range name {
		t, ok := translit[r]
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			t, ok = string(r), true
		case !ok:
			dash = true
			continue
		}
		if t == "" {
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(t)
		dash = false
		if b.Len() >= 60 {
			break
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if drafting.ValidSlug(s) {
		return s
	}
	return ""
}

// handleImportRevision is a chair's upload of the next revision's text.
func (u *UI) handleImportRevision(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	t, err := u.files.Prepare(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	var head []byte
	if t.Head > 0 {
		if _, head, err = u.svc.Documents.Text(ctx, actor, slug, t.Head); err != nil {
			u.fail(c, err)
			return
		}
	}
	tr := u.langs[pickLanguage(c.Request)]
	im, err := u.readImport(c, t)
	if err != nil {
		if importRefused(err) {
			u.showEditForm(c, shell.Status(err), dv, editData{Form: editForm{Base: t.Head, Text: string(head)}},
				map[string]string{"file": tr.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	d := importData{Import: im, Commit: editForm{Base: t.Head, Text: im.Text,
		Message: tr.T("import.message", "File", im.FileName)}}
	if t.Head > 0 {
		d.Redline = newRedline(textdiff.Diff(string(head), im.Text, textdiff.Options{Mode: textdiff.ModeWord}))
	}
	p := u.newPage(c, dv.Title)
	p.Doc = u.tabs(ctx, actor, dv, "text")
	u.showImportPage(c, p, d)
}

func (u *UI) showImport(c *gin.Context, errs map[string]string, d importData) {
	p := u.newPage(c, "")
	for k, v := range errs {
		p.Errors[k] = v
	}
	u.showImportPage(c, p, d)
}

func (u *UI) showImportPage(c *gin.Context, p *page, d importData) {
	if p.Title == "" {
		p.Title = p.T("import.title")
	}
	p.Section = "documents"
	d.Ignored = ignoredRows(d.Import.Ignored)
	d.KB = p.Num(max((d.Import.Size+1023)/1024, 1))
	p.Data = d
	u.render(c, http.StatusOK, "import", p)
}
