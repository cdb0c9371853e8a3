package httpapi

// --- issue 16: signed adoptions and Akoma Ntoso ---

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/akn"
	"redline/internal/drafting"
)

// signingRoutes registers the published keys, the adoption statements and
// the Akoma Ntoso exports. The keys are at the site's root, where a reader
// who has only the site's name finds them.
func (s *Server) signingRoutes(wellKnown, api *gin.RouterGroup) {
	wellKnown.GET("/redline-keys", s.handleKeys)
	wellKnown.HEAD("/redline-keys", s.handleKeys) // issue 14: downloads answer HEAD
	api.GET("/public/keys", s.handleKeyList)
	api.GET("/public/documents/:slug/statements", s.handleStatementList)
	api.GET("/public/documents/:slug/statements/:file", s.handleStatementFile)
	api.HEAD("/public/documents/:slug/statements/:file", s.handleStatementFile)
	api.GET("/documents/:slug/revisions/:n/export.akn.xml", s.handleRevisionAKN)
	api.HEAD("/documents/:slug/revisions/:n/export.akn.xml", s.handleRevisionAKN)
}

// handleKeys serves the allowed_signers file of the secretariat's keys, as
// ssh-keygen -Y verify -f takes it.
func (s *Server) handleKeys(c *gin.Context) {
	pk := s.svc.Adoptions.PublishedKeys()
	if len(pk.Keys) == 0 {
		s.respondError(c, drafting.Refuse("read signing keys", drafting.ReasonNotSigned, "no signing key is configured"))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", pk.AllowedSigners)
}

type keyJSON struct {
	Fingerprint string     `json:"fingerprint"`
	PublicKey   string     `json:"public_key"`
	ValidAfter  *time.Time `json:"valid_after"`
	ValidBefore *time.Time `json:"valid_before"`
	Signs       bool       `json:"signs"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) handleKeyList(c *gin.Context) {
	pk := s.svc.Adoptions.PublishedKeys()
	out := make([]keyJSON, 0, len(pk.Keys))
	for _, k := range pk.Keys {
		out = append(out, keyJSON{Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, ValidAfter: optTime(k.ValidAfter),
			ValidBefore: optTime(k.ValidBefore), Signs: k.Signs})
	}
	c.JSON(http.StatusOK, gin.H{"keys": out, "allowed_signers": "/.well-known/redline-keys", "namespace": "redline",
		"identity": "redline"})
}

type statementJSON struct {
	Number      int64     `json:"number"`
	Revision    int64     `json:"revision"`
	Stage       string    `json:"stage"`
	SHA256      string    `json:"sha256"`
	Previous    string    `json:"previous,omitempty"`
	Key         string    `json:"key"`
	SignedAt    time.Time `json:"signed_at"`
	SignedLater bool      `json:"signed_later"`
	Statement   string    `json:"statement_url"`
	Signature   string    `json:"signature_url"`
}

// StatementURL is where an adoption's statement is downloaded; its
// signature is at the same address with ".sig" added.
func StatementURL(slug string, number int64) string {
	return "/api/v1/public/documents/" + slug + "/statements/" + itoa(number) + ".json"
}

func (s *Server) handleStatementList(c *gin.Context) {
	pub, err := s.svc.Adoptions.Public(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	byID := map[int64]drafting.Adoption{}
	for _, a := range pub.Adoptions {
		byID[a.ID] = a
	}
	out := make([]statementJSON, 0, len(pub.Statements))
	for _, st := range pub.Statements {
		a := byID[st.AdoptionID]
		u := StatementURL(pub.Document.Slug, st.Number)
		out = append(out, statementJSON{Number: st.Number, Revision: a.Revision, Stage: a.Stage, SHA256: st.SHA256,
			Previous: st.Previous, Key: st.Key, SignedAt: st.SignedAt, SignedLater: st.SignedLater, Statement: u,
			Signature: u + ".sig"})
	}
	c.JSON(http.StatusOK, gin.H{"slug": pub.Document.Slug, "statements": out})
}

// handleStatementFile serves "<k>.json", adoption k's statement, or
// "<k>.json.sig", its signature, as the files ssh-keygen reads.
func (s *Server) handleStatementFile(c *gin.Context) {
	file := c.Param("file")
	sig := strings.HasSuffix(file, ".json.sig")
	num := strings.TrimSuffix(strings.TrimSuffix(file, ".sig"), ".json")
	n, err := intParam("adoption number", num)
	if err != nil || n < 1 || num+".json" != strings.TrimSuffix(file, ".sig") {
		s.respondError(c, drafting.E(drafting.KindNotFound, "download statement", "ask for <adoption>.json or <adoption>.json.sig"))
		return
	}
	st, err := s.svc.Adoptions.PublicStatement(c.Request.Context(), actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	body, ctype := st.Statement, "application/json"
	name := c.Param("slug") + "-adoption-" + itoa(n) + ".json"
	if sig {
		body, ctype, name = st.Signature, "text/plain; charset=us-ascii", name+".sig"
	}
	sum := sha256.Sum256(body)
	etag := hex.EncodeToString(sum[:])
	c.Header("ETag", `"`+etag+`"`)
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", "attachment; filename=\""+name+"\"")
	c.Data(http.StatusOK, ctype, body)
}

// publicAKN is the revision number of a public download named
// "<n>.akn.xml"; ok is false for other names.
func publicAKN(file string) (int64, bool) {
	num, found := strings.CutSuffix(file, ".akn.xml")
	if !found {
		return 0, false
	}
	n, err := intParam("revision number", num)
	return n, err == nil && n >= 1
}

// aknAdoptions are the adoptions an Akoma Ntoso file of revision n
// records: the document's, up to and including n's latest; none when n was
// not adopted.
func aknAdoptions(as []drafting.Adoption, n int64) []akn.Adoption {
	last := -1
	for i, a := range as {
		if a.Revision == n {
			last = i
		}
	}
	out := make([]akn.Adoption, 0, last+1)
	for _, a := range as[:last+1] {
		x := akn.Adoption{Revision: a.Revision, Stage: a.Stage, At: a.CreatedAt}
		if v := drafting.VotesOf(a); v != nil {
			x.Votes = &akn.Votes{For: v.For, Against: v.Against, Abstained: v.Abstained}
		}
		out = append(out, x)
	}
	return out
}

// handlePublicAKN serves adopted revision n as Akoma Ntoso, to anyone.
func (s *Server) handlePublicAKN(c *gin.Context, n int64) {
	ctx := c.Request.Context()
	pub, err := s.svc.Adoptions.Public(ctx, actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	a, text, err := s.svc.Adoptions.AdoptedText(ctx, actor(c), c.Param("slug"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	d := pub.Document
	s.serveAKN(c, akn.Document{Slug: d.Slug, Title: d.Title, Language: d.Language, Created: d.CreatedAt,
		Revision: a.Revision, RevisionAt: a.CreatedAt, SHA256: a.SHA256, Text: string(text),
		Adoptions: aknAdoptions(pub.Adoptions, a.Revision)})
}

// handleRevisionAKN serves revision n as Akoma Ntoso to whoever may read
// it: a draft, or with its adoptions when it was adopted.
func (s *Server) handleRevisionAKN(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	n, err := revisionNumber(c)
	if err != nil {
		if aerr := s.svc.Authorize(ctx, actor(c), slug, drafting.ObjRevision, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	dv, err := s.svc.Documents.Get(ctx, actor(c), slug)
	if err != nil {
		s.respondError(c, err)
		return
	}
	r, text, err := s.svc.Documents.Text(ctx, actor(c), slug, n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var as []drafting.Adoption
	if pub, err := s.svc.Adoptions.Public(ctx, actor(c), slug); err == nil {
		as = pub.Adoptions
	} else if drafting.ErrorReason(err) != drafting.ReasonNotAdopted {
		s.respondError(c, err)
		return
	}
	s.serveAKN(c, akn.Document{Slug: dv.Slug, Title: dv.Title, Language: dv.Language, Created: dv.CreatedAt,
		Revision: r.Number, RevisionAt: r.CreatedAt, SHA256: r.SHA256, Text: string(text), Adoptions: aknAdoptions(as, r.Number)})
}

// serveAKN writes d as Akoma Ntoso with a strong entity tag of its bytes
// (the output depends only on d).
func (s *Server) serveAKN(c *gin.Context, d akn.Document) {
	b, err := akn.Marshal(d)
	if err != nil {
		s.respondError(c, drafting.Wrap(drafting.KindInternal, "export Akoma Ntoso", "", err))
		return
	}
	sum := sha256.Sum256(b)
	etag := "akn-" + hex.EncodeToString(sum[:16])
	c.Header("ETag", `"`+etag+`"`)
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	name := d.Slug + "-r" + itoa(d.Revision) + "-" + d.SHA256[:12] + ".akn.xml"
	c.Header("Content-Disposition", "attachment; filename=\""+name+"\"; filename*=UTF-8''"+url.PathEscape(name))
	c.Data(http.StatusOK, "application/akn+xml; charset=utf-8", b)
}
