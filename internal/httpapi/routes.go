package httpapi

import "github.com/gin-gonic/gin"

func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	if s.metrics != nil {
		e.GET("/metrics", s.metrics.handler())
	}
	e.NoRoute(s.handleNoRoute)
	e.NoMethod(s.handleNoMethod)

	api := e.Group("/api/v1", s.authenticate)
	api.POST("/documents", s.handleDocumentCreate)
	api.GET("/documents", s.handleDocumentList)
	api.GET("/documents/:slug", s.handleDocumentGet)
	api.GET("/documents/:slug/revisions", s.handleRevisionList)
	api.POST("/documents/:slug/revisions", s.handleRevisionCommit)
	api.GET("/documents/:slug/revisions/:n", s.handleRevisionGet)
	api.GET("/documents/:slug/revisions/:n/text", s.handleRevisionText)
}
