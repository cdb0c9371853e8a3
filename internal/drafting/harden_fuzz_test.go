package drafting

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzCleanLine (issue 13): whatever a title, a display name or a label
// holds, what is accepted has no control characters, no text-direction
// controls (U+202E …) and no line or paragraph separators (U+2028, U+2029),
// and what is refused is refused as invalid input.
func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"Итоговый документ", "Итоги\u202Eкоп", "a\u2066b\u2069", "\u200Fx", "a\u2028b", "a\u2029b", "tab\there", "ok", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := cleanLine("fuzz", "title", s, 300, true)
		if err != nil {
			if k := ErrorKind(err); k != KindInvalid {
				t.Fatalf("cleanLine(%q): %v", s, err)
			}
			return
		}
		if strings.IndexFunc(got, unicode.IsControl) >= 0 || strings.IndexFunc(got, bidiControl) >= 0 || strings.ContainsAny(got, "\u2028\u2029") {
			t.Fatalf("cleanLine(%q) accepted %q", s, got)
		}
	})
}
