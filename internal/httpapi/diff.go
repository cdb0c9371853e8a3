package httpapi

import (
	"bytes"
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/textdiff"
)

var diffContentTypes = map[textdiff.Format]string{
	textdiff.FormatJSON:     "application/json; charset=utf-8",
	textdiff.FormatHTML:     "text/html; charset=utf-8",
	textdiff.FormatHTMLSide: "text/html; charset=utf-8",
	textdiff.FormatUnified:  "text/plain; charset=utf-8",
}

// handleDiff answers the redline between any two revisions. Both are
// immutable, so the response is too: a strong ETag from the two hashes, the
// mode and the format, and 304 without computing anything.
func (s *Server) handleDiff(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	from, to, mode, format, err := diffParams(c)
	if err != nil {
		// Whoever may not read the document hears that first.
		if aerr := s.svc.Authorize(ctx, actor(c), slug, drafting.ObjRevision, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	a, b, err := s.svc.Documents.DiffRevisions(ctx, actor(c), slug, from, to)
	if err != nil {
		s.respondError(c, err)
		return
	}
	etag := drafting.DiffETag(a, b, mode) + "-" + string(format) + labelsETag(format)
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		c.Header("ETag", `"`+etag+`"`)
		c.Status(http.StatusNotModified)
		return
	}
	v, err := s.svc.Documents.Diff(ctx, actor(c), slug, from, to, mode)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var buf bytes.Buffer
	oldName := slug + "@" + itoa(v.From.Number)
	newName := slug + "@" + itoa(v.To.Number)
	if err := s.renderDiff(ctx, &buf, slug, v, format, oldName, newName); err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("ETag", `"`+etag+`"`)
	if v.Result.Degraded {
		c.Header("X-Redline-Degraded", "true")
	}
	c.Data(http.StatusOK, diffContentTypes[format], buf.Bytes())
}

func diffParams(c *gin.Context) (from, to int64, mode textdiff.Mode, format textdiff.Format, err error) {
	fq, tq := c.Query("from"), c.Query("to")
	if fq == "" || tq == "" {
		return 0, 0, "", "", invalid("from and to are required: two revision numbers")
	}
	if from, err = intParam("from", fq); err != nil {
		return 0, 0, "", "", err
	}
	if to, err = intParam("to", tq); err != nil {
		return 0, 0, "", "", err
	}
	if mode, err = textdiff.ParseMode(c.Query("mode")); err != nil {
		return 0, 0, "", "", invalid("mode must be word, char or line")
	}
	if format, err = textdiff.ParseFormat(c.Query("format")); err != nil {
		return 0, 0, "", "", invalid("format must be json, html, html-side or unified")
	}
	return from, to, mode, format, nil
}

// labelsETag marks the JSON redlines that carry labels (issue 14), so that
// a client holding one from before is not answered 304.
func labelsETag(f textdiff.Format) string {
	if f == textdiff.FormatJSON {
		return "-l2" // -l2: moves carry after_label and note
	}
	return ""
}

// renderDiff renders a redline; as JSON, with the paragraphs' labels.
func (s *Server) renderDiff(ctx context.Context, buf *bytes.Buffer, slug string, v drafting.DiffView, f textdiff.Format, oldName, newName string) error {
	if f != textdiff.FormatJSON {
		return textdiff.Render(buf, v.Result, f, oldName, newName)
	}
	from, to, err := s.svc.Documents.DiffOutlines(ctx, slug, v)
	if err != nil {
		return err
	}
	return writeLabeledJSON(buf, v.Result, from, to)
}
