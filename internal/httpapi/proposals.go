package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/textdiff"
)

type proposalJSON struct {
	Number         int64      `json:"number"`
	Base           int64      `json:"base"`
	Author         string     `json:"author"`
	Title          string     `json:"title"`
	Rationale      string     `json:"rationale"`
	SHA256         string     `json:"sha256"`
	Size           int64      `json:"size"`
	State          string     `json:"state"`
	MergedRevision *int64     `json:"merged_revision"`
	ClosedBy       *string    `json:"closed_by"`
	CloseReason    string     `json:"close_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at"`
}

func proposalOut(p drafting.Proposal) proposalJSON {
	out := proposalJSON{Number: p.Number, Base: p.Base, Author: p.AuthorLogin, Title: p.Title, Rationale: p.Rationale,
		SHA256: p.SHA256, Size: p.Size, State: p.State, CloseReason: p.CloseReason, CreatedAt: p.CreatedAt}
	if p.MergedRevision > 0 {
		m := p.MergedRevision
		out.MergedRevision = &m
	}
	if p.ClosedByLogin != "" {
		c := p.ClosedByLogin
		out.ClosedBy = &c
	}
	if !p.ClosedAt.IsZero() {
		t := p.ClosedAt
		out.ClosedAt = &t
	}
	return out
}

type proposalCreateRequest struct {
	Base      *int64  `json:"base"`
	Text      *string `json:"text"`
	Title     string  `json:"title"`
	Rationale string  `json:"rationale"`
}

func (s *Server) handleProposalCreate(c *gin.Context) {
	var req proposalCreateRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	in := drafting.NewProposal{Title: req.Title, Rationale: req.Rationale}
	if req.Base != nil {
		in.Base = *req.Base
	}
	if req.Text != nil {
		in.Text = []byte(*req.Text)
	}
	p, err := s.svc.Propose(c.Request.Context(), actor(c), c.Param("slug"), in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Location", "/api/v1/documents/"+c.Param("slug")+"/proposals/"+itoa(p.Number))
	c.JSON(http.StatusCreated, proposalOut(p))
}

func (s *Server) handleProposalList(c *gin.Context) {
	ps, err := s.svc.Proposals(c.Request.Context(), actor(c), c.Param("slug"), c.Query("state"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]proposalJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, proposalOut(p))
	}
	c.JSON(http.StatusOK, gin.H{"proposals": out})
}

func proposalNumber(c *gin.Context) (int64, error) { return intParam("proposal number", c.Param("p")) }

func (s *Server) handleProposalGet(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.svc.Proposal(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, proposalOut(p))
}

func (s *Server) handleProposalText(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	p, text, err := s.svc.ProposalText(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("ETag", `"`+p.SHA256+`"`)
	c.Data(http.StatusOK, "text/plain; charset=utf-8", text)
}

// handleProposalDiff is a proposal's redline against its base or the head.
func (s *Server) handleProposalDiff(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	mode, err := textdiff.ParseMode(c.Query("mode"))
	if err != nil {
		s.respondError(c, invalid("mode must be word, char or line"))
		return
	}
	format, err := textdiff.ParseFormat(c.Query("format"))
	if err != nil {
		s.respondError(c, invalid("format must be json, html, html-side or unified"))
		return
	}
	rev, p, r, err := s.svc.ProposalDiff(c.Request.Context(), actor(c), c.Param("slug"), n, c.Query("against"), mode)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var buf bytes.Buffer
	slug := c.Param("slug")
	if err := textdiff.Render(&buf, r, format, slug+"@"+itoa(rev.Number), slug+"-proposal-"+itoa(p.Number)); err != nil {
		s.respondError(c, err)
		return
	}
	c.Data(http.StatusOK, diffContentTypes[format], buf.Bytes())
}

type proposalCloseRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) handleProposalWithdraw(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.svc.Withdraw(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, proposalOut(p))
}

func (s *Server) handleProposalReject(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req proposalCloseRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.svc.Reject(c.Request.Context(), actor(c), c.Param("slug"), n, req.Reason)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, proposalOut(p))
}

type mergeRequest struct {
	Head    *int64  `json:"head"`
	Text    *string `json:"text"`    // a resolved text, after a conflict
	Message string  `json:"message"` // for a resolved text
}

// handleProposalMerge merges a proposal (body {head}) or commits a chair's
// resolution of its conflicts (body {head, text, message?}).
func (s *Server) handleProposalMerge(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req mergeRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	head := int64(-1)
	if req.Head != nil {
		head = *req.Head
	}
	ctx := c.Request.Context()
	var r drafting.Revision
	if req.Text != nil {
		r, err = s.svc.ResolveMerge(ctx, actor(c), c.Param("slug"), n, head, []byte(*req.Text), req.Message)
	} else {
		r, err = s.svc.Merge(ctx, actor(c), c.Param("slug"), n, head)
	}
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, revisionOut(r))
}

type collisionJSON struct {
	Proposal   proposalJSON `json:"proposal"`
	Paragraphs []string     `json:"paragraphs"`
}

func (s *Server) handleProposalCollisions(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	cs, err := s.svc.Collisions(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]collisionJSON, 0, len(cs))
	for _, col := range cs {
		out = append(out, collisionJSON{Proposal: proposalOut(col.Proposal), Paragraphs: col.Paragraphs})
	}
	c.JSON(http.StatusOK, gin.H{"collisions": out})
}
