package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

func (s *Server) handleHealth(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) handleReady(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err.Error())
		s.respondError(c, drafting.Wrap(drafting.KindUnavailable, "ready", "not ready: a storage service is unreachable", err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) handleNoRoute(c *gin.Context) {
	s.respondError(c, drafting.E(drafting.KindNotFound, "route", "no such route"))
}

func (s *Server) handleNoMethod(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: errorObject{Code: "method_not_allowed", Message: "method not allowed on this route"}})
}
