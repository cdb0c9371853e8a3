package authz

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the role matrix in README.md")

const (
	rolesBegin = "<!-- roles:begin -->"
	rolesEnd   = "<!-- roles:end -->"
)

// TestReadmeMatrix checks that README.md shows the role matrix the enforcer
// actually applies, between the marker lines; -update rewrites that section
// and nothing else.
func TestReadmeMatrix(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v; it needs a section for the role matrix: the lines %q and %q, then go test ./internal/authz -run TestReadmeMatrix -update", path, err, rolesBegin, rolesEnd)
	}
	text := string(b)
	before, marker, rest, ok := cutLine(text, rolesBegin)
	if !ok {
		t.Fatalf("%s has no line %q; add it and a line %q where the role matrix belongs, then go test ./internal/authz -run TestReadmeMatrix -update", path, rolesBegin, rolesEnd)
	}
	head := before + marker
	body, marker, after, ok := cutLine(rest, rolesEnd)
	if !ok {
		t.Fatalf("%s has %q but no line %q after it", path, rolesBegin, rolesEnd)
	}
	tail := marker + after
	want := MatrixMarkdown()
	if body == want {
		return
	}
	if !*update {
		t.Fatalf("the role matrix in %s is out of date; go test ./internal/authz -run TestReadmeMatrix -update\nwant:\n%s\nhave:\n%s", path, want, body)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(head+want+tail), fi.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated the role matrix in %s", path)
}

// cutLine splits text around the first line that is exactly marker
// (trailing blanks aside): before it, the line with its newline, after it.
func cutLine(text, marker string) (before, line, after string, ok bool) {
	for off := 0; off < len(text); {
		l, _, found := strings.Cut(text[off:], "\n")
		end := off + len(l)
		if found {
			end++
		}
		if strings.TrimRight(l, " \t\r") == marker {
			return text[:off], text[off:end], text[end:], true
		}
		off = end
	}
	return "", "", "", false
}
