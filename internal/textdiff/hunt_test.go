package textdiff

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
//   - skipping one version, Merge3(A, B, D) where D follows C;
//   - Merge3(B, A, C): one side undoes B's change, the other makes C's.
//
// In the first three, the side that is further along holds the other's
// changes (but where it undid one), so a clean merge is classified against it
// as TestRealCorpus does; none may be wrong. The fourth has no text to
// compare with, but merged clean both ways round (ours and theirs swapped) it
// must give one text but for whitespace; where git merge-file is clean too,
// the texts that differ from its are counted (and the first few shown). In
// all four, a conflict whose sides are the same text is spurious (an
// identical change on both sides applies once), a clean merge must not hold
// twice a paragraph each input has at most once, and Merge3 must merge at least as
// many triples cleanly as git merge-file. The redline of A and C must
// round-trip in every mode and format.
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
	spurious, conflicts, repeats, moreThanInputs := 0, 0, 0, 0
	reverts, revertsClean, revertsGit, asymmetric, gitDiffers := 0, 0, 0, 0, 0
	redlines := 0
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
				checkRepeats(t, label, a, b, cc, m.Text, &repeats, &moreThanInputs)
				s.clean++
				verdict := classifyMerge(a, behind, ahead, m.Text)
				s.verdict[verdict]++
				if verdict == mergeWrong {
					t.Errorf("%s: a clean merge that is wrong:\n%s", label, firstDifference(ahead, m.Text))
				}
			}
			for k := 2; k < len(v); k++ {
				a, b, cc := v[k-2], v[k-1], v[k]
				// The redline of versions two apart, in every mode and
				// format (TestRealCorpus does consecutive ones).
				for _, mode := range []Mode{ModeWord, ModeChar, ModeLine} {
					r := Diff(a, cc, Options{Mode: mode})
					checkResult(t, a, cc, r)
					checkRenderers(t, a, cc, r)
					redlines++
				}
				// B's change undone on one side, C's made on the other:
				// independent edits of B, merged both ways round.
				m1, m2 := Merge3(b, a, cc), Merge3(b, cc, a)
				checkMerge(t, m1)
				checkMerge(t, m2)
				reverts++
				if len(m1.Conflicts) == 0 {
					revertsClean++
					checkRepeats(t, fmt.Sprintf("Merge3(B, A, C) from version %d", k-1), a, b, cc, m1.Text, &repeats, &moreThanInputs)
					// Whitespace between paragraphs is ours' where both
					// changed it, so only the words must agree.
					if len(m2.Conflicts) == 0 && strings.Join(strings.Fields(m1.Text), " ") != strings.Join(strings.Fields(m2.Text), " ") {
						asymmetric++
						t.Errorf("Merge3(B, A, C) from version %d: clean both ways round, but to different texts:\n%s", k-1, firstDifference(m1.Text, m2.Text))
					}
				}
				if g, ok := gitMergeText(t, tmp, b, a, cc); ok {
					revertsGit++
					if len(m1.Conflicts) == 0 && strings.Join(strings.Fields(g), " ") != strings.Join(strings.Fields(m1.Text), " ") {
						gitDiffers++
						if gitDiffers <= 5 {
							t.Logf("Merge3(B, A, C) from version %d: clean in both, not git merge-file's text:\n%s", k-1, firstDifference(g, m1.Text))
						}
					}
				}
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
	t.Logf("Merge3(B,A,C): %d triples, clean %d (%d clean the other way round to another text); git merge-file clean %d (%d where both are clean to texts that differ but for whitespace)",
		reverts, revertsClean, asymmetric, revertsGit, gitDiffers)
	if revertsClean < revertsGit {
		t.Errorf("Merge3(B,A,C) merged %d triples cleanly, git merge-file %d: want at least as many", revertsClean, revertsGit)
	}
	t.Logf("%d conflicts, %d with identical sides; %d clean merges repeat a paragraph each input has at most once (%d hold one more often than any input, which some input repeats); %d redlines of versions two apart round-trip",
		conflicts, spurious, repeats, moreThanInputs, redlines)
}

// checkRepeats fails the test if the clean merge m holds twice a paragraph
// (a blank-line separated block, trimmed, of at least four words) that each
// of a, b and c has at most once, and counts it; it counts, without failing,
// a merge holding a paragraph more often than any input where some input has
// it more than once (each side adding a copy of a paragraph one of them
// repeats is diff3's answer, and the engine's for a line of base).
func checkRepeats(t *testing.T, label, a, b, c, m string, repeats, more *int) {
	t.Helper()
	count := func(s string) map[string]int {
		n := map[string]int{}
		for _, p := range strings.Split(s, "\n\n") {
			if p = strings.TrimSpace(p); len(strings.Fields(p)) >= 4 {
				n[p]++
			}
		}
		return n
	}
	na, nb, nc := count(a), count(b), count(c)
	failed, counted := false, false
	for p, k := range count(m) {
		most := max(na[p], nb[p], nc[p])
		switch {
		case k > 1 && most <= 1 && !failed:
			failed = true
			*repeats++
			t.Errorf("%s: a clean merge holds %d times a paragraph each input has at most once:\n%q", label, k, p)
		case k > max(1, most) && !counted:
			counted = true
			*more++
			t.Logf("%s: a clean merge holds %d times a paragraph the inputs have %d, %d and %d times:\n%q", label, k, na[p], nb[p], nc[p], p)
		}
	}
}

// gitMergeText runs `git merge-file -p B A C` and returns its text and
// whether it merged cleanly.
func gitMergeText(t *testing.T, dir, a, b, c string) (string, bool) {
	t.Helper()
	for name, s := range map[string]string{"a": a, "b": b, "c": c} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("git", "merge-file", "-p", "b", "a", "c")
	cmd.Dir = dir
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), true
	case errors.As(err, &ee) && ee.ExitCode() > 0 && ee.ExitCode() < 127:
		return "", false
	}
	t.Fatalf("git merge-file: %v", err)
	return "", false
}

func label3(shape string, k int) string {
	return fmt.Sprintf("Merge3(%s) from version %d", strings.ReplaceAll(shape, ",", ", "), k-1)
}
