// Package clientgen holds the pinned generator (oapi-codegen, a tool of
// this module, so that its dependencies stay out of Redline's go.mod) of
// the Go client of Redline's API (internal/apidoc/client), and the test
// that the committed client is what the description generates today.
package clientgen

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate ../client/client.gen.go")

// TestClientIsCurrent regenerates the client from ../openapi.yaml with the
// pinned oapi-codegen and compares it with the committed one byte for
// byte; -update writes it.
func TestClientIsCurrent(t *testing.T) {
	cfg, err := os.ReadFile("cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "client.gen.go")
	tmpCfg := filepath.Join(t.TempDir(), "cfg.yaml")
	if err := os.WriteFile(tmpCfg, []byte(strings.Replace(string(cfg), "output: ../client/client.gen.go", "output: "+out, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", tmpCfg, "../openapi.yaml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	const committed = "../client/client.gen.go"
	if *update {
		if err := os.WriteFile(committed, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("internal/apidoc/client/client.gen.go is not what internal/apidoc/openapi.yaml generates: run\n  cd internal/apidoc/clientgen && go test -run TestClientIsCurrent -update")
	}
}
