package httpapi

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/textdiff"
)

type approvalJSON struct {
	Chair     string    `json:"chair"`
	SHA256    string    `json:"sha256"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Set when listed: whether it counts toward the quorum now, and why
	// not (chair_removed, chair_disabled).
	Counts *bool  `json:"counts,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// decisionJSON is "may the caller do this now": allowed, or why not.
type decisionJSON struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

func decisionOut(d drafting.Decision) decisionJSON {
	return decisionJSON{Allowed: d.Allowed, Reason: string(d.Reason)}
}

type approvalRequest struct {
	SHA256 string `json:"sha256"`
	Note   string `json:"note"`
}

func (s *Server) handleApprovalCreate(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req approvalRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	a, err := s.svc.Adoptions.Approve(c.Request.Context(), actor(c), c.Param("slug"), n, req.SHA256, req.Note)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, approvalJSON{Chair: a.ChairLogin, SHA256: a.SHA256, Note: a.Note, CreatedAt: a.CreatedAt})
}

func (s *Server) handleApprovalList(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	st, err := s.svc.Adoptions.Status(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]approvalJSON, 0, len(st.Approvals))
	for _, a := range st.Approvals {
		counts := a.Counts
		out = append(out, approvalJSON{Chair: a.ChairLogin, SHA256: a.SHA256, Note: a.Note, CreatedAt: a.CreatedAt,
			Counts: &counts, Reason: string(a.Why)})
	}
	c.JSON(http.StatusOK, gin.H{"revision": st.Revision.Number, "sha256": st.Revision.SHA256, "head": st.IsHead,
		"state": st.State, "approvals": out, "required": st.Required, "count": st.Counted, "reached": st.Reached,
		"open_threads": st.OpenThreads,
		"actions": gin.H{"approve": decisionOut(st.Approve), "adopt_basis": decisionOut(st.AdoptBasis),
			"adopt_final": decisionOut(st.AdoptFinal)}})
}

type adoptionJSON struct {
	ID             int64      `json:"id"`
	Revision       int64      `json:"revision"`
	SHA256         string     `json:"sha256"`
	Size           int64      `json:"size"`
	Stage          string     `json:"stage"`
	Note           string     `json:"note,omitempty"`
	OverrideReason string     `json:"override_reason,omitempty"`
	Chair          string     `json:"chair,omitempty"`
	AdoptedAt      time.Time  `json:"adopted_at"`
	ArchivedAt     *time.Time `json:"archived_at"`
}

// adoptionOut shows an adoption; public readers see no names.
func adoptionOut(a drafting.Adoption, public bool) adoptionJSON {
	out := adoptionJSON{ID: a.ID, Revision: a.Revision, SHA256: a.SHA256, Size: a.Size, Stage: a.Stage, Note: a.Note, AdoptedAt: a.CreatedAt}
	if !public {
		out.Chair = a.ChairLogin
		out.OverrideReason = a.OverrideReason
	}
	if !a.ArchivedAt.IsZero() {
		t := a.ArchivedAt
		out.ArchivedAt = &t
	}
	return out
}

type adoptRequest struct {
	Stage          string `json:"stage"`
	Note           string `json:"note"`
	OverrideReason string `json:"override_reason"`
}

func (s *Server) handleAdopt(c *gin.Context) {
	n, err := revisionNumber(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var req adoptRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	a, err := s.svc.Adoptions.Adopt(c.Request.Context(), actor(c), c.Param("slug"), n,
		drafting.AdoptInput{Stage: req.Stage, Note: req.Note, OverrideReason: req.OverrideReason})
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, adoptionOut(a, false))
}

