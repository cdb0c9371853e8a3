package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// EnvChromium names the Chromium binary browser tests drive (make test sets
// it after installing Debian's chromium when missing).
const EnvChromium = "REDLINE_TEST_CHROMIUM"

// Chromium returns the path of a Chromium binary: the one EnvChromium names,
// else one found on PATH. Without one a test skips, or fails under make test.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvChromium); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		t.Fatalf("%s=%s does not exist", EnvChromium, p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if Required() {
		t.Fatalf("no Chromium found (%s is unset and none is on PATH) but %s is set: browser tests need it", EnvChromium, EnvRequire)
	}
	t.Skipf("no Chromium: set %s or run make test, which installs it", EnvChromium)
	return ""
}
