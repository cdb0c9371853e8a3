package testenv

import (
	"os/exec"
	"testing"
)

// Tool returns the path of a command-line program a test runs as a real
// client (ssh-keygen, xmllint), found on PATH. Without it the test skips,
// or fails under make test, which installs Debian's package pkg first.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if Required() {
		t.Fatalf("%s is not installed but %s is set: install Debian's %s (make test does)", name, EnvRequire, pkg)
	}
	t.Skipf("%s is not installed: install Debian's %s, or run make test, which does", name, pkg)
	return ""
}
