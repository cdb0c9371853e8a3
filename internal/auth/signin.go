package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"redline/internal/drafting"
)

// Options configure an Authenticator.
type Options struct {
	Throttle      ThrottleOptions
	ThrottleStore ThrottleStore // nil: counters in this process only
	Hasher        HasherOptions
}

// Authenticator signs people in: it checks passwords through a bounded
// Hasher, throttles failed attempts per account and per client address,
// and opens server-side sessions through the drafting service.
type Authenticator struct {
	svc      *drafting.Service
	throttle *Throttle
	hasher   *Hasher
	dummy    string // a real hash, checked when the login is unknown
}

// NewAuthenticator returns an authenticator with opt's limits.
func NewAuthenticator(svc *drafting.Service, opt Options) (*Authenticator, error) {
	h := NewHasher(opt.Hasher)
	dummy, err := hashWith("not-a-real-password-"+TokenPrefix, h.params)
	if err != nil {
		return nil, err
	}
	return &Authenticator{svc: svc, throttle: NewThrottle(opt.ThrottleStore, opt.Throttle), hasher: h, dummy: dummy}, nil
}

// Hasher is the bounded hasher every request that hashes a password uses.
func (a *Authenticator) Hasher() *Hasher { return a.hasher }

// Throttle is the sign-in throttle.
func (a *Authenticator) Throttle() *Throttle { return a.throttle }

var errBadCredentials = drafting.Refuse("sign in", drafting.ReasonBadCredentials, "wrong login or password")

// Throttled is the error of an attempt refused unjudged: rate_limited with
// retry_after_seconds, retry_after_minutes and scope (account or address).
func Throttled(r *Refusal) error {
	secs := int((r.Wait + time.Second - 1) / time.Second)
	mins := (secs + 59) / 60
	msg := fmt.Sprintf("too many failed sign-ins to this account; try again in %d minute(s)", mins)
	if r.Scope == "address" {
		msg = fmt.Sprintf("too many failed sign-ins from this address; try again in %d minute(s)", mins)
	}
	return drafting.Refuse("sign in", drafting.ReasonRateLimited, msg).
		With("retry_after_seconds", secs).With("retry_after_minutes", mins).With("scope", r.Scope)
}

// SignIn checks login and password for a caller at clientIP and opens a new
// session, returning the user and the session's secret for the cookie. Every
// failure reads the same, so it tells nothing about which logins exist. The
// attempt is counted as a failure before the password is checked and given
// back when it was right.
func (a *Authenticator) SignIn(ctx context.Context, login, password, clientIP string) (drafting.User, string, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	userKey, ipKey := "login:"+login, "ip:"+clientIP
	// The turn to hash comes first: a flood of attempts is refused before
	// it reaches the database, and at most a few reserve at once.
	release, err := a.hasher.Turn(ctx)
	if err != nil {
		return drafting.User{}, "", err
	}
	held := true
	defer func() {
		if held {
			release()
		}
	}()
	reservation, refused, err := a.throttle.Reserve(ctx, userKey, ipKey)
	if err != nil {
		return drafting.User{}, "", err
	}
	if refused != nil {
		return drafting.User{}, "", Throttled(refused)
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
	cerr := a.hasher.checkHeld(hash, password)
	held = false
	release() // the session is opened without holding the turn
	if cerr != nil || err != nil || u.Disabled {
		return drafting.User{}, "", errBadCredentials
	}
	if err := a.throttle.Succeed(ctx, reservation); err != nil {
		return drafting.User{}, "", err
	}
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
