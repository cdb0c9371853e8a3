// Package httpapi is Redline's JSON API over Gin: routes, request decoding,
// authentication of the caller, and the one map from error kinds to statuses.
package httpapi

import (
	"context"
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
	// TLS says the server is reached over HTTPS (REDLINE_BASE_URL https://):
	// Secure __Host- cookies and HSTS.
	TLS bool
	// LoginAttempts failed sign-ins per account and per address within
	// LoginWindow are allowed before 429 (5 and 15 minutes when zero).
	LoginAttempts int
	LoginWindow   time.Duration
	// Pages registers HTML routes beside the API, behind the same caller
	// identification, security headers and cross-origin protection.
	Pages func(g *gin.RouterGroup, env PageEnv)
	// RequestTimeout bounds the storage work of one request (20 s when
	// zero): a database or blob store that stops answering turns into a 503
	// with Retry-After instead of a request that hangs until TCP gives up.
	RequestTimeout time.Duration
}

// PageEnv is what HTML pages get from the server they are mounted in.
type PageEnv struct {
	Auth *auth.Authenticator // signs people in and out
	TLS  bool                // cookies are Secure and __Host- prefixed
}

// Actor is the caller a request was identified as, nil for an anonymous one.
func Actor(c *gin.Context) *drafting.User { return actor(c) }

// Nonce is the Content-Security-Policy nonce of this response; a page's
// script elements must carry it.
func Nonce(c *gin.Context) string { return cspNonce(c) }

// SessionSecret is the session cookie's value when the caller was identified
// by one ("" otherwise).
func SessionSecret(c *gin.Context) string { return c.GetString(ctxSession) }

// Server holds the API's dependencies; its handlers are methods.
type Server struct {
	svc     *drafting.Service
	auth    *auth.Authenticator
	log     *slog.Logger
	metrics *Metrics
	maxBody int64
	tls     bool
	pages   func(g *gin.RouterGroup, env PageEnv)
	timeout time.Duration
}

// Handler is the API's HTTP handler.
type Handler struct {
	http.Handler
	engine *gin.Engine
}

// Route is one registered method and path.
type Route struct{ Method, Path string }

// Routes lists every registered route.
func (h *Handler) Routes() []Route {
	var rs []Route
	for _, r := range h.engine.Routes() {
		rs = append(rs, Route{Method: r.Method, Path: r.Path})
	}
	return rs
}

// New returns the API's HTTP handler.
func New(svc *drafting.Service, opt Options) (*Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{svc: svc, log: opt.Logger, metrics: opt.Metrics,
		// JSON may escape characters, so a body may be larger than its text;
		// the text's own limit is checked after decoding (413 either way).
		maxBody: 2*svc.MaxTextBytes() + 1<<20, tls: opt.TLS, pages: opt.Pages, timeout: opt.RequestTimeout}
	if s.timeout <= 0 {
		s.timeout = 20 * time.Second
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	attempts, window := opt.LoginAttempts, opt.LoginWindow
	if attempts <= 0 {
		attempts = 5
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	a, err := auth.NewAuthenticator(svc, attempts, window)
	if err != nil {
		return nil, err
	}
	s.auth = a
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
	e.Use(s.requestID, s.recover, s.securityHeaders, s.logRequests)
	if s.metrics != nil {
		e.Use(s.metrics.middleware)
	}
	e.Use(s.limitBody, s.deadline)
	s.routes(e)
	// Browsers say where a request comes from (Sec-Fetch-Site, Origin):
	// a cross-site POST, PUT or DELETE is refused before it reaches a route,
	// whether it carries a session cookie or not. Scripts without those
	// headers (curl, CI with a token) are unaffected.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		setSecurityHeaders(w.Header(), "", s.tls)
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":"forbidden","message":"cross-origin request refused"}}`))
	}))
	return &Handler{Handler: cop.Handler(e), engine: e}, nil
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

const (
	ctxUser    = "redline.user"
	ctxSession = "redline.session"
	ctxNonce   = "redline.nonce"
)

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

// deadline gives the request's context a deadline, which every database and
// blob store call below honours.
func (s *Server) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.timeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
	}
	c.Next()
}

// identify establishes who is calling: a Bearer token, else a session
// cookie, else nobody (a public reader). A wrong token is refused at once; a
// dead session cookie is cleared and the caller treated as anonymous, so the
// service answers what an anonymous caller gets.
func (s *Server) identify(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.respondError(c, drafting.E(drafting.KindUnauthenticated, "authenticate", "send Authorization: Bearer <token>"))
			return
		}
		u, err := s.svc.UserByToken(ctx, auth.HashToken(token))
		if err != nil {
			s.respondError(c, err)
			return
		}
		s.setActor(c, &u)
		return
	}
	if secret, err := c.Cookie(auth.CookieName(s.tls)); err == nil && secret != "" {
		u, err := s.auth.UserBySession(ctx, secret)
		switch {
		case err == nil:
			c.Set(ctxSession, secret)
			s.setActor(c, &u)
			return
		case drafting.ErrorKind(err) == drafting.KindUnauthenticated:
			http.SetCookie(c.Writer, auth.ClearedCookie(s.tls))
		default:
			s.respondError(c, err)
			return
		}
	}
	c.Next()
}

func (s *Server) setActor(c *gin.Context, u *drafting.User) {
	c.Set(ctxUser, u)
	// Whatever a signed-in caller sees is theirs alone: never cache it.
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// actor is the caller established by authenticate.
func actor(c *gin.Context) *drafting.User {
	u, _ := c.Get(ctxUser)
	p, _ := u.(*drafting.User)
	return p
}
