package shell

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// FuzzMetricsLabels (issue 13) sends arbitrary methods and Authorization
// headers: the method label is always one of HTTP's methods or "other",
// and /metrics opens only to its exact token from a listed address.
func FuzzMetricsLabels(f *testing.F) {
	for _, s := range []string{"GET", "get", "PROPFIND", "X\x00", "", "BREW", strings.Repeat("A", 300)} {
		f.Add(s, "Bearer metrics-token")
		f.Add(s, "bearer  metrics-token ")
		f.Add(s, "Bearer metrics-token2")
	}
	g, err := newMetricsGuard("metrics-token", []string{"127.0.0.1", "::1/128"})
	if err != nil {
		f.Fatal(err)
	}
	known := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
	s := &Shell{}
	f.Fuzz(func(t *testing.T, method, authz string) {
		if l := MethodLabel(method); !known[l] || (l != "other" && l != method) {
			t.Fatalf("MethodLabel(%q) = %q", method, l)
		}
		e := newTestEngine(s)
		e.GET("/metrics", g.check(s), func(c *ginContext) { c.String(http.StatusOK, "metrics") })
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("Authorization", authz)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		scheme, tok, _ := strings.Cut(authz, " ")
		open := strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) == "metrics-token"
		if (rec.Code == http.StatusOK) != open {
			t.Fatalf("Authorization %q: %d", authz, rec.Code)
		}
	})
}

type ginContext = gin.Context

func newTestEngine(s *Shell) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	s.log = slog.New(slog.DiscardHandler)
	return gin.New()
}
