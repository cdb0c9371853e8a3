package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

// TestTwoInstancesSeeRoleChanges runs two redline processes on one
// PostgreSQL database: a role granted through one is enforced by the other
// at its next request, and a revocation through the other likewise.
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

	// One blob folder for both, as one MinIO would be.
	env := []string{"REDLINE_DATABASE_URL=" + url, "REDLINE_S3_ENDPOINT=", "REDLINE_DATA_DIR=" + cfg.DataDir}
	one := startServe(t, env)
	two := startServe(t, env)

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
	// Without a role the document answers as one that does not exist
	// (issue 13).
	if got := call(two.base, "anna", "GET", "/api/v1/documents/doc", nil); got != 404 {
		t.Fatalf("before the grant: %d", got)
	}
	// Each instance checks the policy version before it decides (issue
	// 18), so a change acknowledged by one is in force on the other at its
	// very next request, without waiting for the notification.
	for i := range 5 {
		if got := call(one.base, "root", "PUT", "/api/v1/documents/doc/members/anna", map[string]any{"role": "member"}); got != 200 {
			t.Fatalf("grant %d through instance one: %d", i, got)
		}
		if got := call(two.base, "anna", "GET", "/api/v1/documents/doc", nil); got != 200 {
			t.Fatalf("right after grant %d through instance one, instance two answered %d, want 200", i, got)
		}
		if got := call(two.base, "root", "DELETE", "/api/v1/documents/doc/members/anna", nil); got != 204 {
			t.Fatalf("revoke %d through instance two: %d", i, got)
		}
		if got := call(one.base, "anna", "GET", "/api/v1/documents/doc", nil); got != 404 {
			t.Fatalf("right after revocation %d through instance two, instance one answered %d, want 404", i, got)
		}
	}

	// The public page, cached by each instance, is dropped on the other
	// instance when an adoption through one is acknowledged (issue 18):
	// the committing instance answers once every listening instance has
	// handled the notification and said so (sqlstore's publicCommitted), so
	// the very next request to either gets the new page. An order, not a
	// race: hearing its own echo was not enough, and this failed on a busy
	// machine when the other instance had not handled it yet.
	if got := call(one.base, "root", "PUT", "/api/v1/documents/doc/members/root", map[string]any{"role": "chair"}); got != 200 {
		t.Fatalf("appoint root: %d", got)
	}
	send := func(base, method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tokens["root"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	page := func(base string) (int, http.Header) {
		t.Helper()
		resp, err := http.Get(base + "/public/doc")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	head := int64(1)
	for i, stage := range []string{"basis", "final"} {
		if i > 0 {
			st, out := send(one.base, "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": head, "text": text + fmt.Sprintf("\n\n2. Редакция %d.", i)})
			if st != 201 {
				t.Fatalf("commit: %d %v", st, out)
			}
			head = int64(out["number"].(float64))
		}
		st, out := send(one.base, "GET", "/api/v1/documents/doc", nil)
		if st != 200 {
			t.Fatalf("head: %d %v", st, out)
		}
		sum, _ := out["head"].(map[string]any)["sha256"].(string)
		rev := strconv.FormatInt(head, 10)
		if st, out := send(one.base, "POST", "/api/v1/documents/doc/revisions/"+rev+"/approvals", map[string]any{"sha256": sum}); st != 201 {
			t.Fatalf("approve: %d %v", st, out)
		}
		before := map[string]string{}
		for _, base := range []string{one.base, two.base} {
			st, h := page(base)
			before[base] = strconv.Itoa(st) + h.Get("ETag")
		}
		st, out = send(one.base, "POST", "/api/v1/documents/doc/revisions/"+rev+"/adopt", map[string]any{"stage": stage})
		if st != 201 {
			t.Fatalf("adopt: %d %v", st, out)
		}
		id := strconv.FormatInt(int64(out["id"].(float64)), 10)
		for _, base := range []string{two.base, one.base} {
			st, h := page(base)
			if st != 200 || !strings.HasPrefix(h.Get("ETag"), `"p`+id+"-") || strconv.Itoa(st)+h.Get("ETag") == before[base] {
				t.Fatalf("right after adoption %s, %s served %d with ETag %s (before: %s)", id, base, st, h.Get("ETag"), before[base])
			}
			if cc := h.Get("Cache-Control"); !strings.Contains(cc, "stale-while-revalidate") || !strings.Contains(cc, "public") {
				t.Errorf("public page Cache-Control %q", cc)
			}
		}
	}
}
