package httpapi

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/markup"
)

type anchorJSON struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Quote  string `json:"quote"`
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
}

func anchorOut(a *drafting.Anchor) *anchorJSON {
	if a == nil {
		return nil
	}
	return &anchorJSON{Start: a.Start, End: a.End, Quote: a.Quote, Prefix: a.Prefix, Suffix: a.Suffix}
}

type commentJSON struct {
	ID        int64         `json:"id"`
	Revision  *int64        `json:"revision"`
	Proposal  *int64        `json:"proposal"`
	Author    string        `json:"author"`
	ReplyTo   *int64        `json:"reply_to"`
	Thread    int64         `json:"thread"`
	Depth     int           `json:"depth"`
	Body      string        `json:"body"`
	BodyHTML  template.HTML `json:"body_html"`
	Anchor    *anchorJSON   `json:"anchor"`
	Edited    bool          `json:"edited"`
	Resolved  bool          `json:"resolved"`
	Hidden    bool          `json:"hidden"`
	HiddenWhy string        `json:"hidden_reason,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	// Set when listed for a revision.
	Status    string      `json:"status,omitempty"`
	Mapped    *anchorJSON `json:"mapped_anchor,omitempty"`
	Paragraph *int        `json:"paragraph,omitempty"`
}

func ptr(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// commentOut shows a comment. A hidden comment keeps its place in the
// thread, its author and the reason, but not its body.
func commentOut(c drafting.Comment) commentJSON {
	out := commentJSON{ID: c.ID, Revision: ptr(c.Revision), Proposal: ptr(c.Proposal), Author: c.AuthorLogin,
		ReplyTo: ptr(c.ReplyTo), Thread: c.Thread, Depth: c.Depth, Anchor: anchorOut(c.Anchor), Edited: c.Edited,
		Resolved: c.Resolved, Hidden: c.Hidden, HiddenWhy: c.HiddenReason, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if !c.Hidden {
		out.Body = c.Body
		out.BodyHTML = markup.Render(c.Body)
	}
	return out
}

type commentCreateRequest struct {
	Revision int64       `json:"revision"`
	Proposal int64       `json:"proposal"`
	Body     string      `json:"body"`
	Anchor   *anchorJSON `json:"anchor"`
	ReplyTo  int64       `json:"reply_to"`
}

func (s *Server) handleCommentCreate(c *gin.Context) {
	var req commentCreateRequest
	if err := decodeJSON(c, 256<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	in := drafting.NewComment{Revision: req.Revision, Proposal: req.Proposal, Body: req.Body, ReplyTo: req.ReplyTo}
	if req.Anchor != nil {
		in.Anchor = &drafting.Anchor{Start: req.Anchor.Start, End: req.Anchor.End, Quote: req.Anchor.Quote, Prefix: req.Anchor.Prefix, Suffix: req.Anchor.Suffix}
	}
	if err := s.sh.AllowComment(c.Request.Context(), actor(c)); err != nil {
		s.respondError(c, err)
		return
	}
	cm, err := s.svc.Comments.Add(c.Request.Context(), actor(c), c.Param("slug"), in)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, commentOut(cm))
}

// handleCommentList lists the comments for ?revision=N (anchors carried into
// N) or on ?proposal=P.
func (s *Server) handleCommentList(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	if q := c.Query("proposal"); q != "" {
		p, err := intParam("proposal", q)
		if err != nil {
			s.respondError(c, err)
			return
		}
		cs, err := s.svc.Comments.OnProposal(ctx, actor(c), slug, p)
		if err != nil {
			s.respondError(c, err)
			return
		}
		out := make([]commentJSON, 0, len(cs))
		for _, cm := range cs {
			out = append(out, commentOut(cm))
		}
		c.JSON(http.StatusOK, gin.H{"comments": out})
		return
	}
	n, err := intParam("revision", c.Query("revision"))
	if err != nil {
		if aerr := s.svc.Authorize(ctx, actor(c), slug, drafting.ObjComment, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	f := drafting.CommentFilter{State: c.Query("state"), Author: c.Query("author")}
	if q := c.Query("paragraph"); q != "" {
		p, err := strconv.Atoi(q)
		if err != nil || p < 0 {
			s.respondError(c, invalid("paragraph must be a paragraph index (from 0)"))
			return
		}
		f.Paragraph = &p
	}
	l, err := s.svc.Comments.List(ctx, actor(c), slug, n, f)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]commentJSON, 0, len(l.Comments))
	for _, lc := range l.Comments {
		j := commentOut(lc.Comment)
		j.Status = lc.Status
		j.Mapped = anchorOut(lc.Mapped)
		if lc.Paragraph >= 0 {
			p := lc.Paragraph
			j.Paragraph = &p
		}
		out = append(out, j)
	}
	counts := make(map[string]int, len(l.OpenThreads))
	for p, n := range l.OpenThreads {
		counts[strconv.Itoa(p)] = n
	}
	c.JSON(http.StatusOK, gin.H{"revision": l.Revision.Number, "comments": out, "open_threads_by_paragraph": counts})
}

func commentID(c *gin.Context) (int64, error) { return intParam("comment id", c.Param("id")) }

type commentEditRequest struct {
	Body string `json:"body"`
}

func (s *Server) handleCommentEdit(c *gin.Context) {
	id, err := commentID(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req commentEditRequest
	if err := decodeJSON(c, 256<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	cm, err := s.svc.Comments.Edit(c.Request.Context(), actor(c), c.Param("slug"), id, req.Body)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, commentOut(cm))
}

func (s *Server) handleCommentVersions(c *gin.Context) {
	id, err := commentID(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	vs, err := s.svc.Comments.Versions(c.Request.Context(), actor(c), c.Param("slug"), id)
	if err != nil {
		s.respondError(c, err)
		return
	}
	type versionJSON struct {
		Body     string        `json:"body"`
		BodyHTML template.HTML `json:"body_html"`
		EditedAt time.Time     `json:"edited_at"`
	}
	out := make([]versionJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, versionJSON{Body: v.Body, BodyHTML: markup.Render(v.Body), EditedAt: v.EditedAt})
	}
	c.JSON(http.StatusOK, gin.H{"versions": out})
}

func (s *Server) handleCommentResolve(c *gin.Context) { s.setResolved(c, true) }
func (s *Server) handleCommentReopen(c *gin.Context)  { s.setResolved(c, false) }

func (s *Server) setResolved(c *gin.Context, resolved bool) {
	id, err := commentID(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	cm, err := s.svc.Comments.Resolve(c.Request.Context(), actor(c), c.Param("slug"), id, resolved)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, commentOut(cm))
}

type commentHideRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) handleCommentHide(c *gin.Context) {
	id, err := commentID(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req commentHideRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	cm, err := s.svc.Comments.Hide(c.Request.Context(), actor(c), c.Param("slug"), id, req.Reason)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, commentOut(cm))
}
