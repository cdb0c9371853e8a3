package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/shell"
)

type userJSON struct {
	Login       string    `json:"login"`
	DisplayName string    `json:"display_name"`
	Admin       bool      `json:"admin"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func userOut(u drafting.User) userJSON {
	return userJSON{Login: u.Login, DisplayName: u.DisplayName, Admin: u.Admin, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

type sessionCreateRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) handleSessionCreate(c *gin.Context) {
	var req sessionCreateRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if req.Login == "" || req.Password == "" {
		s.respondError(c, invalid("login and password are required"))
		return
	}
	ctx := c.Request.Context()
	u, secret, err := s.sh.Auth().SignIn(ctx, req.Login, req.Password, c.ClientIP())
	if err != nil {
		s.respondError(c, err)
		return
	}
	// Rotation: the session the browser arrived with, if any, ends here, so
	// a session fixed before sign-in is never promoted.
	if old, err := c.Cookie(auth.CookieName(s.sh.TLS())); err == nil && old != "" {
		if err := s.sh.Auth().SignOut(ctx, old); err != nil {
			s.respondError(c, err)
			return
		}
	}
	secretAnswer(c)
	http.SetCookie(c.Writer, auth.SessionCookie(secret, s.sh.TLS()))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, userOut(u))
}

func (s *Server) handleSessionDelete(c *gin.Context) {
	if secret := shell.SessionSecret(c); secret != "" {
		if err := s.sh.Auth().SignOut(c.Request.Context(), secret); err != nil {
			s.respondError(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, auth.ClearedCookie(s.sh.TLS()))
	c.Status(http.StatusNoContent)
}

type memberJSON struct {
	Document  string    `json:"document"`
	Login     string    `json:"login"`
	Role      string    `json:"role"`
	GrantedAt time.Time `json:"granted_at"`
}

func memberOut(m drafting.Member) memberJSON {
	return memberJSON{Document: m.DocumentSlug, Login: m.Login, Role: m.Role, GrantedAt: m.GrantedAt}
}

func (s *Server) handleMe(c *gin.Context) {
	u, roles, err := s.svc.Accounts.Me(c.Request.Context(), actor(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]memberJSON, 0, len(roles))
	for _, r := range roles {
		out = append(out, memberOut(r))
	}
	c.JSON(http.StatusOK, gin.H{"user": userOut(u), "roles": out})
}

type tokenJSON struct {
	ID        int64     `json:"id"`
	Label     string    `json:"label"`
	Token     string    `json:"token,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type tokenCreateRequest struct {
	Label string `json:"label"`
}

func (s *Server) handleTokenCreate(c *gin.Context) {
	var req tokenCreateRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		s.respondError(c, err)
		return
	}
	t, err := s.svc.Accounts.CreateToken(c.Request.Context(), actor(c), req.Label, hash)
	if err != nil {
		s.respondError(c, err)
		return
	}
	secretAnswer(c)
	c.JSON(http.StatusCreated, tokenJSON{ID: t.ID, Label: t.Label, Token: token, CreatedAt: t.CreatedAt})
}

func (s *Server) handleTokenList(c *gin.Context) {
	ts, err := s.svc.Accounts.Tokens(c.Request.Context(), actor(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]tokenJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenJSON{ID: t.ID, Label: t.Label, CreatedAt: t.CreatedAt})
	}
	c.JSON(http.StatusOK, gin.H{"tokens": out})
}

func (s *Server) handleTokenDelete(c *gin.Context) {
	id, err := intParam("token id", c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	if err := s.svc.Accounts.RevokeToken(c.Request.Context(), actor(c), id); err != nil {
		s.respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type userCreateRequest struct {
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Admin       bool   `json:"admin"`
}

func (s *Server) handleUserCreate(c *gin.Context) {
	var req userCreateRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	// Refuse before spending argon2 time on a caller who may not add users.
	if _, err := s.svc.Accounts.List(c.Request.Context(), actor(c)); err != nil {
		s.respondError(c, err)
		return
	}
	if err := auth.ValidatePassword(req.Password); err != nil {
		s.respondError(c, invalid(err.Error()))
		return
	}
	hash, err := s.sh.Auth().Hasher().Hash(c.Request.Context(), req.Password)
	if err != nil {
		s.respondError(c, err)
		return
	}
	u, err := s.svc.Accounts.Add(c.Request.Context(), actor(c), drafting.NewUser{Login: req.Login, DisplayName: req.DisplayName, PasswordHash: hash, Admin: req.Admin})
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, userOut(u))
}

func (s *Server) handleUserList(c *gin.Context) {
	us, err := s.svc.Accounts.List(c.Request.Context(), actor(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, userOut(u))
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

func (s *Server) handleUserDisable(c *gin.Context) { s.setDisabled(c, true) }
func (s *Server) handleUserEnable(c *gin.Context)  { s.setDisabled(c, false) }

func (s *Server) setDisabled(c *gin.Context, disabled bool) {
	u, err := s.svc.Accounts.SetDisabled(c.Request.Context(), actor(c), c.Param("login"), disabled)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, userOut(u))
}
