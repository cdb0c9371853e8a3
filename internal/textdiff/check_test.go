package textdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tb is what the checks need of a test: *testing.T, *testing.B,
// *testing.F and *rapid.T all have it.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// checkResult verifies every invariant Result promises for a diff of old
// into new: exact reconstruction of both texts, code point offsets, paragraph
// indices in order, kinds consistent with their chunks, move halves that
// match each other and the texts, and statistics that match the paragraphs.
func checkResult(t tb, old, new string, r *Result) {
	t.Helper()
	if got := r.OldText(); got != old {
		t.Fatalf("old text not reproduced:\n got %q\nwant %q", got, old)
	}
	if got := r.NewText(); got != new {
		t.Fatalf("new text not reproduced:\n got %q\nwant %q", got, new)
	}
	var pa, pb []para
	if !r.Degraded {
		pa, pb = splitParagraphs(old, 1), splitParagraphs(new, 1)
	}
	oldPos, newPos, nextOld, nextNew := 0, 0, 0, 0
	movedFrom := map[int]int{} // old index -> new index
	movedTo := map[int]int{}   // new index -> old index
	var want Stats
	for k, p := range r.Paragraphs {
		where := fmt.Sprintf("paragraph %d (%s, old %d, new %d)", k, p.Kind, p.OldIndex, p.NewIndex)
		if p.OldStart != oldPos || p.NewStart != newPos {
			t.Fatalf("%s: starts at %d/%d, want %d/%d", where, p.OldStart, p.NewStart, oldPos, newPos)
		}
		if len(p.Chunks) == 0 {
			t.Fatalf("%s: no chunks", where)
		}
		ops := map[string]bool{}
		for ci, c := range p.Chunks {
			if c.Text == "" {
				t.Fatalf("%s: empty chunk %d", where, ci)
			}
			if !utf8.ValidString(c.Text) {
				t.Fatalf("%s: chunk %d is not valid UTF-8: %q", where, ci, c.Text)
			}
			if ci > 0 && p.Chunks[ci-1].Op == c.Op && !isSeparatorText(c.Text) {
				t.Fatalf("%s: chunks %d and %d have the same op %s", where, ci-1, ci, c.Op)
			}
			n := utf8.RuneCountInString(c.Text)
			switch c.Op {
			case OpEqual:
				oldPos += n
				newPos += n
			case OpDelete:
				oldPos += n
			case OpInsert:
				newPos += n
			default:
				t.Fatalf("%s: bad op %q", where, c.Op)
			}
			ops[c.Op] = true
		}
		hasOld, hasNew := p.OldIndex >= 0, p.NewIndex >= 0
		switch p.Kind {
		case KindEqual:
			text, _ := SplitSeparator(p.Chunks)
			for _, c := range text {
				if c.Op != OpEqual {
					t.Fatalf("%s: equal paragraph has %s chunk %q", where, c.Op, c.Text)
				}
			}
		case KindChanged:
			want.ParagraphsChanged++
			if !ops[OpInsert] && !ops[OpDelete] {
				t.Fatalf("%s: changed paragraph without changes", where)
			}
		case KindRenumbered:
			want.ParagraphsRenumbered++
			if numberChunks(p.Chunks) == 0 {
				t.Fatalf("%s: renumbered paragraph without a number change: %q", where, p.Chunks)
			}
			text, _ := SplitSeparator(p.Chunks)
			for _, c := range text[numberChunks(text):] {
				if c.Op != OpEqual {
					t.Fatalf("%s: renumbered paragraph has a %s chunk %q besides its number", where, c.Op, c.Text)
				}
			}
		case KindSplit, KindJoined:
			if p.Count < 2 {
				t.Fatalf("%s: a split or join of %d paragraphs", where, p.Count)
			}
			if p.Kind == KindSplit {
				want.ParagraphsSplit++
			} else {
				want.ParagraphsJoined++
			}
		case KindInserted, KindMovedTo:
			if ops[OpEqual] || ops[OpDelete] {
				t.Fatalf("%s: has chunks other than insertions", where)
			}
		case KindDeleted, KindMovedFrom:
			if ops[OpEqual] || ops[OpInsert] {
				t.Fatalf("%s: has chunks other than deletions", where)
			}
		default:
			t.Fatalf("%s: unknown kind", where)
		}
		switch p.Kind {
		case KindInserted:
			want.ParagraphsAdded++
			hasOld = !hasOld
		case KindMovedTo:
			want.ParagraphsMoved++
			hasOld = !hasOld
			if p.Move == nil || p.Move.NewIndex != p.NewIndex {
				t.Fatalf("%s: bad move %+v", where, p.Move)
			}
			movedTo[p.NewIndex] = p.Move.OldIndex
			if pa != nil {
				checkMoveChunks(t, where, p.Move.Chunks, pa[p.Move.OldIndex].content, pb[p.NewIndex].content)
			}
		case KindDeleted:
			want.ParagraphsRemoved++
			hasNew = !hasNew
		case KindMovedFrom:
			hasNew = !hasNew
			if p.Move == nil || p.Move.OldIndex != p.OldIndex {
				t.Fatalf("%s: bad move %+v", where, p.Move)
			}
			movedFrom[p.OldIndex] = p.Move.NewIndex
		}
		// hasOld/hasNew are now "has the side it must have" for one-sided kinds.
		if !hasOld || !hasNew {
			t.Fatalf("%s: indices do not fit the kind", where)
		}
		if p.OldIndex >= 0 {
			if p.OldIndex != nextOld {
				t.Fatalf("%s: old index out of order, want %d", where, nextOld)
			}
			nextOld++
			if p.Kind == KindJoined {
				nextOld += p.Count - 1
			}
		}
		if p.NewIndex >= 0 {
			if p.NewIndex != nextNew {
				t.Fatalf("%s: new index out of order, want %d", where, nextNew)
			}
			nextNew++
			if p.Kind == KindSplit {
				nextNew += p.Count - 1
			}
		}
	}
	if pa != nil && (nextOld != len(pa) || nextNew != len(pb)) {
		t.Fatalf("result covers %d/%d paragraphs, texts have %d/%d", nextOld, nextNew, len(pa), len(pb))
	}
	if len(movedFrom) != len(movedTo) {
		t.Fatalf("%d moved_from but %d moved_to", len(movedFrom), len(movedTo))
	}
	for i, j := range movedFrom {
		if movedTo[j] != i {
			t.Fatalf("move of old %d to new %d has no matching moved_to", i, j)
		}
	}
	got := r.Stats
	got.WordsInserted, got.WordsDeleted = 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stats do not match the paragraphs (-want +got):\n%s", diff)
	}
}

