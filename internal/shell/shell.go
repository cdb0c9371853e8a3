// Package shell is Redline's HTTP shell: one Gin engine inside an
// http.Server with timeouts, the middleware every request passes (request
// ids, recovery, security headers with a CSP nonce, the request log,
// metrics, a body limit, a deadline on storage work, cross-origin
// protection), identification of the caller (API token or session cookie),
// the health and metrics routes, and the one map from error kinds to HTTP
// statuses. The JSON API (httpapi) and the pages (webui) mount their route
// groups on it, each with its own way of answering an error.
package shell

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/drafting"
)

// Options configure the shell.
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
	// RequestTimeout bounds the storage work of one request (20 s when
	// zero): a database or blob store that stops answering turns into a 503
	// with Retry-After instead of a request that hangs until TCP gives up.
	RequestTimeout time.Duration
	// BaseURL is the public address (REDLINE_BASE_URL), e.g. printed on an
	// adopted text's PDF; the request's own when empty.
	BaseURL string

	// issue 13: hostile and careless users.

	// LoginAddressAttempts failed sign-ins per client address within
	// LoginWindow are allowed before every attempt from it gets 429 (300
	// when zero): a conference hall shares one address.
	LoginAddressAttempts int
	// ThrottleStore keeps the sign-in counters where every replica sees
	// them (the database); nil keeps them in this process.
	ThrottleStore auth.ThrottleStore
	// Hasher bounds password hashing: how many at once, how many wait.
	Hasher auth.HasherOptions
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsAllow, when not empty, are the addresses or CIDRs /metrics
	// answers; others get 403.
	MetricsAllow []string
	// MaxOpenProposals a member may have on one document (20 when zero).
	MaxOpenProposals int
	// CommentsPerMinute a member may post (30 when zero).
	CommentsPerMinute int
}

// ErrorFunc answers a request with an error: JSON for the API, a page for
// the pages.
type ErrorFunc func(c *gin.Context, err error)

// mount is a route group's prefix and how it answers errors.
type mount struct {
	prefix  string
	respond ErrorFunc
}

// Shell is the engine and what every route shares.
type Shell struct {
	svc     *drafting.Service
	engine  *gin.Engine
	auth    *auth.Authenticator
	log     *slog.Logger
	metrics *Metrics
	maxBody int64
	tls     bool
	timeout time.Duration
	cop     *http.CrossOriginProtection
	mounts  []mount // longest prefix first
	baseURL string

	maxOpenProposals  int
	commentsPerMinute int
	turns             accountTurns
	// issue 18: reads answered in front of the engine (front.go).
	fronts       []front
	frontHeaders http.Header
	// unbounded are the full paths exempt from the request deadline
	// (issue 17: event streams).
	unbounded map[string]bool
}

