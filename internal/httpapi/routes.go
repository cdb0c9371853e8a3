package httpapi

import (
	"github.com/gin-gonic/gin"

	"redline/internal/convert"
)

// routes registers the API on its group (/api/v1): one line per route.
func (s *Server) routes(api *gin.RouterGroup) {
	api.Use(s.idempotency)
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
	api.POST("/documents/:slug/reopen", s.handleDocumentReopen)
	api.GET("/documents/:slug/revisions", s.handleRevisionList)
	api.POST("/documents/:slug/revisions", s.handleRevisionCommit)
	api.GET("/documents/:slug/revisions/:n", s.handleRevisionGet)
	api.GET("/documents/:slug/revisions/:n/text", s.handleRevisionText)
	api.HEAD("/documents/:slug/revisions/:n/text", s.handleRevisionText) // issue 14: downloads answer HEAD
	api.GET("/documents/:slug/diff", s.sh.TakeTurns, s.handleDiff)
	api.GET("/documents/:slug/revisions/:n/approvals", s.handleApprovalList)
	api.POST("/documents/:slug/revisions/:n/approvals", s.handleApprovalCreate)
	api.POST("/documents/:slug/revisions/:n/adopt", s.handleAdopt)
	api.POST("/documents/:slug/proposals", s.handleProposalCreate)
	api.GET("/documents/:slug/proposals", s.handleProposalList)
	api.GET("/documents/:slug/proposals/:p", s.handleProposalGet)
	api.GET("/documents/:slug/proposals/:p/text", s.handleProposalText)
	api.HEAD("/documents/:slug/proposals/:p/text", s.handleProposalText)
	api.GET("/documents/:slug/proposals/:p/diff", s.sh.TakeTurns, s.handleProposalDiff)
	api.GET("/documents/:slug/proposals/:p/collisions", s.sh.TakeTurns, s.handleProposalCollisions)
	api.POST("/documents/:slug/proposals/:p/merge", s.handleProposalMerge)
	api.POST("/documents/:slug/proposals/:p/withdraw", s.handleProposalWithdraw)
	api.POST("/documents/:slug/proposals/:p/reject", s.handleProposalReject)
	api.GET("/documents/:slug/events", s.handleEvents)
	api.POST("/documents/:slug/comments", s.handleCommentCreate)
	api.GET("/documents/:slug/comments", s.handleCommentList)
	api.PUT("/documents/:slug/comments/:id", s.handleCommentEdit)
	api.GET("/documents/:slug/comments/:id/versions", s.handleCommentVersions)
	api.POST("/documents/:slug/comments/:id/resolve", s.handleCommentResolve)
	api.POST("/documents/:slug/comments/:id/reopen", s.handleCommentReopen)
	api.POST("/documents/:slug/comments/:id/hide", s.handleCommentHide)
	api.GET("/documents/:slug/members", s.handleMemberList)
	api.GET("/documents/:slug/members/changes", s.handleMemberChanges)
	api.PUT("/documents/:slug/members/:login", s.handleMemberPut)
	api.DELETE("/documents/:slug/members/:login", s.handleMemberDelete)
	s.amendmentRoutes(api) // issue 14
}

// --- issue 15: office files ---

// officeRoutes registers the office files on a group of their own: the
// idempotency middleware of the other routes reads a body whole under the
// JSON cap, and an upload's is larger. An import commits nothing, but it
// converts a file (the costly part), so it has idempotency keys of its own
// (idempotentUpload): a retry gets the first answer without converting the
// file again. Downloads answer HEAD as well as GET.
func (s *Server) officeRoutes(api *gin.RouterGroup) {
	api.POST("/documents/:slug/imports", s.idempotentUpload(
		func() int64 { return s.files.MaxUploadBytes() + multipartSlack },
		func() error { return convert.FileTooLarge(s.files.MaxUploadBytes()) }), s.handleImport)
	api.GET("/documents/:slug/revisions/:n/export.docx", s.handleRevisionExport)
	api.HEAD("/documents/:slug/revisions/:n/export.docx", s.handleRevisionExport)
	api.GET("/documents/:slug/revisions/:n/export.odt", s.handleRevisionExport)
	api.HEAD("/documents/:slug/revisions/:n/export.odt", s.handleRevisionExport)
	api.GET("/documents/:slug/revisions/:n/export.pdf", s.handleRevisionExport)
	api.HEAD("/documents/:slug/revisions/:n/export.pdf", s.handleRevisionExport)
	api.GET("/documents/:slug/diff.docx", s.handleDiffExport)
	api.HEAD("/documents/:slug/diff.docx", s.handleDiffExport)
	api.GET("/documents/:slug/diff.pdf", s.handleDiffExport)
	api.HEAD("/documents/:slug/diff.pdf", s.handleDiffExport)
	api.HEAD("/public/documents/:slug/download/:file", s.handlePublicDownload)
	// issue 16: the API's description (internal/apidoc).
	api.GET("/openapi.json", s.handleOpenAPI)
}

// --- issue 14: amendments item by item, decisions and votes ---

// amendmentRoutes registers decisions and the table of amendments.
func (s *Server) amendmentRoutes(api *gin.RouterGroup) {
	api.POST("/documents/:slug/proposals/:p/decision", s.handleProposalDecision)
	api.GET("/documents/:slug/proposals/:p/effect", s.handleProposalEffect)
	api.GET("/documents/:slug/consolidated", s.handleConsolidated)
	for _, path := range []string{"/documents/:slug/amendments", "/documents/:slug/amendments.csv", "/documents/:slug/amendments.docx"} {
		api.GET(path, s.handleAmendments)
		api.HEAD(path, s.handleAmendments)
	}
	for _, path := range []string{"/public/documents/:slug/amendments", "/public/documents/:slug/amendments.csv", "/public/documents/:slug/amendments.docx"} {
		api.GET(path, s.handlePublicAmendments)
		api.HEAD(path, s.handlePublicAmendments)
	}
}
