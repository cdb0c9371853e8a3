package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

// handleOpenAPI serves the API's description (OpenAPI 3.1) to anyone: the
// same for every caller, so cacheable, with a strong ETag and 304.
func (s *Server) handleOpenAPI(c *gin.Context) {
	doc, etag, err := apidoc.JSON()
	if err != nil {
		s.respondError(c, drafting.Wrap(drafting.KindInternal, "openapi", "the API description is unavailable", err))
		return
	}
	c.Header("ETag", `"`+etag+`"`)
	c.Header("Cache-Control", "public, max-age=300")
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
}
