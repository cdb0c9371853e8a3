package httpapi

import "github.com/gin-gonic/gin"

func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	if s.metrics != nil {
		e.GET("/metrics", s.metrics.handler())
	}
	if s.pages != nil {
		s.pages(e.Group("/", s.identify), PageEnv{Auth: s.auth, TLS: s.tls})
	}
	e.NoRoute(s.handleNoRoute)
	e.NoMethod(s.handleNoMethod)

	api := e.Group("/api/v1", s.identify, s.idempotency)
	api.GET("/public/documents/:slug", s.handlePublicDocument)
	api.GET("/public/documents/:slug/adoptions", s.handlePublicAdoptions)
	api.GET("/public/documents/:slug/diff", s.handlePublicDiff)
	api.GET("/public/documents/:slug/download/:file", s.handlePublicDownload)
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
	api.GET("/documents/:slug/revisions/:n/approvals", s.handleApprovalList)
	api.POST("/documents/:slug/revisions/:n/approvals", s.handleApprovalCreate)
	api.POST("/documents/:slug/revisions/:n/adopt", s.handleAdopt)
	api.POST("/documents/:slug/proposals", s.handleProposalCreate)
	api.GET("/documents/:slug/proposals", s.handleProposalList)
	api.GET("/documents/:slug/proposals/:p", s.handleProposalGet)
	api.GET("/documents/:slug/proposals/:p/text", s.handleProposalText)
	api.GET("/documents/:slug/proposals/:p/diff", s.handleProposalDiff)
	api.GET("/documents/:slug/proposals/:p/collisions", s.handleProposalCollisions)
	api.POST("/documents/:slug/proposals/:p/merge", s.handleProposalMerge)
	api.POST("/documents/:slug/proposals/:p/withdraw", s.handleProposalWithdraw)
	api.POST("/documents/:slug/proposals/:p/reject", s.handleProposalReject)
	api.GET("/documents/:slug/events", s.handleEvents)
	api.GET("/documents/:slug/members", s.handleMemberList)
	api.GET("/documents/:slug/members/changes", s.handleMemberChanges)
	api.PUT("/documents/:slug/members/:login", s.handleMemberPut)
	api.DELETE("/documents/:slug/members/:login", s.handleMemberDelete)
}