type eventJSON struct {
	Seq      int64             `json:"seq"`
	Kind     string            `json:"kind"`
	Actor    *string           `json:"actor"`
	Data     map[string]string `json:"data"`
	At       time.Time         `json:"at"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

func (s *Server) handleEvents(c *gin.Context) {
	var after, limit int64
	var err error
	if q := c.Query("after"); q != "" {
		if after, err = intParam("after", q); err != nil {
			s.respondError(c, err)
			return
		}
	}
	if q := c.Query("limit"); q != "" {
		if limit, err = intParam("limit", q); err != nil {
			s.respondError(c, err)
			return
		}
	}
	es, err := s.svc.Documents.Events(c.Request.Context(), actor(c), c.Param("slug"), after, int(min(limit, 1000)))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]eventJSON, 0, len(es))
	for _, e := range es {
		j := eventJSON{Seq: e.Seq, Kind: e.Kind, Data: e.Data, At: e.At, PrevHash: e.PrevHash, Hash: e.Hash}
		if e.ActorLogin != "" {
			a := e.ActorLogin
			j.Actor = &a
		}
		if j.Data == nil {
			j.Data = map[string]string{}
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
}

// Public reading: no account needed. Everything here is immutable once
// adopted, so answers carry strong ETags and revalidate with 304.

type publicJSON struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Language string `json:"language"`
	adoptionJSON
	// AmendedAfterFinal is the reopening after the newest adoption as a
	// whole while it stands: the text is being amended, and why.
	AmendedAfterFinal *reopeningJSON `json:"amended_after_final"`
	Text              string         `json:"text"`
}

func (s *Server) handlePublicDocument(c *gin.Context) {
	a, text, err := s.svc.Adoptions.AdoptedText(c.Request.Context(), actor(c), c.Param("slug"), 0)
	if err != nil {
		s.respondError(c, err)
		return
	}
	pub, err := s.svc.Adoptions.Public(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	// The current adoption can be superseded, and the document reopened, so
	// the tag names both: the adoption's revision, stage and hash, and the
	// counts of adoptions and reopenings.
	etag := "adopted-" + itoa(a.Revision) + "-" + a.Stage + "-" + a.SHA256[:16] + "-" + itoa(int64(len(pub.Adoptions))) +
		"-" + itoa(int64(len(pub.Reopenings)))
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Header("ETag", `"`+etag+`"`)
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("ETag", `"`+etag+`"`)
	out := publicJSON{Slug: pub.Document.Slug, Title: pub.Document.Title, Language: pub.Document.Language,
		adoptionJSON: adoptionOut(a, true), Text: string(text)}
	if pub.Amended != nil {
		r := reopeningOut(*pub.Amended, true)
		out.AmendedAfterFinal = &r
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) handlePublicAdoptions(c *gin.Context) {
	pub, err := s.svc.Adoptions.Public(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]adoptionJSON, 0, len(pub.Adoptions))
	for _, a := range pub.Adoptions {
		out = append(out, adoptionOut(a, true))
	}
	reopened := make([]reopeningJSON, 0, len(pub.Reopenings))
	for _, r := range pub.Reopenings {
		reopened = append(reopened, reopeningOut(r, true))
	}
	c.JSON(http.StatusOK, gin.H{"slug": pub.Document.Slug, "title": pub.Document.Title, "adoptions": out,
		"reopenings": reopened})
}

// issue 18: what a CDN may do with the public downloads. An adopted
// revision's text never changes: its download is immutable. Office files
// rendered from it are deterministic but may change with a new release of
// the renderer, so they are revalidated now and then, served stale
// meanwhile.
const (
	publicImmutable   = "public, max-age=31536000, immutable"
	publicRevalidated = "public, max-age=3600, stale-while-revalidate=86400"
)

// publicCache sets a public download's Cache-Control for an anonymous
// caller; a signed-in one keeps the shell's no-store, like every answer
// to them.
func publicCache(c *gin.Context, cc string) {
	if actor(c) == nil {
		c.Header("Cache-Control", cc)
	}
}

// handlePublicDownload serves an adopted revision's text as .md or .txt,
// named after the revision and the first 12 hex digits of its hash, or as
// an office file (.docx, .odt, .pdf).
func (s *Server) handlePublicDownload(c *gin.Context) {
	file := c.Param("file") // "<n>.md" or "<n>.txt"
	if n, ok := publicAKN(file); ok {
		s.handlePublicAKN(c, n) // "<n>.akn.xml" (signing.go, issue 16)
		return
	}
	if n, f, ok := publicExport(file); ok {
		// "<n>.docx", "<n>.odt", "<n>.pdf" (office.go)
		s.handlePublicExport(c, n, f)
		return
	}
	var ext, num string
	for _, e := range []string{".md", ".txt"} {
		if len(file) > len(e) && file[len(file)-len(e):] == e {
			ext, num = e, file[:len(file)-len(e)]
		}
	}
	if ext == "" {
		s.respondError(c, drafting.E(drafting.KindNotFound, "download", "ask for <revision>.md, .txt, .docx, .odt, .pdf or .akn.xml"))
		return
	}
	n, err := intParam("revision number", num)
	if err != nil || n < 1 {
		s.respondError(c, drafting.E(drafting.KindNotFound, "download", "ask for <revision>.md, .txt, .docx, .odt, .pdf or .akn.xml"))
		return
	}
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		if pub, err := s.svc.Adoptions.Public(c.Request.Context(), actor(c), c.Param("slug")); err == nil {
			for _, a := range pub.Adoptions {
				if a.Revision == n && etagMatch(inm, a.SHA256) {
					publicCache(c, publicImmutable)
					c.Header("ETag", `"`+a.SHA256+`"`)
					c.Status(http.StatusNotModified)
					return
				}
			}
		}
	}
	a, text, err := s.svc.Adoptions.AdoptedText(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	name := c.Param("slug") + "-r" + itoa(a.Revision) + "-" + a.SHA256[:12] + ext
	ctype := "text/plain; charset=utf-8"
	if ext == ".md" {
		ctype = "text/markdown; charset=utf-8"
	}
	publicCache(c, publicImmutable)
	c.Header("ETag", `"`+a.SHA256+`"`)
	c.Header("X-Content-SHA256", a.SHA256)
	c.Header("Content-Disposition", "attachment; filename=\""+name+"\"; filename*=UTF-8''"+url.PathEscape(name))
	c.Data(http.StatusOK, ctype, text)
}

func (s *Server) handlePublicDiff(c *gin.Context) {
	ctx := c.Request.Context()
	from, to, mode, format, err := diffParams(c)
	if err != nil {
		if _, perr := s.svc.Adoptions.Public(ctx, actor(c), c.Param("slug")); perr != nil {
			err = perr
		}
		s.respondError(c, err)
		return
	}
	v, err := s.svc.Adoptions.PublicDiff(ctx, actor(c), c.Param("slug"), from, to, mode)
	if err != nil {
		s.respondError(c, err)
		return
	}
	etag := drafting.DiffETag(v.From, v.To, mode) + "-" + string(format)
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Header("ETag", `"`+etag+`"`)
		c.Status(http.StatusNotModified)
		return
	}
	var buf bytes.Buffer
	slug := c.Param("slug")
	if err := textdiff.Render(&buf, v.Result, format, slug+"@"+itoa(v.From.Number), slug+"@"+itoa(v.To.Number)); err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("ETag", `"`+etag+`"`)
	c.Data(http.StatusOK, diffContentTypes[format], buf.Bytes())
}
