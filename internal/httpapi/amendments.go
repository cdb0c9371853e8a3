package httpapi

// issue 14: amendments item by item, decisions, votes, the table of
// amendments.

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// voteJSON is a vote: {for, against, abstained}.
type voteJSON struct {
	For       int `json:"for"`
	Against   int `json:"against"`
	Abstained int `json:"abstained"`
}

func voteOut(v *drafting.Vote) *voteJSON {
	if v == nil {
		return nil
	}
	return &voteJSON{For: v.For, Against: v.Against, Abstained: v.Abstained}
}

// in is the vote as drafting takes it; nil stays nil.
func (v *voteJSON) in() *drafting.Vote {
	if v == nil {
		return nil
	}
	return &drafting.Vote{For: v.For, Against: v.Against, Abstained: v.Abstained}
}

// itemJSON names a paragraph: its label's key and its label.
type itemJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

func itemsOut(items []drafting.ItemRef) []itemJSON {
	out := make([]itemJSON, 0, len(items))
	for _, it := range items {
		out = append(out, itemJSON{Key: it.Key, Label: it.Label})
	}
	return out
}

type decisionRequest struct {
	Decision string    `json:"decision"`
	Head     *int64    `json:"head"`
	Text     *string   `json:"text"`
	Reason   string    `json:"reason"`
	Message  string    `json:"message"`
	Vote     *voteJSON `json:"vote"`
}

// handleProposalDecision records a chair's decision on a proposal:
// {decision: accepted | accepted_with_changes | rejected, head?, text?,
// reason?, message?, vote?}. It answers the proposal as decided and, when
// accepted, the revision it became.
func (s *Server) handleProposalDecision(c *gin.Context) {
	n, err := proposalNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req decisionRequest
	if err := decodeJSON(c, s.maxBody, &req); err != nil {
		s.respondError(c, err)
		return
	}
	in := drafting.DecideInput{Decision: req.Decision, Head: -1, Reason: req.Reason, Message: req.Message, Vote: req.Vote.in()}
	if req.Head != nil {
		in.Head = *req.Head
	}
	if req.Text != nil {
		in.Text = []byte(*req.Text)
	}
	p, r, err := s.svc.Proposals.Decide(c.Request.Context(), actor(c), c.Param("slug"), n, in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := gin.H{"proposal": proposalOut(p), "revision": nil}
	if r != nil {
		out["revision"] = revisionOut(*r)
	}
	c.JSON(http.StatusOK, out)
}
