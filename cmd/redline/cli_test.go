package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/drafting"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// useDataDir points every subcommand at a fresh embedded-default data folder.
func useDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"REDLINE_DATABASE_URL", "REDLINE_S3_ENDPOINT"} {
		t.Setenv(v, "")
	}
	t.Setenv("REDLINE_DATA_DIR", dir)
	return dir
}

func TestUserAndToken(t *testing.T) {
	useDataDir(t)
	if code, _, errs := runCLI(t, "", "user", "add", "chair"); code == 0 || !strings.Contains(errs, "standard input") {
		t.Fatalf("user add without a password: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "short\n", "user", "add", "chair"); code != 1 || !strings.Contains(errs, "8 to 256") {
		t.Fatalf("short password: %d %s", code, errs)
	}
	code, out, errs := runCLI(t, "очень-секретный-пароль\n", "user", "add", "chair", "--name", "Председатель", "--admin")
	if code != 0 || !strings.Contains(out, "created user chair") || !strings.Contains(out, "admin true") {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "очень-секретный-пароль\n", "user", "add", "chair"); code != 1 || !strings.Contains(errs, "taken") {
		t.Fatalf("duplicate user: %d %s", code, errs)
	}
	code, out, errs = runCLI(t, "", "token", "create", "chair", "--label", "ci")
	if code != 0 || !strings.HasPrefix(out, "rl_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create printed %q (%s)", out, errs)
	}
	if code, _, errs := runCLI(t, "", "token", "create", "nobody"); code != 1 || !strings.Contains(errs, "no such user") {
		t.Fatalf("token for a missing user: %d %s", code, errs)
	}
	if code, out, _ := runCLI(t, "", "migrate"); code != 0 || !strings.Contains(out, "sqlite") {
		t.Fatalf("migrate: %d %s", code, out)
	}
}

func TestRoleGrantRevoke(t *testing.T) {
	useDataDir(t)
	if code, _, errs := runCLI(t, "очень-секретный-пароль\n", "user", "add", "anna"); code != 0 {
		t.Fatal(errs)
	}
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, os.Stderr, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := drafting.NewOperator(a.svc).CreateUser(ctx, drafting.NewUser{Login: "root", PasswordHash: "$argon2id$x", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ"}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"role", "grant", "anna", "chair", "doc"}, 0, "anna is now chair of doc"},
		{[]string{"role", "grant", "anna", "member", "doc"}, 0, "anna is now member of doc"},
		{[]string{"role", "revoke", "anna", "chair", "doc"}, 1, "does not hold the role chair"},
		{[]string{"role", "revoke", "anna", "member", "doc"}, 0, "anna is no longer member of doc"},
		{[]string{"role", "grant", "anna", "king", "doc"}, 1, "role must be"},
		{[]string{"role", "grant", "nobody", "member", "doc"}, 1, "no such user"},
		{[]string{"role", "grant", "anna", "member", "nodoc"}, 1, "document not found"},
		{[]string{"role", "grant", "anna"}, 2, "usage"},
	} {
		code, out, errs := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: %d %q %q, want %d and %q", c.args, code, out, errs, c.code, c.want)
		}
	}
	a, err = open(ctx, cfg, os.Stderr, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	changes, err := a.svc.Members.Changes(ctx, &admin, "doc")
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 || changes[0].Action != "grant" || changes[2].Action != "revoke" || changes[0].ActorLogin != "" {
		t.Fatalf("role history %+v", changes)
	}
}

func TestBadConfigNamesVariable(t *testing.T) {
	useDataDir(t)
	t.Setenv("REDLINE_MAX_TEXT_BYTES", "lots")
	code, _, errs := runCLI(t, "", "migrate")
	if code != 2 || !strings.Contains(errs, "REDLINE_MAX_TEXT_BYTES") {
		t.Fatalf("migrate with a bad variable: %d %s", code, errs)
	}
	code, _, errs = runCLI(t, "", "serve")
	if code != 2 || !strings.Contains(errs, "REDLINE_MAX_TEXT_BYTES") {
		t.Fatalf("serve with a bad variable: %d %s", code, errs)
	}
}

// TestVerifyFindsAlteredBlob commits revisions, then alters one text's bytes
// on disk and leaves an orphan: verify reports both and exits 1; --gc
// removes the orphan.
func TestVerifyFindsAlteredBlob(t *testing.T) {
	dir := useDataDir(t)
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, os.Stderr, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := drafting.NewOperator(a.svc).CreateUser(ctx, drafting.NewUser{Login: "chair", PasswordHash: "$argon2id$x", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	text := "1. Принять за основу проект итогового документа."
	if _, err := a.svc.Documents.Create(ctx, &u, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(a.svc).GrantRole(ctx, "chair", drafting.RoleChair, "doc"); err != nil {
		t.Fatal(err)
	}
	r2, err := a.svc.Documents.Commit(ctx, &u, "doc", 1, []byte(text+"\n\n2. Второй пункт."), "")
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	if code, out, errs := runCLI(t, "", "verify"); code != 0 || !strings.Contains(out, "checked 2 revisions and 4 events: 0 problems") {
		t.Fatalf("verify on intact data: %d %s %s", code, out, errs)
	}
	path := filepath.Join(dir, "blobs", filepath.FromSlash(drafting.BlobKey(r2.DocumentID, r2.SHA256)))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(dir, "blobs", "documents", r2.DocumentID, strings.Repeat("0", 64))
	if err := os.WriteFile(orphan, []byte("orphan"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "", "verify")
	if code != 1 || !strings.Contains(out, "corrupt\trevision 2") || !strings.Contains(out, "orphan\t") {
		t.Fatalf("verify on altered data: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "verify", "--gc")
	if code != 1 || !strings.Contains(out, "1 orphans removed") {
		t.Fatalf("verify --gc: %d\n%s", code, out)
	}
	if _, err := os.Stat(orphan); !errorsIsNotExist(err) {
		t.Fatalf("orphan still there: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "verify"); code != 1 || !strings.Contains(out, "missing\trevision 2") {
		t.Fatalf("verify with a missing blob: %d\n%s", code, out)
	}
}

func errorsIsNotExist(err error) bool { return err != nil && errorsIs(err, fs.ErrNotExist) }
