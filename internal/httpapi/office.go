package httpapi

import (
	"bytes"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/convert"
	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/shell"
)

// multipartSlack is what a multipart body may carry besides its file: the
// boundaries and the part's headers.
const multipartSlack = 64 << 10

// importJSON is an imported file's text for review. Nothing is stored: the
// text (edited or not) becomes a document with POST /documents, or, when
// exists, the next revision with POST /documents/{slug}/revisions on base.
type importJSON struct {
	Slug       string           `json:"slug"`
	Exists     bool             `json:"exists"`
	Base       int64            `json:"base"`
	FileName   string           `json:"file_name"`
	Size       int64            `json:"size"`
	Format     string           `json:"format"`
	Title      string           `json:"title"`
	Text       string           `json:"text"`
	SHA256     string           `json:"sha256"`
	Paragraphs int              `json:"paragraphs"`
	Ignored    []office.Ignored `json:"ignored"`
}

// handleImport reads an uploaded .docx or .odt (multipart/form-data, field
// "file") and answers its text for review. Who may not import here is
// refused before the body is read; a body whose declared length is over the
// cap is refused without reading it, any other once the cap is reached.
func (s *Server) handleImport(c *gin.Context) {
	ctx := c.Request.Context()
	t, err := s.files.Prepare(ctx, actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	max := s.files.MaxUploadBytes()
	file, name, err := shell.Upload(c, "file", max+multipartSlack, convert.FileTooLarge(max))
	if err != nil {
		s.respondError(c, err)
		return
	}
	im, err := s.files.Import(ctx, t, file, name, c.Request.ContentLength)
	if err != nil {
		s.respondError(c, err)
		return
	}
	ignored := im.Ignored
	if ignored == nil {
		ignored = []office.Ignored{}
	}
	c.JSON(http.StatusOK, importJSON{Slug: t.Slug, Exists: t.Exists, Base: t.Head, FileName: im.FileName, Size: im.Size,
		Format: string(im.Format), Title: im.Title, Text: im.Text, SHA256: im.SHA256, Paragraphs: im.Paragraphs,
		Ignored: ignored})
}

// exportFormat is the format a download route ends in (".docx" …).
func exportFormat(c *gin.Context) office.Format {
	f, _ := office.ParseFormat(path.Ext(c.FullPath()))
	return f
}

func (s *Server) handleRevisionExport(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		if aerr := s.svc.Authorize(c.Request.Context(), actor(c), c.Param("slug"), drafting.ObjRevision, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	x, err := s.files.Revision(c.Request.Context(), actor(c), c.Param("slug"), n, exportFormat(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.serveFile(c, x)
}

func (s *Server) handleDiffExport(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	from, to, err := fromTo(c)
	if err != nil {
		// Whoever may not read the document hears that first.
		if aerr := s.svc.Authorize(ctx, actor(c), slug, drafting.ObjRevision, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	x, err := s.files.Diff(ctx, actor(c), slug, from, to, exportFormat(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.serveFile(c, x)
}

// fromTo reads the two revision numbers of a redline.
func fromTo(c *gin.Context) (from, to int64, err error) {
	fq, tq := c.Query("from"), c.Query("to")
	if fq == "" || tq == "" {
		return 0, 0, invalid("from and to are required: two revision numbers")
	}
	if from, err = intParam("from", fq); err != nil {
		return 0, 0, err
	}
	if to, err = intParam("to", tq); err != nil {
		return 0, 0, err
	}
	return from, to, nil
}

// publicExport is the office format of a public download's file name
// ("4.pdf"), with its revision number; ok is false for other names.
func publicExport(file string) (n int64, f office.Format, ok bool) {
	num, ext, found := strings.Cut(file, ".")
	if !found {
		return 0, "", false
	}
	if f, ok = office.ParseFormat(ext); !ok {
		return 0, "", false
	}
	n, err := intParam("revision number", num)
	if err != nil || n < 1 {
		return 0, "", false
	}
	return n, f, true
}

// handlePublicExport serves an adopted revision as an office file, to
// anyone.
func (s *Server) handlePublicExport(c *gin.Context, n int64, f office.Format) {
	x, err := s.files.Adopted(c.Request.Context(), actor(c), c.Param("slug"), n, f, s.sh.BaseURL(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	// An adopted text's export is never degraded (only redlines are).
	publicCache(c, publicRevalidated)
	s.serveFile(c, x)
}

// serveFile answers with an exported file as an attachment: 304 when the
// client holds its entity tag (nothing is rendered then), else the bytes,
// with Range and HEAD answered by net/http.
func (s *Server) serveFile(c *gin.Context, x *convert.File) {
	if x.ETag != "" && etagMatch(c.GetHeader("If-None-Match"), x.ETag) {
		c.Header("ETag", `"`+x.ETag+`"`)
		c.Status(http.StatusNotModified)
		return
	}
	body, err := x.Bytes(c.Request.Context())
	if err != nil {
		s.respondError(c, err)
		return
	}
	h := c.Writer.Header()
	if !x.Degraded {
		h.Set("ETag", `"`+x.ETag+`"`)
	}
	h.Set("Content-Type", x.ContentType)
	h.Set("X-Content-SHA256", x.SHA256)
	h.Set("Content-Disposition", "attachment; filename=\""+x.Name+"\"; filename*=UTF-8''"+url.PathEscape(x.Name))
	http.ServeContent(c.Writer, c.Request, "", x.Modified, bytes.NewReader(body))
}
