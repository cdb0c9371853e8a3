package webui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/web"
)

// TestEveryReasonHasASentence: every reason the service gives has a
// sentence in Russian and in English, which renders with the details the
// service sends with it and without any, and the Russian one holds no
// English word.
func TestEveryReasonHasASentence(t *testing.T) {
	var missing []string
	langs, err := translators(func(id string) { missing = append(missing, id) })
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]any{"head": int64(7), "required": 2, "approvals": 1, "max": 300, "min": 1,
		"max_bytes": int64(4 << 20), "state": drafting.ProposalMerged, "field": "text"}
	latinWord := regexp.MustCompile(`\b[A-Za-z]{3,}\b`)
	// Names Russian writes in Latin letters: a header, formats, programs.
	names := strings.NewReplacer("Idempotency-Key", "", "JSON", "",
		"LibreOffice", "", "Word", "", ".docx", "", ".odt", "", ".doc", "", "RTF", "", "XML", "", "DOCTYPE", "")
	for _, r := range drafting.Reasons() {
		for _, lang := range []string{"ru", "en"} {
			tr := langs[lang]
			for _, d := range []map[string]any{nil, details} {
				got := tr.reason(r, d)
				if strings.Contains(got, "⟦") || strings.Contains(got, "<no value>") || strings.TrimSpace(got) == "" {
					t.Errorf("%s %s (details %v): %q", lang, r, d != nil, got)
				}
				if lang == "ru" && latinWord.MatchString(names.Replace(got)) {
					t.Errorf("ru %s: English in %q", r, got)
				}
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("reasons without a sentence: %v", missing)
	}
	// The sentence follows the reason, not the wording: a refusal whose
	// message says one thing reads as its reason says.
	err = drafting.Refuse("x", drafting.ReasonStaleBase, "quorum not reached, open threads").With("head", int64(3))
	if got := langs["ru"].Reason(err); !strings.Contains(got, "№ 3") || strings.Contains(got, "кворум") {
		t.Errorf("stale base read as %q", got)
	}
}

// TestPagesDoNotReadEnglish: the pages never choose what to say from the
// service's English wording (no ErrorMessage, no matching of messages), and
// do not import the JSON API: they mount on the shell.
func TestPagesDoNotReadEnglish(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	demoFiles, _ := filepath.Glob("demo/*.go")
	files = append(files, demoFiles...)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "redline/internal/httpapi" {
				t.Errorf("%s imports the JSON API", name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "drafting" {
				switch sel.Sel.Name {
				case "ErrorMessage":
					t.Errorf("%s: %s reads the service's English message", name, fset.Position(sel.Pos()))
				case "NewOperator", "Operator":
					t.Errorf("%s: %s reaches the operations that trust their caller", name, fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
	// Nor do the templates print an English message.
	err = fs.WalkDir(web.Templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Templates, p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), ".Detail") || strings.Contains(string(b), "ErrorMessage") {
			t.Errorf("%s shows a service message", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("../httpapi"); err != nil {
		t.Fatalf("run from the package folder: %v", err)
	}
}
