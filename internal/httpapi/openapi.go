package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

// handleOpenAPI serves the API's description (OpenAPI 3.1) to anyone: the
// same for every caller, with a strong ETag and 304, and cacheable by
// anyone when asked without credentials.
func (s *Server) handleOpenAPI(c *gin.Context) {
	doc, etag, err := apidoc.JSON()
	if err != nil {
		s.respondError(c, drafting.Wrap(drafting.KindInternal, "openapi", "the API description is unavailable", err))
		return
	}
	c.Header("ETag", `"`+etag+`"`)
	// Whatever a signed-in caller is answered stays no-store (the shell's
	// rule); the description is the same for everyone else.
	if actor(c) == nil {
		c.Header("Cache-Control", "public, max-age=300")
	}
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
}
