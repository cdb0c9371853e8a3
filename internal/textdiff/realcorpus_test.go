package textdiff

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusChain is one document across its releases, oldest first.
type corpusChain struct {
	name     string
	versions []string
}

// loadCorpus reads what scripts/corpus-registry.sh wrote into dir.
func loadCorpus(t *testing.T, dir string) []corpusChain {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("REDLINE_CORPUS: %v", err)
	}
	var chains []corpusChain
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "SOURCE")); err != nil {
			continue // unfinished
		}
		files, err := filepath.Glob(filepath.Join(dir, e.Name(), "*.txt"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		c := corpusChain{name: e.Name()}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c.versions = append(c.versions, string(b))
		}
		if len(c.versions) > 1 {
			chains = append(chains, c)
		}
	}
	if len(chains) == 0 {
		t.Fatalf("REDLINE_CORPUS=%s holds no chain of versions: run scripts/corpus-registry.sh", dir)
	}
	return chains
}

// mergeVerdict classifies a clean merge of a triple A → B → C merged as
// Merge3(base A, ours B, theirs C) against C, which already holds B's
// changes.
type mergeVerdict int

const (
	mergeEqual       mergeVerdict = iota // the merge is C
	mergeWhitespace                      // C but for whitespace
	mergeUndone                          // C but where C undid B's change (the merge keeps it: B is "ours")
	mergeUndoneWords                     // likewise, but inside a paragraph C also changed otherwise
	mergeWrong
)

func classifyMerge(a, b, c, m string) mergeVerdict {
	verdict := mergeUndone
	switch {
	case m == c:
		return mergeEqual
	case strings.Join(strings.Fields(m), " ") == strings.Join(strings.Fields(c), " "):
		return mergeWhitespace
	}
	// Every difference between C and the merge must be B's text where C
	// has A's again: a change of B that C reverted.
	r := Diff(c, m, Options{Mode: ModeLine})
	for _, p := range r.Paragraphs {
		if p.Kind == KindEqual {
			continue
		}
		var inC, inM strings.Builder
		for _, ch := range p.Chunks {
			if ch.Op != OpInsert {
				inC.WriteString(ch.Text)
			}
			if ch.Op != OpDelete {
				inM.WriteString(ch.Text)
			}
		}
		x, y := strings.TrimSpace(inC.String()), strings.TrimSpace(inM.String())
		if x == y {
			continue
		}
		if (x != "" && !strings.Contains(a, x)) || (y != "" && !strings.Contains(b, y)) {
			if !undoneInParagraph(a, b, x, y) {
				return mergeWrong
			}
			verdict = mergeUndoneWords
		}
	}
	return verdict
}

