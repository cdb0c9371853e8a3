package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// Session lifetimes.
const (
	SessionIdleTimeout     = 12 * time.Hour
	SessionAbsoluteTimeout = 7 * 24 * time.Hour
)

// CookieName is the session cookie's name; over TLS it carries the __Host-
// prefix, which browsers only accept with Secure, Path=/ and no Domain.
func CookieName(tls bool) string {
	if tls {
		return "__Host-redline_session"
	}
	return "redline_session"
}

// NewSessionSecret returns a new random session secret and its stored hash.
func NewSessionSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("read session secret: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// SessionCookie is the cookie that carries a session secret.
func SessionCookie(secret string, tls bool) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName(tls),
		Value:    secret,
		Path:     "/",
		HttpOnly: true,
		Secure:   tls,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(SessionAbsoluteTimeout / time.Second),
	}
}

// ClearedCookie removes the session cookie from the browser.
func ClearedCookie(tls bool) *http.Cookie {
	c := SessionCookie("", tls)
	c.MaxAge = -1
	return c
}

// SessionExpired reports whether a session created at created and last seen
// at seen has timed out at now.
func SessionExpired(created, seen, now time.Time) bool {
	return now.Sub(seen) > SessionIdleTimeout || now.Sub(created) > SessionAbsoluteTimeout
}
