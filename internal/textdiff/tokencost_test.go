package textdiff

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// tokenCost must give exactly the cost tokenDiff finds, since a precheck
// that disagreed would change which pairs are degraded (and the reason's
// figures).
func TestTokenCostMatchesTokenDiff(t *testing.T) {
	alphabet := []string{"a", "b", "ж", "é", " ", "  ", "\n", ",", ".", "—", "1", "́", "\t", "中"}
	gen := func(t *rapid.T, label string) string {
		return strings.Join(rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 40).Draw(t, label), "")
	}
	rapid.Check(t, func(t *rapid.T) {
		a := gen(t, "a")
		b := a
		switch rapid.IntRange(0, 2).Draw(t, "how") {
		case 0:
			b = gen(t, "b")
		case 1:
			b = gen(t, "pre") + a + gen(t, "post")
		case 2:
			k := rapid.IntRange(0, len(a)).Draw(t, "cut")
			for k < len(a) && !isRuneStart(a[k]) {
				k++
			}
			b = a[:k] + gen(t, "mid") + a[k:]
		}
		d := newDiffer(Options{MaxPairCost: 1 << 40, MaxTotalCost: 1 << 50}.withDefaults())
		_, want, ok := d.tokenDiff(nil, a, b, tokenize(a, nil), tokenize(b, nil))
		if !ok {
			t.Fatalf("tokenDiff refused")
		}
		got, na, nb := tokenCost(a, b)
		if got != want || int64(na)*int64(nb) != got {
			t.Fatalf("tokenCost(%q, %q) = %d (%d×%d), tokenDiff's cost %d", a, b, got, na, nb, want)
		}
		if n := countTokens(a); n != len(tokenize(a, nil)) {
			t.Fatalf("countTokens(%q) = %d, tokenize gives %d", a, n, len(tokenize(a, nil)))
		}
	})
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }
