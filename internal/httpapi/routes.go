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

	api := e.Group("/api/v1", s.identify)
	api.POST("/session", s.handleSessionCreate)
	api.DELETE("/session", s.handleSessionDelete)
	api.GET("/me", s.handleMe)
	api.POST("/tokens", s.handleTokenCreate)
	api.GET("/tokens", s.handleTokenList)
	api.DELETE("/tokens/:id", s.handleTokenDelete)
	api.POST("/users", s.handleUserCreate)
	api.GET("/users", s.handleUserList)
	api.POST("/users/:login/disable", s.handleUserDisable)
	api.POST("/users/:login/enable", s.handleUserEnable)

	api.POST("/documents", s.handleDocumentCreate)
	api.GET("/documents", s.handleDocumentList)
	api.GET("/documents/:slug", s.handleDocumentGet)
	api.GET("/documents/:slug/revisions", s.handleRevisionList)
	api.POST("/documents/:slug/revisions", s.handleRevisionCommit)
	api.GET("/documents/:slug/revisions/:n", s.handleRevisionGet)
	api.GET("/documents/:slug/revisions/:n/text", s.handleRevisionText)
	api.GET("/documents/:slug/diff", s.handleDiff)
	api.GET("/documents/:slug/members", s.handleMemberList)
	api.GET("/documents/:slug/members/changes", s.handleMemberChanges)
	api.PUT("/documents/:slug/members/:login", s.handleMemberPut)
	api.DELETE("/documents/:slug/members/:login", s.handleMemberDelete)
}
