package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// revisionJSON is a revision. One made by merging a proposal names it, the
// chair who merged it (merged_by) and the decision: accepted, or
// accepted_with_changes when the chair supplied the text; author is always
// the proposal's author.
type revisionJSON struct {
	Number    int64     `json:"number"`
	Parent    *int64    `json:"parent"`
	Author    string    `json:"author"`
	Message   string    `json:"message"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	Proposal  *int64    `json:"proposal"`
	MergedBy  *string   `json:"merged_by"`
	Decision  *string   `json:"decision"`
}

func revisionOut(r drafting.Revision) revisionJSON {
	out := revisionJSON{Number: r.Number, Author: r.AuthorLogin, Message: r.Message,
		SHA256: r.SHA256, Size: r.Size, CreatedAt: r.CreatedAt}
	if r.Parent > 0 {
		p := r.Parent
		out.Parent = &p
	}
	if r.Proposal > 0 {
		p, by, d := r.Proposal, r.MergedByLogin, r.Decision
		out.Proposal, out.MergedBy, out.Decision = &p, &by, &d
	}
	return out
}

func revisionNumber(c *gin.Context) (int64, error) {
	n, err := intParam("revision number", c.Param("n"))
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (s *Server) handleRevisionList(c *gin.Context) {
	var limit, before int64
	var err error
	if q := c.Query("limit"); q != "" {
		if limit, err = intParam("limit", q); err != nil {
			s.respondError(c, err)
			return
		}
	}
	if q := c.Query("before"); q != "" {
		if before, err = intParam("before", q); err != nil {
			s.respondError(c, err)
			return
		}
	}
	rs, err := s.svc.Documents.Revisions(c.Request.Context(), actor(c), c.Param("slug"), int(min(limit, 1000)), before)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]revisionJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, revisionOut(r))
	}
	c.JSON(http.StatusOK, gin.H{"revisions": out})
}

type revisionCommitRequest struct {
	Base    *int64  `json:"base"`
	Text    *string `json:"text"`
	Message string  `json:"message"`
}

func (s *Server) handleRevisionCommit(c *gin.Context) {
	var req revisionCommitRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if err := numberInRange("base", req.Base, 0); err != nil {
		s.respondError(c, err)
		return
	}
	// Missing fields are the service's to refuse, after it has checked who
	// is asking: a caller who may not commit learns nothing from validation.
	base := int64(-1)
	if req.Base != nil {
		base = *req.Base
	}
	var text []byte
	if req.Text != nil {
		text = []byte(*req.Text)
	}
	r, err := s.svc.Documents.Commit(c.Request.Context(), actor(c), c.Param("slug"), base, text, req.Message)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Location", "/api/v1/documents/"+c.Param("slug")+"/revisions/"+itoa(r.Number))
	c.JSON(http.StatusCreated, revisionOut(r))
}

func (s *Server) handleRevisionGet(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	r, err := s.svc.Documents.Revision(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, revisionOut(r))
}

func (s *Server) handleRevisionText(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	ctx := c.Request.Context()
	// A revision is immutable, so its hash is a strong validator: answer a
	// revalidation from the metadata alone, without reading the blob.
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		r, err := s.svc.Documents.Revision(ctx, actor(c), c.Param("slug"), n)
		if err != nil {
			s.respondError(c, err)
			return
		}
		if etagMatch(inm, r.SHA256) {
			c.Header("ETag", `"`+r.SHA256+`"`)
			c.Status(http.StatusNotModified)
			return
		}
	}
	r, text, err := s.svc.Documents.Text(ctx, actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("ETag", `"`+r.SHA256+`"`)
	c.Header("X-Content-SHA256", r.SHA256)
	c.Data(http.StatusOK, "text/plain; charset=utf-8", text)
}

// etagMatch reports whether an If-None-Match header names the entity tag.
func etagMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || t == `"`+tag+`"` {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconvFormat(n) }
