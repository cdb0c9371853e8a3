package auth

import (
	"context"
	"strings"
	"time"

	"redline/internal/drafting"
)

// Authenticator signs people in: it checks passwords, throttles failed
// attempts per account and per client address, and opens server-side
// sessions through the drafting service.
type Authenticator struct {
	svc      *drafting.Service
	throttle *Throttle
	dummy    string // a real hash, checked when the login is unknown
}

// NewAuthenticator allows attempts failed sign-ins per account and per
// client address within window before answering 429.
func NewAuthenticator(svc *drafting.Service, attempts int, window time.Duration) (*Authenticator, error) {
	dummy, err := HashPassword("not-a-real-password-" + TokenPrefix)
	if err != nil {
		return nil, err
	}
	return &Authenticator{svc: svc, throttle: NewThrottle(attempts, window), dummy: dummy}, nil
}

var errBadCredentials = drafting.Refuse("sign in", drafting.ReasonBadCredentials, "wrong login or password")

// SignIn checks login and password for a caller at clientIP and opens a new
// session, returning the user and the session's secret for the cookie. Every
// failure reads the same, so it tells nothing about which logins exist.
func (a *Authenticator) SignIn(ctx context.Context, login, password, clientIP string) (drafting.User, string, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	userKey, ipKey := "login:"+login, "ip:"+clientIP
	if ok, wait := a.throttle.Allowed(userKey, ipKey); !ok {
		return drafting.User{}, "", &drafting.Error{Kind: drafting.KindRateLimited, Reason: drafting.ReasonRateLimited, Op: "sign in",
			Message: "too many failed sign-ins; try again later",
			Details: map[string]any{"retry_after_seconds": int(wait.Seconds()) + 1}}
	}
	u, err := a.svc.UserByLogin(ctx, login)
	hash := a.dummy
	switch {
	case err == nil:
		hash = u.PasswordHash
	case drafting.ErrorKind(err) != drafting.KindNotFound:
		return drafting.User{}, "", err
	}
	// Always spend the argon2 time, so timing does not reveal unknown logins.
	if CheckPassword(hash, password) != nil || err != nil || u.Disabled {
		a.throttle.Fail(userKey, ipKey)
		return drafting.User{}, "", errBadCredentials
	}
	a.throttle.Succeed(userKey)
	secret, sessHash, err := NewSessionSecret()
	if err != nil {
		return drafting.User{}, "", err
	}
	if err := a.svc.CreateSession(ctx, u, sessHash); err != nil {
		return drafting.User{}, "", err
	}
	return u, secret, nil
}

// UserBySession returns the user of a live session cookie value.
func (a *Authenticator) UserBySession(ctx context.Context, secret string) (drafting.User, error) {
	return a.svc.UserBySession(ctx, HashToken(secret), SessionIdleTimeout, SessionAbsoluteTimeout)
}

// SignOut ends the session with this cookie value on the server.
func (a *Authenticator) SignOut(ctx context.Context, secret string) error {
	return a.svc.EndSession(ctx, HashToken(secret))
}
