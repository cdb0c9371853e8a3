package textdiff

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestHuntCorpus hunts for wrong clean merges and spurious conflicts on a
// corpus in TestRealCorpus's layout (scripts/corpus-hunt.sh builds one from
// public git histories; REDLINE_HUNT_DIR names it, and the test is skipped
// without it). TestRealCorpus, pointed at the same folder, checks round trips
// and consecutive triples; this test merges more shapes of triple from each
// chain's versions A → B → C (C a descendant of B, B of A):
//
//   - consecutive, Merge3(A, B, C) and swapped Merge3(A, C, B);
//   - skipping one version, Merge3(A, B, D) where D follows C.
//
// In each, the side that is further along holds the other's changes (but
// where it undid one), so a clean merge is classified against it as
// TestRealCorpus does; none may be wrong. A conflict whose sides are the same
// text is spurious (an identical change on both sides applies once). Merge3
// must merge at least as many triples cleanly as git merge-file.
func TestHuntCorpus(t *testing.T) {
	dir := os.Getenv("REDLINE_HUNT_DIR")
	if dir == "" {
		t.Skip("REDLINE_HUNT_DIR is not set: scripts/corpus-hunt.sh builds the hunt corpus")
	}
	chains := loadCorpus(t, dir)
	tmp := t.TempDir()
	type shape struct {
		name    string
		triples int
		clean   int
		git     int
		verdict [mergeWrong + 1]int
	}
	shapes := []*shape{{name: "A,B,C"}, {name: "A,C,B"}, {name: "A,B,D"}}
	spurious, conflicts := 0, 0
	for _, c := range chains {
		t.Run(c.name, func(t *testing.T) {
			v := c.versions
			run := func(s *shape, label string, a, b, cc string, ahead string, behind string) {
				s.triples++
				m := Merge3(a, b, cc)
				checkMerge(t, m)
				if gitMergeFile(t, tmp, a, b, cc) {
					s.git++
				}
				for _, k := range m.Conflicts {
					conflicts++
					if k.Ours == k.Theirs {
						spurious++
						t.Errorf("%s: a conflict whose sides are identical:\nbase   %q\nsides  %q", label, k.Base, k.Ours)
					}
				}
				if len(m.Conflicts) > 0 {
					return
				}
				s.clean++
				verdict := classifyMerge(a, behind, ahead, m.Text)
				s.verdict[verdict]++
				if verdict == mergeWrong {
					t.Errorf("%s: a clean merge that is wrong:\n%s", label, firstDifference(ahead, m.Text))
				}
			}
			for k := 2; k < len(v); k++ {
				a, b, cc := v[k-2], v[k-1], v[k]
				run(shapes[0], label3("A,B,C", k), a, b, cc, cc, b)
				run(shapes[1], label3("A,C,B", k), a, cc, b, cc, b)
				if k+1 < len(v) {
					run(shapes[2], label3("A,B,D", k), a, b, v[k+1], v[k+1], b)
				}
			}
		})
	}
	for _, s := range shapes {
		t.Logf("Merge3(%s): %d triples, clean %d (equal %d, whitespace %d, undid %d (inside a paragraph %d), wrong %d); git merge-file clean %d",
			s.name, s.triples, s.clean, s.verdict[mergeEqual], s.verdict[mergeWhitespace], s.verdict[mergeUndone]+s.verdict[mergeUndoneWords], s.verdict[mergeUndoneWords], s.verdict[mergeWrong], s.git)
		if s.clean < s.git {
			t.Errorf("Merge3(%s) merged %d triples cleanly, git merge-file %d: want at least as many", s.name, s.clean, s.git)
		}
	}
	t.Logf("%d conflicts, %d with identical sides", conflicts, spurious)
}

func label3(shape string, k int) string {
	return fmt.Sprintf("Merge3(%s) from version %d", strings.ReplaceAll(shape, ",", ", "), k-1)
}