// New returns the shell over svc, with /healthz, /readyz and (with
// Metrics) /metrics registered.
func New(svc *drafting.Service, opt Options) (*Shell, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Shell{svc: svc, log: opt.Logger, metrics: opt.Metrics, tls: opt.TLS, timeout: opt.RequestTimeout,
		// JSON may escape characters, so a body may be larger than its text;
		// the text's own limit is checked after decoding (413 either way).
		maxBody: 2*svc.MaxTextBytes() + 1<<20, cop: http.NewCrossOriginProtection(),
		baseURL: strings.TrimRight(opt.BaseURL, "/"), frontHeaders: frontHeaders(opt.TLS)}
	if s.timeout <= 0 {
		s.timeout = 20 * time.Second
	}
	s.maxOpenProposals, s.commentsPerMinute = opt.MaxOpenProposals, opt.CommentsPerMinute
	if s.maxOpenProposals <= 0 {
		s.maxOpenProposals = 20
	}
	if s.commentsPerMinute <= 0 {
		s.commentsPerMinute = 30
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	a, err := auth.NewAuthenticator(svc, auth.Options{
		Throttle:      auth.ThrottleOptions{Attempts: opt.LoginAttempts, Window: opt.LoginWindow, AddressAttempts: opt.LoginAddressAttempts},
		ThrottleStore: opt.ThrottleStore,
		Hasher:        opt.Hasher,
	})
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
	// Browsers say where a request comes from (Sec-Fetch-Site, Origin): a
	// cross-site POST, PUT or DELETE is refused before it reaches a route,
	// whether it carries a session cookie or not. Scripts without those
	// headers (curl, CI with a token) are unaffected.
	e.Use(s.crossOrigin, s.limitBody, s.deadline)
	s.engine = e
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	if s.metrics != nil {
		guard, err := newMetricsGuard(opt.MetricsToken, opt.MetricsAllow)
		if err != nil {
			return nil, err
		}
		e.GET("/metrics", guard.check(s), s.metrics.handler())
	}
	e.NoRoute(func(c *gin.Context) { s.respond(c, drafting.Refuse("route", drafting.ReasonNotFound, "no such route")) })
	e.NoMethod(func(c *gin.Context) { s.respond(c, ErrMethodNotAllowed) })
	return s, nil
}

// Group returns a route group at prefix whose callers are identified (see
// Actor) and whose errors from the shell itself (a refused token, a panic,
// a cross-origin request, an unknown route under prefix) respond answers.
func (s *Shell) Group(prefix string, respond ErrorFunc) *gin.RouterGroup {
	s.Answer(prefix, respond)
	return s.engine.Group(prefix, s.identify)
}

// Answer makes respond answer the shell's own errors for every path under
// prefix, e.g. an unknown route.
func (s *Shell) Answer(prefix string, respond ErrorFunc) {
	s.mounts = append(s.mounts, mount{prefix: prefix, respond: respond})
	sort.SliceStable(s.mounts, func(i, j int) bool { return len(s.mounts[i].prefix) > len(s.mounts[j].prefix) })
}

// respond answers with the error function of the group the path is under,
// JSON when none.
func (s *Shell) respond(c *gin.Context, err error) {
	p := c.Request.URL.Path
	for _, m := range s.mounts {
		if p == m.prefix || strings.HasPrefix(p, strings.TrimSuffix(m.prefix, "/")+"/") {
			m.respond(c, err)
			c.Abort()
			return
		}
	}
	s.JSONError(c, err)
}

// Handler is the shell's HTTP handler: the engine, behind the reads
// answered in front of it (Front).
func (s *Shell) Handler() http.Handler {
	if len(s.fronts) == 0 {
		return s.engine
	}
	return http.HandlerFunc(s.serveFront)
}

// Auth signs people in and out.
func (s *Shell) Auth() *auth.Authenticator { return s.auth }

// TLS says cookies are Secure and __Host- prefixed.
func (s *Shell) TLS() bool { return s.tls }

// Logger is the shell's logger.
func (s *Shell) Logger() *slog.Logger { return s.log }

// MaxBody is the largest request body read.
func (s *Shell) MaxBody() int64 { return s.maxBody }

// Route is one registered method and path.
type Route struct{ Method, Path string }

// Routes lists every registered route.
func (s *Shell) Routes() []Route {
	var rs []Route
	for _, r := range s.engine.Routes() {
		rs = append(rs, Route{Method: r.Method, Path: r.Path})
	}
	return rs
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

var requestIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`) }) // built on first use, not at start

const (
	ctxUser      = "redline.user"
	ctxSession   = "redline.session"
	ctxNonce     = "redline.nonce"
	ctxRequestID = "redline.request_id"
)

// Actor is the caller a request was identified as, nil for an anonymous
// one.
func Actor(c *gin.Context) *drafting.User {
	u, _ := c.Get(ctxUser)
	p, _ := u.(*drafting.User)
	return p
}

// SessionSecret is the session cookie's value when the caller was
// identified by one ("" otherwise).
func SessionSecret(c *gin.Context) string { return c.GetString(ctxSession) }

// RequestID is this request's id (also the X-Request-ID response header).
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func (s *Shell) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern().MatchString(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func (s *Shell) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(c.Request.Context(), "panic", "request_id", RequestID(c), "panic", v)
			s.respond(c, drafting.E(drafting.KindInternal, "handle request", "internal error"))
		}
	}()
	c.Next()
}

func (s *Shell) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", RequestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.String("client", c.ClientIP()),
	)
}

// crossOrigin refuses a cross-site state-changing request from a browser.
func (s *Shell) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.respond(c, drafting.Refuse("cross-origin protection", drafting.ReasonCrossOrigin, "cross-origin request refused"))
		return
	}
	c.Next()
}

// deadline gives the request's context a deadline, which every database and
// blob store call below honours.
func (s *Shell) deadline(c *gin.Context) {
	if s.unbounded[c.FullPath()] {
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.timeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

func (s *Shell) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Set(ctxRawBody, c.Request.Body) // for LimitBody
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
	}
	c.Next()
}

// identify establishes who is calling: a Bearer token, else a session
// cookie, else nobody (a public reader). A wrong token is refused at once; a
// dead session cookie is cleared and the caller treated as anonymous, so the
// service answers what an anonymous caller gets.
func (s *Shell) identify(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.respond(c, drafting.Refuse("authenticate", drafting.ReasonBadCredentials, "send Authorization: Bearer <token>"))
			return
		}
		u, err := s.svc.UserByToken(ctx, auth.HashToken(token))
		if err != nil {
			s.respond(c, err)
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
			s.respond(c, err)
			return
		}
	}
	c.Next()
}

func (s *Shell) setActor(c *gin.Context, u *drafting.User) {
	c.Set(ctxUser, u)
	// Whatever a signed-in caller sees is theirs alone: never cache it.
	c.Header("Cache-Control", "no-store")
	c.Next()
}

func (s *Shell) handleHealth(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Shell) handleReady(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err.Error())
		s.JSONError(c, drafting.Wrap(drafting.KindUnavailable, "ready", "not ready: a storage service is unreachable", err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// --- issue 17 ---

// Unbounded exempts the route at path (as registered, e.g.
// "/api/v1/documents/:slug/events/stream") from the request deadline: an
// event stream lives as long as its reader and bounds each write itself.
// Call it before the route serves.
func (s *Shell) Unbounded(path string) {
	if s.unbounded == nil {
		s.unbounded = map[string]bool{}
	}
	s.unbounded[path] = true
}
