package authz

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoEnableEnforceFalse walks every .go file of the module and fails if
// one switches Casbin off: with EnableEnforce(false), Enforce allows
// everything. This file is the only one allowed to name the call.
func TestNoEnableEnforceFalse(t *testing.T) {
	const needle = "EnableEnforce(false)"
	self, err := filepath.Abs("enforce_test.go")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not at %s: %v", root, err)
	}
	var files int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if abs == self {
			return nil
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), needle) {
			t.Errorf("%s calls %s: Casbin would allow everything", path, needle)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("only %d .go files found under %s: the walk is looking in the wrong place", files, root)
	}
}