// checkMoveChunks checks that a move's chunks turn the old paragraph text into
// the new one.
func checkMoveChunks(t tb, where string, cs []Chunk, old, new string) {
	t.Helper()
	var o, n strings.Builder
	for _, c := range cs {
		if c.Op != OpInsert {
			o.WriteString(c.Text)
		}
		if c.Op != OpDelete {
			n.WriteString(c.Text)
		}
	}
	if o.String() != old || n.String() != new {
		t.Fatalf("%s: move chunks spell %q -> %q, want %q -> %q", where, o.String(), n.String(), old, new)
	}
}

// checkRenderers renders r in every format and checks what can be checked
// mechanically: the unified diff applies to old and gives new, the JSON
// decodes back to r, and the HTML holds no unescaped text.
func checkRenderers(t tb, old, new string, r *Result) {
	t.Helper()
	var u bytes.Buffer
	if err := WriteUnified(&u, r, "a/old", "b/new"); err != nil {
		t.Fatal(err)
	}
	got, err := applyUnified(old, u.String())
	if err != nil {
		t.Fatalf("unified diff does not apply: %v\n%s", err, u.String())
	}
	if got != new {
		t.Fatalf("unified diff applied to old gives\n%q\nwant\n%q\ndiff:\n%s", got, new, u.String())
	}
	if (old == new) != (u.Len() == 0) {
		t.Fatalf("unified diff of %s texts has %d bytes", map[bool]string{true: "equal", false: "different"}[old == new], u.Len())
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, r); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(j.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not decode: %v\n%s", err, j.String())
	}
	// reflect.DeepEqual first: cmp is slow on the redlines of megabytes.
	if !reflect.DeepEqual(r, &back) {
		if diff := cmp.Diff(r, &back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("JSON round trip differs (-want +got):\n%s", diff)
		}
	}
	for _, f := range []Format{FormatHTML, FormatHTMLSide} {
		var h bytes.Buffer
		if err := Render(&h, r, f, "", ""); err != nil {
			t.Fatal(err)
		}
		checkHTML(t, h.String())
	}
}

var tagRE = regexp.MustCompile(`<(/?)([a-z]+)((?: [a-z-]+="[^"<>]*")*)>`)

