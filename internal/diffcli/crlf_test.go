package diffcli

import (
	"math/rand/v2"
	"testing"

	"redline/internal/textdiff"
)

// TestCRLFToLFMatchesTheEngine: the in-place rewrite gives what the
// engine's NormalizeNewlines gives, on random mixes of CR, LF and letters.
func TestCRLFToLFMatchesTheEngine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"\r", "\n", "\r\n", "а", "b", " "}
	for n := range 20000 {
		var s string
		for range r.IntN(12) {
			s += alphabet[r.IntN(len(alphabet))]
		}
		want := textdiff.NormalizeNewlines(s)
		if got := string(crlfToLF([]byte(s))); got != want {
			t.Fatalf("case %d %q: got %q, want %q", n, s, got, want)
		}
	}
}