// undoneInParagraph reports whether paragraph y of a merge differs from
// paragraph x of C only where C undid some of B's word or line edits while
// changing the paragraph otherwise too (so that C's paragraph is not in A,
// or the merge's not in B, as a whole): a paragraph both sides edited, which
// Merge3 merges word by word (line by line when it has several lines), where
// B's edit, kept by the merge, touches nothing C changed. Word by word (line
// by line for a paragraph of several lines), each stretch where x and y
// differ, with its neighbouring token (line) that is not whitespace on either
// side (the place), must read as A's text in x and as B's text in y: L+x+R
// in A and L+y+R in B. A paragraph too long for the quadratic alignment is
// not accepted.
func undoneInParagraph(a, b, x, y string) bool {
	split := tokenize
	if strings.Contains(x, "\n") || strings.Contains(y, "\n") {
		split = tokenizeLines // as Merge3 merges a paragraph of several lines
	}
	tx, ty := split(x, nil), split(y, nil)
	tok := func(s string, ts []span, i int) string { return s[ts[i].start:ts[i].end] }
	n, m := len(tx), len(ty)
	if (n+1)*(m+1) > 4<<20 {
		return false
	}
	// lcs[i*(m+1)+j] is the longest common subsequence of tx[i:], ty[j:].
	lcs := make([]int32, (n+1)*(m+1))
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if tok(x, tx, i) == tok(y, ty, j) {
				lcs[i*(m+1)+j] = lcs[(i+1)*(m+1)+j+1] + 1
			} else {
				lcs[i*(m+1)+j] = max(lcs[(i+1)*(m+1)+j], lcs[i*(m+1)+j+1])
			}
		}
	}
	// The alignment as segments: runs of equal tokens and hunks between.
	type seg struct {
		i0, i1, j0, j1 int
		eq             bool
	}
	var segs []seg
	ci, cj := 0, 0
	flush := func(i, j int) {
		if i > ci || j > cj {
			segs = append(segs, seg{ci, i, cj, j, false})
		}
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case tok(x, tx, i) == tok(y, ty, j):
			flush(i, j)
			if k := len(segs) - 1; k >= 0 && segs[k].eq && segs[k].i1 == i && segs[k].j1 == j {
				segs[k].i1, segs[k].j1 = i+1, j+1
			} else {
				segs = append(segs, seg{i, i + 1, j, j + 1, true})
			}
			ci, cj = i+1, j+1
			i++
			j++
		case lcs[(i+1)*(m+1)+j] >= lcs[i*(m+1)+j+1]:
			i++
		default:
			j++
		}
	}
	flush(n, m)
	// Hunks only whitespace apart are one stretch.
	space := func(g seg) bool {
		for i := g.i0; i < g.i1; i++ {
			if !isSeparatorText(tok(x, tx, i)) {
				return false
			}
		}
		return true
	}
	var merged []seg
	for _, g := range segs {
		if k := len(merged); !g.eq && k >= 2 && !merged[k-2].eq && merged[k-1].eq && space(merged[k-1]) {
			merged[k-2].i1, merged[k-2].j1 = g.i1, g.j1
			merged = merged[:k-1]
			continue
		}
		merged = append(merged, g)
	}
	text := func(s string, ts []span, from, to int) string {
		if from >= to {
			return ""
		}
		return s[ts[from].start:ts[to-1].end]
	}
	for k, g := range merged {
		if g.eq {
			continue
		}
		// The place: the equal tokens on each side up to the nearest one
		// that is not whitespace.
		l, r := g.i0, g.i1
		if k > 0 {
			for l > merged[k-1].i0 {
				l--
				if !isSeparatorText(tok(x, tx, l)) {
					break
				}
			}
		}
		if k+1 < len(merged) {
			for r < merged[k+1].i1 {
				r++
				if !isSeparatorText(tok(x, tx, r-1)) {
					break
				}
			}
		}
		L, R := text(x, tx, l, g.i0), text(x, tx, g.i1, r)
		if !strings.Contains(a, L+text(x, tx, g.i0, g.i1)+R) || !strings.Contains(b, L+text(y, ty, g.j0, g.j1)+R) {
			return false
		}
	}
	return true
}

// gitMergeFile runs `git merge-file -p B A C` and reports whether it merged
// cleanly.
func gitMergeFile(t *testing.T, dir, a, b, c string) bool {
	t.Helper()
	_, clean := gitMergeText(t, dir, a, b, c)
	return clean
}

// applyWith applies a unified diff (file names a/doc, b/doc) to old with an
// outside tool run in dir, and returns the patched text.
func applyWith(t *testing.T, dir, old, diff string, tool ...string) string {
	t.Helper()
	doc, patch := filepath.Join(dir, "doc"), filepath.Join(dir, "diff")
	if err := os.WriteFile(doc, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(patch, []byte(diff), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool[0], append(tool[1:], patch)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(tool, " "), err, out)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRealCorpus runs the engine over real versioned documents (built by
// scripts/corpus-registry.sh; REDLINE_CORPUS names the folder, and make test
// sets it): every redline of consecutive versions round-trips byte-exactly
// in every mode and format, its unified form applied by GNU patch and by git
// apply too; every triple of consecutive versions A → B → C is merged as
// Merge3(A, B, C) and by `git merge-file`, every clean merge is classified
// against C, none may be wrong, and Merge3 must merge at least as many
// triples cleanly as git does.
func TestRealCorpus(t *testing.T) {
	dir := os.Getenv("REDLINE_CORPUS")
	if dir == "" {
		t.Skip("REDLINE_CORPUS is not set: make test builds the corpus (scripts/corpus-registry.sh) and runs this test")
	}
	chains := loadCorpus(t, dir)
	tmp := t.TempDir()
	var verdicts [mergeWrong + 1]int
	nPairs, nBig, nTriples, nClean, nGit, nConflicts, nDegraded := 0, 0, 0, 0, 0, 0, 0
	for _, c := range chains {
		t.Run(c.name, func(t *testing.T) {
			for k := 1; k < len(c.versions); k++ {
				old, new := c.versions[k-1], c.versions[k]
				nPairs++
				if len(old) >= 1<<20 || len(new) >= 1<<20 {
					nBig++
				}
				seen := map[string]bool{}
				for _, mode := range []Mode{ModeWord, ModeChar, ModeLine} {
					r := Diff(old, new, Options{Mode: mode})
					if r.Degraded {
						nDegraded++
					}
					checkResult(t, old, new, r)
					checkRenderers(t, old, new, r)
					var u bytes.Buffer
					if err := WriteUnified(&u, r, "a/doc", "b/doc"); err != nil {
						t.Fatal(err)
					}
					if u.Len() == 0 || seen[u.String()] {
						continue
					}
					seen[u.String()] = true
					if got := applyWith(t, tmp, old, u.String(), "patch", "-s", "-p1", "-i"); got != new {
						t.Fatalf("version %d → %d, %s mode: GNU patch gives another text", k, k+1, mode)
					}
					if got := applyWith(t, tmp, old, u.String(), "git", "apply", "--whitespace=nowarn"); got != new {
						t.Fatalf("version %d → %d, %s mode: git apply gives another text", k, k+1, mode)
					}
				}
			}
			for k := 2; k < len(c.versions); k++ {
				a, b, cc := c.versions[k-2], c.versions[k-1], c.versions[k]
				nTriples++
				m := Merge3(a, b, cc)
				checkMerge(t, m)
				if gitMergeFile(t, tmp, a, b, cc) {
					nGit++
				}
				if len(m.Conflicts) > 0 {
					nConflicts += len(m.Conflicts)
					continue
				}
				nClean++
				v := classifyMerge(a, b, cc, m.Text)
				verdicts[v]++
				if v == mergeWrong {
					t.Errorf("versions %d, %d, %d: a clean merge that is wrong:\n%s", k-1, k, k+1,
						firstDifference(cc, m.Text))
				}
			}
		})
	}
	t.Logf("corpus: %d chains, %d pairs (%d over 1 MB, %d degraded in some mode) round-trip in 3 modes × 4 formats, patch and git apply; "+
		"%d triples: Merge3 clean %d (%.0f%%: equal %d, whitespace %d, C undid B %d (inside a paragraph %d), wrong %d), %d conflicts; git merge-file clean %d (%.0f%%)",
		len(chains), nPairs, nBig, nDegraded, nTriples, nClean, 100*float64(nClean)/float64(max(nTriples, 1)),
		verdicts[mergeEqual], verdicts[mergeWhitespace], verdicts[mergeUndone]+verdicts[mergeUndoneWords], verdicts[mergeUndoneWords], verdicts[mergeWrong], nConflicts,
		nGit, 100*float64(nGit)/float64(max(nTriples, 1)))
	if nClean < nGit {
		t.Errorf("Merge3 merged %d triples cleanly, git merge-file %d: want at least as many", nClean, nGit)
	}
}

// firstDifference shows where two texts first differ.
func firstDifference(want, got string) string {
	p := 0
	for p < len(want) && p < len(got) && want[p] == got[p] {
		p++
	}
	from := max(0, p-80)
	return fmt.Sprintf("at byte %d:\nwant …%q\n got …%q", p, want[from:min(len(want), p+160)], got[from:min(len(got), p+160)])
}
