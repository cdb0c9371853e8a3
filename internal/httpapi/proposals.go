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
	Decision       *string    `json:"decision"`
	ClosedBy       *string    `json:"closed_by"`
	CloseReason    string     `json:"close_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	Items          []itemJSON `json:"items"`
	Vote           *voteJSON  `json:"vote"`
}

func proposalOut(p drafting.Proposal) proposalJSON {
	out := proposalJSON{Number: p.Number, Base: p.Base, Author: p.AuthorLogin, Title: p.Title, Rationale: p.Rationale,
		SHA256: p.SHA256, Size: p.Size, State: p.State, CloseReason: p.CloseReason, CreatedAt: p.CreatedAt}
	if p.MergedRevision > 0 {
		m, d := p.MergedRevision, p.Decision
		out.MergedRevision, out.Decision = &m, &d
	}
	if p.ClosedByLogin != "" {
		c := p.ClosedByLogin
		out.ClosedBy = &c
	}
	if !p.ClosedAt.IsZero() {
		t := p.ClosedAt
		out.ClosedAt = &t
	}
	if p.State == drafting.ProposalRejected {
		d := drafting.DecisionRejected
		out.Decision = &d
	}
	out.Vote = voteOut(p.Vote)
	out.Items = itemsOut(p.Items)
	return out
}

type proposalCreateRequest struct {
	Base      *int64       `json:"base"`
	Text      *string      `json:"text"`
	Title     string       `json:"title"`
	Rationale string       `json:"rationale"`
	Changes   []changeJSON `json:"changes"` // issue 14: item by item, instead of text
}

func (s *Server) handleProposalCreate(c *gin.Context) {
	var req proposalCreateRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if err := numberInRange("base", req.Base, 1); err != nil {
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
	in.Changes = changesIn(req.Changes)
	if err := s.sh.AllowProposal(c.Request.Context(), actor(c), c.Param("slug")); err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.svc.Proposals.Propose(c.Request.Context(), actor(c), c.Param("slug"), in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Location", "/api/v1/documents/"+c.Param("slug")+"/proposals/"+itoa(p.Number))
	c.JSON(http.StatusCreated, proposalOut(p))
}

func (s *Server) handleProposalList(c *gin.Context) {
	ps, err := s.svc.Proposals.List(c.Request.Context(), actor(c), c.Param("slug"), c.Query("state"))
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
	p, err := s.svc.Proposals.Get(c.Request.Context(), actor(c), c.Param("slug"), n)
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
	p, text, err := s.svc.Proposals.Text(c.Request.Context(), actor(c), c.Param("slug"), n)
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
	rev, p, r, err := s.svc.Proposals.Diff(c.Request.Context(), actor(c), c.Param("slug"), n, c.Query("against"), mode)
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
	Reason string    `json:"reason"`
	Vote   *voteJSON `json:"vote"`
}

func (s *Server) handleProposalWithdraw(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.svc.Proposals.Withdraw(c.Request.Context(), actor(c), c.Param("slug"), n)
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
	p, _, err := s.svc.Proposals.Decide(c.Request.Context(), actor(c), c.Param("slug"), n,
		drafting.DecideInput{Decision: drafting.DecisionRejected, Reason: req.Reason, Vote: req.Vote.in()})
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, proposalOut(p))
}

type mergeRequest struct {
	Head    *int64    `json:"head"`
	Text    *string   `json:"text"`    // the chair's text: a resolution, or the proposal changed
	Message string    `json:"message"` // the revision's description
	Vote    *voteJSON `json:"vote"`    // how the decision was voted
}

// handleProposalMerge merges a proposal (body {head}) or commits it with
// the chair's text (body {head, text, message?}), recorded as merged with
// changes by the chair unless the text is what the plain merge gives.
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
	if err := numberInRange("head", req.Head, 1); err != nil {
		s.respondError(c, err)
		return
	}
	head := int64(-1)
	if req.Head != nil {
		head = *req.Head
	}
	in := drafting.MergeInput{Head: head, Message: req.Message, Vote: req.Vote.in()}
	if req.Text != nil {
		in.Text = []byte(*req.Text)
	}
	r, err := s.svc.Proposals.Merge(c.Request.Context(), actor(c), c.Param("slug"), n, in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, revisionOut(r))
}

type collisionJSON struct {
	Proposal   proposalJSON `json:"proposal"`
	Paragraphs []string     `json:"paragraphs"`
	Items      []itemJSON   `json:"items"` // issue 14: the shared items by label
	Links      []string     `json:"links"` // the two proposals
}

func (s *Server) handleProposalCollisions(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	cs, err := s.svc.Proposals.Collisions(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]collisionJSON, 0, len(cs))
	for _, col := range cs {
		base := "/api/v1/documents/" + c.Param("slug") + "/proposals/"
		out = append(out, collisionJSON{Proposal: proposalOut(col.Proposal), Paragraphs: col.Paragraphs,
			Items: itemsOut(col.Items), Links: []string{base + itoa(n), base + itoa(col.Proposal.Number)}})
	}
	c.JSON(http.StatusOK, gin.H{"collisions": out})
}
