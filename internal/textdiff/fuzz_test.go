package textdiff

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"
)

// FuzzDiff: any two inputs, in every mode, give a Result whose chunks spell
// both inputs exactly (valid UTF-8 or not), and every renderer accepts it;
// for valid UTF-8 every invariant of checkResult and checkRenderers holds.
func FuzzDiff(f *testing.F) {
	old, _ := os.ReadFile("testdata/resolution_old.txt")
	new, _ := os.ReadFile("testdata/resolution_new.txt")
	f.Add(string(old), string(new))
	f.Add("", "")
	f.Add("1. a\n\n2. b\n", "1. a\n\n2. c\n\n3. b\n")
	f.Add("A\r\n\r\nB", "B\r\n\r\nA\r\n")
	f.Add("\n\n  x  \n", "x")
	f.Add("а) один;\nб) два.", "б) один;\nв) два.")
	f.Add("bad \xff byte\n\nok", "bad \xfe byte\n\nok")
	f.Fuzz(func(t *testing.T, old, new string) {
		valid := utf8.ValidString(old) && utf8.ValidString(new)
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			if !valid {
				if r.OldText() != old || r.NewText() != new {
					t.Fatalf("%s: invalid UTF-8 input not reproduced exactly", m)
				}
				for _, f := range []Format{FormatJSON, FormatHTML, FormatHTMLSide, FormatUnified} {
					var b bytes.Buffer
					if err := Render(&b, r, f, "a", "b"); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			checkResult(t, old, new, r)
			checkRenderers(t, old, new, r)
		}
	})
}
