// Package httpapi is Redline's JSON API over Gin: its routes under /api/v1,
// request decoding, idempotency keys, and the JSON of each resource. It
// mounts on the HTTP shell (package shell), which identifies the caller and
// writes every error as the contract's error object.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/convert"
	"redline/internal/drafting"
	"redline/internal/shell"
)

// Options configure a Handler: the shell's options.
type Options = shell.Options

// Server holds the API's dependencies; its handlers are methods.
type Server struct {
	svc     *drafting.Service
	sh      *shell.Shell
	log     *slog.Logger
	maxBody int64
	files   *convert.Files // office files: imports and exports
}

// Mount registers the API's routes on sh under /api/v1; the shell answers
// their errors (and those of any other path under /api) as JSON.
func Mount(sh *shell.Shell, svc *drafting.Service) {
	s := &Server{svc: svc, sh: sh, log: sh.Logger(), maxBody: sh.MaxBody(), files: convert.New(svc, convert.Options{})}
	sh.Answer("/api", sh.JSONError)
	s.routes(sh.Group("/api/v1", sh.JSONError))
	s.officeRoutes(sh.Group("/api/v1", sh.JSONError))
	s.signingRoutes(sh.Group("/.well-known", sh.JSONError), sh.Group("/api/v1", sh.JSONError)) // issue 16
}

// Handler is a shell with only the API mounted.
type Handler struct {
	http.Handler
	sh *shell.Shell
}

// New returns a shell with the API mounted, for tools and tests that serve
// the API alone.
func New(svc *drafting.Service, opt Options) (*Handler, error) {
	sh, err := shell.New(svc, opt)
	if err != nil {
		return nil, err
	}
	Mount(sh, svc)
	return &Handler{Handler: sh.Handler(), sh: sh}, nil
}

// Routes lists every registered route.
func (h *Handler) Routes() []shell.Route { return h.sh.Routes() }

func actor(c *gin.Context) *drafting.User { return shell.Actor(c) }

// respondError writes err as the contract's error object.
func (s *Server) respondError(c *gin.Context, err error) { s.sh.JSONError(c, err) }