// checkHTML checks that every tag in s is one the renderers write, and that
// tags are balanced: anything else would be text that escaped escaping.
func checkHTML(t tb, s string) {
	t.Helper()
	allowed := map[string]bool{"div": true, "p": true, "ins": true, "del": true, "span": true, "a": true, "br": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}
	var stack []string
	rest := s
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		m := tagRE.FindStringSubmatchIndex(rest[i:])
		if m == nil || m[0] != 0 {
			t.Fatalf("stray '<' in HTML at %q", rest[i:min(len(rest), i+40)])
		}
		name := rest[i+m[4] : i+m[5]]
		if !allowed[name] {
			t.Fatalf("unexpected tag %q", name)
		}
		closing := m[3] > m[2]
		switch {
		case name == "br":
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("unbalanced </%s> (open: %v)", name, stack)
			}
			stack = stack[:len(stack)-1]
		default:
			stack = append(stack, name)
		}
		rest = rest[i+m[1]:]
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed tags %v", stack)
	}
	if !strings.HasSuffix(s, "\n") {
		t.Fatalf("HTML does not end with a newline")
	}
}

var hunkRE = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies a unified diff to old, checking hunk headers, line
// numbers and context strictly, as patch would with no fuzz.
func applyUnified(old, diff string) (string, error) {
	if diff == "" {
		return old, nil
	}
	oldLines, oldEOL := splitKeep(old)
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("bad header")
	}
	var out []string
	outEOL := true
	pos := 0 // next old line to copy (0-based)
	newLineNo := 1
	for k := 2; k < len(lines); {
		m := hunkRE.FindStringSubmatch(lines[k])
		if m == nil {
			return "", fmt.Errorf("line %d: want hunk header, got %q", k+1, lines[k])
		}
		os, oc := atoi(m[1]), atoiDef(m[2], 1)
		ns, nc := atoi(m[3]), atoiDef(m[4], 1)
		start := os - 1
		if oc == 0 {
			start = os
		}
		if start < pos {
			return "", fmt.Errorf("hunk %q overlaps the previous one", lines[k])
		}
		for pos < start {
			if pos >= len(oldLines) {
				return "", fmt.Errorf("hunk %q starts past the end", lines[k])
			}
			out = append(out, oldLines[pos])
			pos++
			newLineNo++
		}
		wantNew := ns
		if nc == 0 {
			wantNew = ns + 1
		}
		if newLineNo != wantNew {
			return "", fmt.Errorf("hunk %q: new side starts at line %d", lines[k], newLineNo)
		}
		k++
		var seenOld, seenNew int
		for k < len(lines) && !strings.HasPrefix(lines[k], "@@") {
			l := lines[k]
			k++
			noEOL := k < len(lines) && lines[k] == `\ No newline at end of file`
			if noEOL {
				k++
			}
			if l == "" {
				return "", fmt.Errorf("empty line in hunk")
			}
			op, text := l[0], l[1:]
			switch op {
			case ' ', '-':
				if pos >= len(oldLines) || oldLines[pos] != text {
					return "", fmt.Errorf("context/deletion %q does not match old line %d", l, pos+1)
				}
				if noEOL != (pos == len(oldLines)-1 && !oldEOL) {
					return "", fmt.Errorf("no-newline marker wrong at old line %d", pos+1)
				}
				pos++
				seenOld++
				if op == ' ' {
					out = append(out, text)
					outEOL = !noEOL
					seenNew++
					newLineNo++
				}
			case '+':
				out = append(out, text)
				outEOL = !noEOL
				seenNew++
				newLineNo++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
		}
		if seenOld != oc || seenNew != nc {
			return "", fmt.Errorf("hunk counts %d,%d but has %d,%d lines", oc, nc, seenOld, seenNew)
		}
	}
	if pos < len(oldLines) {
		out = append(out, oldLines[pos:]...)
		outEOL = oldEOL
	}
	res := strings.Join(out, "\n")
	if len(out) > 0 && outEOL {
		res += "\n"
	}
	return res, nil
}

// splitKeep splits s into lines without their breaks, and says whether the
// last line had one.
func splitKeep(s string) ([]string, bool) {
	if s == "" {
		return nil, true
	}
	eol := strings.HasSuffix(s, "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), eol
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func atoiDef(s string, def int) int {
	if s == "" {
		return def
	}
	return atoi(s)
}
