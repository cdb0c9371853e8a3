package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"redline/internal/apidoc/apidoctest"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

// TestTwoInstancesSeeRoleChanges runs two redline processes on one
// PostgreSQL database: a role granted through one is enforced by the other
// within 2 seconds, and a revocation through the other likewise.
func TestTwoInstancesSeeRoleChanges(t *testing.T) {
	url := testenv.PostgresURL(t)
	t.Setenv("REDLINE_DATABASE_URL", url)
	t.Setenv("REDLINE_S3_ENDPOINT", "")
	t.Setenv("REDLINE_DATA_DIR", t.TempDir())
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, os.Stderr, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range []struct {
		login string
		admin bool
	}{{"root", true}, {"anna", false}} {
		if _, err := drafting.NewOperator(a.svc).CreateUser(ctx, drafting.NewUser{Login: u.login, PasswordHash: "$argon2id$x", Admin: u.admin}); err != nil {
			t.Fatal(err)
		}
		tok, hash, _ := auth.NewToken()
		if _, err := drafting.NewOperator(a.svc).CreateToken(ctx, u.login, "", hash); err != nil {
			t.Fatal(err)
		}
		tokens[u.login] = tok
	}
	root, _ := a.svc.UserByLogin(ctx, "root")
	text := "1. Принять за основу."
	if _, err := a.svc.Documents.Create(ctx, &root, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	env := []string{"REDLINE_DATABASE_URL=" + url, "REDLINE_S3_ENDPOINT="}
	one := startServe(t, append(env, "REDLINE_DATA_DIR="+t.TempDir()))
	two := startServe(t, append(env, "REDLINE_DATA_DIR="+t.TempDir()))

	call := func(base, login, method, path string, body any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+tokens[login])
		req.Header.Set("Content-Type", "application/json")
		resp, err := apidoctest.Client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(base string, want int) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 5*time.Second {
			if call(base, "anna", "GET", "/api/v1/documents/doc", nil) == want {
				return time.Since(start)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("status %d not seen within 5 s", want)
		return 0
	}

	if got := call(two.base, "anna", "GET", "/api/v1/documents/doc", nil); got != 403 {
		t.Fatalf("before the grant: %d", got)
	}
	if got := call(one.base, "root", "PUT", "/api/v1/documents/doc/members/anna", map[string]any{"role": "member"}); got != 200 {
		t.Fatalf("grant through instance one: %d", got)
	}
	if d := waitFor(two.base, 200); d > 2*time.Second {
		t.Errorf("instance two saw the grant after %s", d)
	} else {
		t.Logf("instance two enforced the grant after %s", d)
	}
	if got := call(two.base, "root", "DELETE", "/api/v1/documents/doc/members/anna", nil); got != 204 {
		t.Fatalf("revoke through instance two: %d", got)
	}
	if d := waitFor(one.base, 403); d > 2*time.Second {
		t.Errorf("instance one saw the revocation after %s", d)
	} else {
		t.Logf("instance one enforced the revocation after %s", d)
	}
}
