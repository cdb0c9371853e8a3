package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/testenv/stack"
)

// allowAll is the anchor of the authorisation benchmark: the same request
// with a decision that costs nothing.
type allowAll struct{}

func (allowAll) Allow(drafting.Subject, string, string, string) bool { return true }
func (allowAll) Roles(drafting.Subject, string) []string             { return nil }

// BenchmarkAuthorizedTextRead reads a 100 KB revision text as a member
// through the whole stack (Gin, token lookup, service, SQLite, disk, hash
// check), once with the real Casbin enforcer and once with an authorizer
// that allows everything; the difference is what authorisation costs.
// BenchmarkAuthorizedTextRead/allow-only times the enforcer's decision alone.
func BenchmarkAuthorizedTextRead(b *testing.B) {
	text := strings.Repeat("1. Рекомендовать органам исполнительной власти содействовать развитию кластеров.\n\n", 700)
	setup := func(b *testing.B, authz drafting.Authorizer) (http.Handler, string, *stack.Stack) {
		st := stack.New(b, "sqlite+disk")
		svc := st.Service(b, drafting.Options{Authorizer: authz})
		h, err := httpapi.New(svc, httpapi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		a := &api{h: h, svc: svc, st: st, tokens: map[string]string{}}
		addUserB(b, a, "admin", true)
		addUserB(b, a, "member", false)
		admin, _ := svc.UserByLogin(b.Context(), "admin")
		if _, err := svc.Documents.Create(b.Context(), &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
			b.Fatal(err)
		}
		stack.MustRole(b, svc, "member", drafting.RoleMember, "doc")
		return h, a.tokens["member"], st
	}
	run := func(b *testing.B, h http.Handler, token string) {
		req := httptest.NewRequest("GET", "/api/v1/documents/doc/revisions/1/text", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("casbin", func(b *testing.B) {
		h, token, _ := setup(b, nil)
		run(b, h, token)
	})
	b.Run("allow-all", func(b *testing.B) {
		h, token, _ := setup(b, allowAll{})
		run(b, h, token)
	})
	b.Run("allow-only", func(b *testing.B) {
		_, _, st := setup(b, nil)
		member, _ := st.DB.UserByLogin(b.Context(), "member")
		doc, _ := st.DB.DocumentBySlug(b.Context(), "doc")
		sub := drafting.Subject{UserID: member.ID}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if !st.Enforcer.Allow(sub, doc.ID, drafting.ObjRevision, drafting.ActRead) {
				b.Fatal("denied")
			}
		}
	})
}

func addUserB(b *testing.B, a *api, login string, admin bool) {
	b.Helper()
	stack.MustUser(b, a.svc, login, admin)
	token, hash, err := auth.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := drafting.NewOperator(a.svc).CreateToken(b.Context(), login, "bench", hash); err != nil {
		b.Fatal(err)
	}
	a.tokens[login] = token
}
