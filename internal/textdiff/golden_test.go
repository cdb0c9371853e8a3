package textdiff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden renders the redline between two drafts of the final document of
// the 2011 Moscow conference on innovation clusters, with every renderer, and
// compares with testdata/resolution.*. The new draft moves paragraph 8 up
// (editing it on the way), inserts a new paragraph 9, renumbers the list
// around both, and edits words here and there. Run with -update to rewrite
// the golden files, then read them.
func TestGolden(t *testing.T) {
	old := mustRead(t, "testdata/resolution_old.txt")
	new := mustRead(t, "testdata/resolution_new.txt")
	cases := []struct {
		file string
		mode Mode
		f    Format
	}{
		{"resolution.json", ModeWord, FormatJSON},
		{"resolution.html", ModeWord, FormatHTML},
		{"resolution.side.html", ModeWord, FormatHTMLSide},
		{"resolution.diff", ModeWord, FormatUnified},
		{"resolution.char.json", ModeChar, FormatJSON},
		{"resolution.line.html", ModeLine, FormatHTML},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := Diff(old, new, Options{Mode: c.mode})
			checkResult(t, old, new, r)
			checkRenderers(t, old, new, r)
			var got bytes.Buffer
			if err := Render(&got, r, c.f, "a/resolution.txt", "b/resolution.txt"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := mustRead(t, path)
			if diff := cmp.Diff(want, got.String()); diff != "" {
				t.Errorf("%s differs (-want +got); run with -update if the change is intended:\n%s", path, diff)
			}
		})
	}

	// What the golden files must show, checked here so that an -update can
	// not quietly bless a regression.
	r := Diff(old, new, Options{})
	want := Stats{ParagraphsAdded: 1, ParagraphsChanged: 4, ParagraphsMoved: 1, ParagraphsRenumbered: 6}
	got := r.Stats
	got.WordsInserted, got.WordsDeleted = 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
