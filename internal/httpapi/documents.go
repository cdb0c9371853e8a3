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
	CreatedBy         string        `json:"created_by"`
	CreatedAt         time.Time     `json:"created_at"`
	Head              *revisionJSON `json:"head"`
	Adopted           any           `json:"adopted"`
}

func documentOut(v drafting.DocumentView) documentJSON {
	out := documentJSON{
		Slug: v.Slug, Title: v.Title, Language: v.Language, ApprovalsRequired: v.ApprovalsRequired,
		CreatedBy: v.CreatedByLogin, CreatedAt: v.CreatedAt,
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
	v, err := s.svc.CreateDocument(c.Request.Context(), actor(c), in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Location", "/api/v1/documents/"+v.Slug)
	c.JSON(http.StatusCreated, documentOut(v))
}

func (s *Server) handleDocumentList(c *gin.Context) {
	ds, err := s.svc.ListDocuments(c.Request.Context(), actor(c))
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
	v, err := s.svc.Document(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, documentOut(v))
}
