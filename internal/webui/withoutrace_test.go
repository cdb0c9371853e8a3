package webui

import (
	"os"
	"testing"
)

// withoutRace, called first in a test, leaves the test to make test's pass
// without the race detector: scripts/test.sh sets
// REDLINE_TEST_WITHOUT_RACE_LATER=1 for its -race pass, then runs every test
// that calls withoutRace (it lists them from the sources) without -race.
// Only for tests whose cost the detector multiplies while it adds nothing:
// one goroutine driving pages or a browser whose handlers other tests run
// under it. Anywhere else (go test -race alone, go test) the test runs.
func withoutRace(t *testing.T) {
	t.Helper()
	if raceEnabled && os.Getenv("REDLINE_TEST_WITHOUT_RACE_LATER") == "1" {
		t.Skip("make test runs this test in its pass without -race (scripts/test.sh)")
	}
}
