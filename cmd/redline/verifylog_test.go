package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/reliability"
)

// TestVerifyLog: verify --log checks the invariants and the acknowledged
// operations; a kept history passes, an acknowledged commit that is not
// there fails with ack-lost, and an unreadable log is an error.
func TestVerifyLog(t *testing.T) {
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
	v, err := a.svc.Documents.Create(ctx, &u, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	logPath := filepath.Join(dir, "acks.jsonl")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	l := reliability.NewAckLog(f)
	l.Add(reliability.Ack{Op: reliability.OpDocument, Doc: "doc", Number: 1, SHA256: v.Head.SHA256})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "verify", "--log", logPath)
	if code != 0 || !strings.Contains(out, "invariants: 1 acknowledged operations") || !strings.Contains(out, ": 0 violations") {
		t.Fatalf("verify --log on a kept history: %d %s %s", code, out, errs)
	}
	lost := `{"op":"commit","doc":"doc","number":2,"sha256":"` + strings.Repeat("a", 64) + `"}` + "\n"
	if err := os.WriteFile(logPath, []byte(lost), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "", "verify", "--log", logPath)
	if code != 1 || !strings.Contains(out, "violation\tack-lost\tdoc") {
		t.Fatalf("verify --log with a lost commit: %d\n%s", code, out)
	}
	if err := os.WriteFile(logPath, []byte("{not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "", "verify", "--log", logPath); code != 1 || !strings.Contains(errs, "line 1") {
		t.Fatalf("verify --log with a torn log: %d %s", code, errs)
	}
}
