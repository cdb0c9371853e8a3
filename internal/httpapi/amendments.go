package httpapi

// issue 14: amendments item by item, decisions, votes, the table of
// amendments.

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/textdiff"
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
	if err := numberInRange("head", req.Head, 1); err != nil {
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

// changeJSON is one item change of a proposal: {op: replace | insert_after
// | delete, item: the label's key, text}.
type changeJSON struct {
	Op   string `json:"op"`
	Item string `json:"item"`
	Text string `json:"text"`
}

func changesIn(cs []changeJSON) []drafting.ItemChange {
	if cs == nil {
		return nil
	}
	out := make([]drafting.ItemChange, 0, len(cs))
	for _, c := range cs {
		out = append(out, drafting.ItemChange{Op: c.Op, Item: c.Item, Text: c.Text})
	}
	return out
}

type conflictJSON struct {
	drafting.MergeConflict
	Items []itemJSON `json:"items"`
}

// handleProposalEffect answers what a proposal would do now: its own
// redline against its base and, when the head has moved, the redline of
// its merge onto the head with the conflicts, every paragraph labelled.
func (s *Server) handleProposalEffect(c *gin.Context) {
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
	e, err := s.svc.Proposals.Effect(c.Request.Context(), actor(c), c.Param("slug"), n, mode)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var own bytes.Buffer
	if err := writeLabeledJSON(&own, e.Own, e.BaseOutline, e.ProposalOutline); err != nil {
		s.respondError(c, err)
		return
	}
	out := gin.H{"proposal": proposalOut(e.Proposal), "base": e.Base.Number, "head": e.Head.Number, "moved": e.Moved,
		"own": json.RawMessage(own.Bytes()), "onto_head": nil, "conflicts": []conflictJSON{}}
	if e.Moved {
		var onto bytes.Buffer
		if err := writeLabeledJSON(&onto, e.OntoHead, e.HeadOutline, e.MergedOutline); err != nil {
			s.respondError(c, err)
			return
		}
		out["onto_head"] = json.RawMessage(onto.Bytes())
		cs := make([]conflictJSON, 0, len(e.Conflicts))
		for _, x := range e.Conflicts {
			cs = append(cs, conflictJSON{MergeConflict: x.MergeConflict, Items: itemsOut(x.Items)})
		}
		out["conflicts"] = cs
	}
	c.JSON(http.StatusOK, out)
}

func jsonRaw(b []byte) json.RawMessage { return json.RawMessage(bytes.TrimSpace(b)) }
