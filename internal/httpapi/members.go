package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

type memberPutRequest struct {
	Role string `json:"role"`
}

func (s *Server) handleMemberPut(c *gin.Context) {
	var req memberPutRequest
	if err := decodeJSON(c, 64<<10, &req); err != nil {
		s.respondError(c, err)
		return
	}
	m, err := s.svc.Members.Set(c.Request.Context(), actor(c), c.Param("slug"), c.Param("login"), req.Role)
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, memberOut(m))
}

func (s *Server) handleMemberDelete(c *gin.Context) {
	if err := s.svc.Members.Remove(c.Request.Context(), actor(c), c.Param("slug"), c.Param("login")); err != nil {
		s.respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleMemberList(c *gin.Context) {
	ms, err := s.svc.Members.List(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]memberJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberOut(m))
	}
	c.JSON(http.StatusOK, gin.H{"members": out})
}

type roleChangeJSON struct {
	Login  string    `json:"login"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Actor  *string   `json:"actor"`
	At     time.Time `json:"at"`
}

func (s *Server) handleMemberChanges(c *gin.Context) {
	cs, err := s.svc.Members.Changes(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]roleChangeJSON, 0, len(cs))
	for _, ch := range cs {
		j := roleChangeJSON{Login: ch.Login, Role: ch.Role, Action: ch.Action, At: ch.At}
		if ch.ActorLogin != "" {
			a := ch.ActorLogin
			j.Actor = &a
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"changes": out})
}
