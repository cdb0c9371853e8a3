// Package httpapi is Redline's JSON API over Gin: routes, request decoding,
// authentication of the caller, and the one map from error kinds to statuses.
package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/drafting"
)

// Options configure the API.
type Options struct {
	Logger         *slog.Logger
	TrustedProxies []string // IPs or CIDRs; none means X-Forwarded-For is ignored
	Metrics        *Metrics // nil: no /metrics
}

// Server holds the API's dependencies; its handlers are methods.
type Server struct {
	svc     *drafting.Service
	log     *slog.Logger
	metrics *Metrics
	maxBody int64
}

// New returns the API's HTTP handler.
func New(svc *drafting.Service, opt Options) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{svc: svc, log: opt.Logger, metrics: opt.Metrics,
		// JSON may escape characters, so a body may be larger than its text;
		// the text's own limit is checked after decoding (413 either way).
		maxBody: 2*svc.MaxTextBytes() + 1<<20}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Gin trusts every proxy until told otherwise, which makes ClientIP
	// spoofable; trust exactly the configured ones.
	if err := e.SetTrustedProxies(opt.TrustedProxies); err != nil {
		return nil, err
	}
	if len(opt.TrustedProxies) == 0 {
		e.ForwardedByClientIP = false
	}
	e.Use(s.requestID, s.recover, s.logRequests)
	if s.metrics != nil {
		e.Use(s.metrics.middleware)
	}
	e.Use(s.limitBody)
	s.routes(e)
	return e, nil
}

// NewHTTPServer wraps h in an http.Server with timeouts suited to texts of a
// few megabytes.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

const ctxUser = "redline.user"

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set("request_id", id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString("request_id") }

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", v)
			s.respondError(c, drafting.E(drafting.KindInternal, "handle request", "internal error"))
		}
	}()
	c.Next()
}

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.String("client", c.ClientIP()),
	)
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
	}
	c.Next()
}

// authenticate establishes who is calling from the Bearer token, and refuses
// the request when nobody is.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		s.respondError(c, drafting.E(drafting.KindUnauthenticated, "authenticate", "send Authorization: Bearer <token>"))
		return
	}
	u, err := s.svc.UserByToken(c.Request.Context(), auth.HashToken(strings.TrimSpace(token)))
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Set(ctxUser, &u)
	c.Next()
}

// actor is the caller established by authenticate.
func actor(c *gin.Context) *drafting.User {
	u, _ := c.Get(ctxUser)
	p, _ := u.(*drafting.User)
	return p
}
