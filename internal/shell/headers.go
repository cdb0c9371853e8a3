package shell

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"
)

// securityHeaders sets the headers every response carries, with a fresh
// nonce for the page's scripts (pages read it with Nonce).
func (s *Shell) securityHeaders(c *gin.Context) {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	nonce := base64.RawStdEncoding.EncodeToString(b)
	c.Set(ctxNonce, nonce)
	setSecurityHeaders(c.Writer.Header(), nonce, s.tls)
	c.Next()
}

func setSecurityHeaders(h http.Header, nonce string, tls bool) {
	script := "'none'"
	if nonce != "" {
		script = "'nonce-" + nonce + "' 'strict-dynamic'"
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src "+script+
		"; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	h.Set("X-Frame-Options", "DENY")
	if tls {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// Nonce is the Content-Security-Policy nonce of this response; a page's
// script elements must carry it.
func Nonce(c *gin.Context) string { return c.GetString(ctxNonce) }
