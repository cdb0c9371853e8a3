package drafting_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain bounds the property tests: every rapid check here drives the real
// stores through many steps, so 30 random cases per test (not rapid's 100)
// keep the suite inside make test's budget; -rapid.checks raises it.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		_ = flag.Set("rapid.checks", "30")
	}
	os.Exit(m.Run())
}
