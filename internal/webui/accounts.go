package webui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/shell"
)

type signInData struct {
	Login string
	Next  string
}

func (u *UI) handleSignInForm(c *gin.Context) {
	p := u.newPage(c, "")
	p.Title = p.T("signin.title")
	p.Section = "signin"
	p.Data = signInData{Next: localPath(c.Query("next"), "")}
	u.render(c, http.StatusOK, "signin", p)
}

func (u *UI) handleSignIn(c *gin.Context) {
	p := u.newPage(c, "")
	p.Title = p.T("signin.title")
	p.Section = "signin"
	login := strings.TrimSpace(c.PostForm("login"))
	pw := c.PostForm("password")
	next := localPath(c.PostForm("next"), "/documents")
	p.Data = signInData{Login: login, Next: c.PostForm("next")}
	if login == "" {
		p.Errors["login"] = p.T("signin.login_required")
	}
	if pw == "" {
		p.Errors["password"] = p.T("signin.password_required")
	}
	if len(p.Errors) > 0 {
		u.render(c, http.StatusBadRequest, "signin", p)
		return
	}
	ctx := c.Request.Context()
	_, secret, err := u.sh.Auth().SignIn(ctx, login, pw, c.ClientIP())
	if err != nil {
		shell.SetErrorHeaders(c, err)
		switch drafting.ErrorKind(err) {
		case drafting.KindRateLimited:
			d := drafting.ErrorDetails(err)
			msg := "signin.throttled"
			if d["scope"] == "address" {
				msg = "signin.throttled_address"
			}
			p.Errors["password"] = p.T(msg, "Minutes", d["retry_after_minutes"])
		case drafting.KindUnavailable:
			p.Errors["password"] = p.T("signin.busy")
		case drafting.KindUnauthenticated, drafting.KindInvalid, drafting.KindNotFound, drafting.KindForbidden:
			p.Errors["password"] = p.T("signin.wrong")
		default:
			u.fail(c, err)
			return
		}
		u.render(c, shell.Status(err), "signin", p)
		return
	}
	// The session the browser came with, if any, ends here, so a session
	// fixed before sign-in is never promoted.
	if old := shell.SessionSecret(c); old != "" {
		_ = u.sh.Auth().SignOut(ctx, old)
	}
	http.SetCookie(c.Writer, auth.SessionCookie(secret, u.sh.TLS()))
	seeOther(c, next)
}

func (u *UI) handleSignOut(c *gin.Context) {
	if secret := shell.SessionSecret(c); secret != "" {
		if err := u.sh.Auth().SignOut(c.Request.Context(), secret); err != nil {
			u.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, auth.ClearedCookie(u.sh.TLS()))
	seeOther(c, "/")
}

type usersData struct {
	Users []drafting.User
	Form  userForm
}

type userForm struct {
	Login, DisplayName string
	Admin              bool
}

func (u *UI) handleUsers(c *gin.Context) { u.showUsers(c, http.StatusOK, nil, userForm{}) }

func (u *UI) showUsers(c *gin.Context, status int, errs map[string]string, f userForm) {
	users, err := u.svc.Accounts.List(c.Request.Context(), shell.Actor(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, "")
	p.Title = p.T("users.title")
	p.Section = "users"
	p.Notice = c.Query("done")
	for k, v := range errs {
		p.Errors[k] = v
	}
	p.Data = usersData{Users: users, Form: f}
	u.render(c, status, "users", p)
}

func (u *UI) handleUserCreate(c *gin.Context) {
	actor := shell.Actor(c)
	// Refuse before spending argon2 time on a caller who may not add users.
	if _, err := u.svc.Accounts.List(c.Request.Context(), actor); err != nil {
		u.fail(c, err)
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	f := userForm{Login: strings.TrimSpace(c.PostForm("login")), DisplayName: strings.TrimSpace(c.PostForm("display_name")),
		Admin: c.PostForm("admin") == "on"}
	pw := c.PostForm("password")
	errs := map[string]string{}
	if !drafting.ValidLogin(f.Login) {
		errs["login"] = t.T("users.login_invalid")
	}
	if err := auth.ValidatePassword(pw); err != nil {
		errs["password"] = t.T("users.password_invalid")
	}
	if len(errs) > 0 {
		u.showUsers(c, http.StatusBadRequest, errs, f)
		return
	}
	hash, err := u.sh.Auth().Hasher().Hash(c.Request.Context(), pw)
	if err != nil {
		u.fail(c, err)
		return
	}
	if _, err := u.svc.Accounts.Add(c.Request.Context(), actor, drafting.NewUser{Login: f.Login, DisplayName: f.DisplayName,
		PasswordHash: hash, Admin: f.Admin}); err != nil {
		if shownOnForm(err) {
			u.showUsers(c, shell.Status(err), formError(t, err, "login", "login", "display_name", "password"), f)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/users?done=users.created")
}

func (u *UI) handleUserDisable(c *gin.Context) { u.setDisabled(c, true) }
func (u *UI) handleUserEnable(c *gin.Context)  { u.setDisabled(c, false) }

func (u *UI) setDisabled(c *gin.Context, disabled bool) {
	if _, err := u.svc.Accounts.SetDisabled(c.Request.Context(), shell.Actor(c), c.Param("login"), disabled); err != nil {
		u.fail(c, err)
		return
	}
	seeOther(c, "/users?done=users.updated")
}
