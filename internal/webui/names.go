package webui

// --- issue 14: people are named by their display names ---

import (
	"context"
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
	v := login
	if u, err := n.svc.UserByLogin(n.ctx, login); err == nil && strings.TrimSpace(u.DisplayName) != "" {
		v = u.DisplayName
	}
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
