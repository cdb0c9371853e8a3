package webui

// --- issue 14: people are named by their display names ---

import (
	"context"
	"strconv"
	"strings"

	"redline/internal/drafting"
)

// namer finds the display names of logins for one page, asking the service
// once per login.
type namer struct {
	ctx  context.Context
	svc  *drafting.Service
	memo map[string]string
}

func (u *UI) namer(ctx context.Context) *namer {
	return &namer{ctx: ctx, svc: u.svc, memo: map[string]string{}}
}

// name is login's display name, the login itself when the account has none
// (or is gone).
func (n *namer) name(login string) string {
	if n == nil || login == "" {
		return login
	}
	if v, ok := n.memo[login]; ok {
		return v
	}
	v := n.svc.DisplayName(n.ctx, login)
	n.memo[login] = v
	return v
}

// Name is how a page names the person with this login: the display name,
// the login where there is none.
func (p *page) Name(login string) string { return p.names.name(login) }

// NameLogin is Name with the login beside it, for the views that manage
// accounts and roles: «Иванова Анна Сергеевна (ivanova)».
func (p *page) NameLogin(login string) string {
	if n := p.names.name(login); n != login {
		return n + " (" + login + ")"
	}
	return login
}

// userArg marks a message's argument as what people wrote (a name, a
// title, a reason), to be shown apart from the interface's own words.
type userArg string

// part is a piece of a translated sentence: the interface's words, or
// what people wrote (User), which a page marks as such (data-user) so
// that it is not taken for the interface's language.
type part struct {
	Text string
	User bool
}

// UserText marks s as what people wrote, for TP.
func (p *page) UserText(s string) userArg { return userArg(s) }

// TP is T split into parts: the arguments marked with UserText come out as
// parts of their own.
func (t *translator) TP(id string, args ...any) []part {
	var user []string
	for i := 1; i < len(args); i += 2 {
		if v, ok := args[i].(userArg); ok {
			args[i] = "\ue000" + strconv.Itoa(len(user)) + "\ue001"
			user = append(user, string(v))
		}
	}
	s := t.T(id, args...)
	var out []part
	for s != "" {
		i := strings.Index(s, "\ue000")
		j := strings.Index(s, "\ue001")
		if i < 0 || j < i {
			out = append(out, part{Text: s})
			break
		}
		if i > 0 {
			out = append(out, part{Text: s[:i]})
		}
		if n, err := strconv.Atoi(s[i+len("\ue000") : j]); err == nil && n < len(user) {
			out = append(out, part{Text: user[n], User: true})
		}
		s = s[j+len("\ue001"):]
	}
	return out
}

// joinParts is the sentence the parts make.
func joinParts(ps []part) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text)
	}
	return b.String()
}
