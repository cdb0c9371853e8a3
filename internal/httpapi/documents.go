package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

type documentJSON struct {
	Slug              string        `json:"slug"`
	Title             string        `json:"title"`
	Language          string        `json:"language"`
	ApprovalsRequired int           `json:"approvals_required"`
	State             string        `json:"state"`
	CreatedBy         string        `json:"created_by"`
	CreatedAt         time.Time     `json:"created_at"`
	Head              *revisionJSON `json:"head"`
	Adopted           *adoptionJSON `json:"adopted"`
}

func documentOut(v drafting.DocumentView) documentJSON {
	out := documentJSON{
		Slug: v.Slug, Title: v.Title, Language: v.Language, ApprovalsRequired: v.ApprovalsRequired,
		State: string(v.State), CreatedBy: v.CreatedByLogin, CreatedAt: v.CreatedAt,
	}
	if v.Head != nil {
		h := revisionOut(*v.Head)
		out.Head = &h
	}
	return out
}

type documentCreateRequest struct {
	Slug              string  `json:"slug"`
	Title             string  `json:"title"`
	Language          string  `json:"language"`
	ApprovalsRequired *int    `json:"approvals_required"`
	Text              *string `json:"text"`
	Message           string  `json:"message"`
}

func (s *Server) handleDocumentCreate(c *gin.Context) {
	var req documentCreateRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	in := drafting.NewDocument{Slug: req.Slug, Title: req.Title, Language: req.Language, Text: req.Text, Message: req.Message}
	if req.ApprovalsRequired != nil {
		// 0 would mean "the default" to the service; an explicit 0 is an error.
		in.ApprovalsRequired = *req.ApprovalsRequired
		if in.ApprovalsRequired == 0 {
			in.ApprovalsRequired = -1
		}
	}
	v, err := s.svc.Documents.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Location", "/api/v1/documents/"+v.Slug)
	c.JSON(http.StatusCreated, documentOut(v))
}

func (s *Server) handleDocumentList(c *gin.Context) {
	ds, err := s.svc.Documents.List(c.Request.Context(), actor(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]documentJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, documentOut(drafting.DocumentView{Document: d}))
	}
	c.JSON(http.StatusOK, gin.H{"documents": out})
}

func (s *Server) handleDocumentGet(c *gin.Context) {
	ctx := c.Request.Context()
	v, err := s.svc.Documents.Get(ctx, actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := documentOut(v)
	pub, err := s.svc.Adoptions.Public(ctx, actor(c), c.Param("slug"))
	switch {
	case err == nil:
		a := adoptionOut(pub.Current, false)
		out.Adopted = &a
	case drafting.ErrorReason(err) != drafting.ReasonNotAdopted:
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

type reopenRequest struct {
	Reason string `json:"reason"`
}

type reopeningJSON struct {
	Adoption int64     `json:"adoption"`
	Reason   string    `json:"reason"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
}

// reopeningOut shows a reopening; public readers see no names.
func reopeningOut(r drafting.Reopening, public bool) reopeningJSON {
	out := reopeningJSON{Adoption: r.Adoption, Reason: r.Reason, At: r.At}
	if !public {
		out.By = r.ActorLogin
	}
	return out
}

// handleDocumentReopen reopens a document adopted as a whole (an
// administrator, with a reason).
func (s *Server) handleDocumentReopen(c *gin.Context) {
	var req reopenRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	r, err := s.svc.Documents.Reopen(c.Request.Context(), actor(c), c.Param("slug"), req.Reason)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, reopeningOut(r, false))
}
