package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/textdiff"
)

// runDiff runs `redline diff ARGS…` through main's dispatcher.
func runDiff(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"diff"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// diffFiles writes the two golden drafts of textdiff into a temp dir.
func diffFiles(t *testing.T) (oldPath, newPath string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{"old.txt": "resolution_old.txt", "new.txt": "resolution_new.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "textdiff", "testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
}

func TestDiffUnifiedDefault(t *testing.T) {
	oldPath, newPath := diffFiles(t)
	code, out, errs := runDiff(t, oldPath, newPath)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.HasPrefix(out, "--- "+oldPath+"\n+++ "+newPath+"\n@@ -") {
		t.Fatalf("not a unified diff:\n%s", out)
	}
	for _, want := range []string{
		"-1. Формирование инновационных кластеров является одним из основных инструментов",
		"+1. Формирование инновационных кластеров является одним из ключевых инструментов",
		"+9. Предложить Московской городской думе",
		"-8. Особое внимание следует уделить подготовке кадров",
	} {
		if !strings.Contains(out, want+" ") && !strings.Contains(out, want+"\n") {
			t.Errorf("unified diff lacks %q", want)
		}
	}
}

// TestDiffFlagsAnywhere: flags before, between and after the files give the
// same output.
func TestDiffFlagsAnywhere(t *testing.T) {
	oldPath, newPath := diffFiles(t)
	var outs []string
	for _, args := range [][]string{
		{"--mode", "char", "--format", "json", oldPath, newPath},
		{oldPath, "--mode=char", newPath, "--format", "json"},
		{oldPath, newPath, "-format", "json", "-mode", "char"},
	} {
		code, out, errs := runDiff(t, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errs)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Fatal("flag position changes the output")
	}
	var r textdiff.Result
	if err := json.Unmarshal([]byte(outs[0]), &r); err != nil {
		t.Fatalf("--format json: %v", err)
	}
	if r.Mode != textdiff.ModeChar || r.Stats.ParagraphsMoved != 1 || r.Stats.ParagraphsRenumbered != 6 {
		t.Fatalf("unexpected result: mode %s, %+v", r.Mode, r.Stats)
	}
}

func TestDiffFormats(t *testing.T) {
	oldPath, newPath := diffFiles(t)
	for format, want := range map[string]string{
		"html":      `<div class="redline redline-inline">`,
		"html-side": `<table class="redline redline-side">`,
		"unified":   "--- " + oldPath,
		"json":      `{"mode":"word"`,
	} {
		code, out, errs := runDiff(t, oldPath, newPath, "--format", format)
		if code != 0 || !strings.HasPrefix(out, want) {
			t.Errorf("--format %s: exit %d, stderr %q, output starts %q", format, code, errs, out[:min(len(out), 60)])
		}
	}
	code, out, _ := runDiff(t, oldPath, newPath, "--mode", "line", "--format", "html")
	if code != 0 || !strings.Contains(out, `<del class="del">1. Формирование`) {
		t.Errorf("--mode line does not show whole paragraphs: %d\n%s", code, out)
	}
}

func TestDiffIdenticalFiles(t *testing.T) {
	oldPath, _ := diffFiles(t)
	code, out, errs := runDiff(t, oldPath, oldPath)
	if code != 0 || out != "" || errs != "" {
		t.Fatalf("identical files: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestDiffDashFiles: after "--", arguments are files even if they look like flags.
func TestDiffDashFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("-old", []byte("Один.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("-new", []byte("Два.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runDiff(t, "--format", "unified", "--", "-old", "-new")
	if code != 0 || !strings.Contains(out, "-Один.\n+Два.\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestDiffErrors(t *testing.T) {
	oldPath, newPath := diffFiles(t)
	bad := filepath.Join(t.TempDir(), "latin1.txt")
	if err := os.WriteFile(bad, []byte("Первая строка\nВторая \xcf\xf0\xe8\xe2\xe5\xf2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no files", nil, 2, "want 2 files, got 0"},
		{"one file", []string{oldPath}, 2, "want 2 files, got 1"},
		{"three files", []string{oldPath, newPath, newPath}, 2, "want 2 files, got 3"},
		{"unknown mode", []string{oldPath, newPath, "--mode", "sentence"}, 2, `unknown diff mode "sentence"`},
		{"unknown format", []string{oldPath, newPath, "--format", "pdf"}, 2, `unknown diff format "pdf"`},
		{"unknown flag", []string{oldPath, newPath, "--colour"}, 2, "flag provided but not defined: -colour"},
		{"flag without value", []string{oldPath, newPath, "--mode"}, 2, "flag needs an argument: -mode"},
		{"missing file", []string{oldPath, filepath.Join(t.TempDir(), "nope.txt")}, 1, "no such file or directory"},
		{"not UTF-8", []string{oldPath, bad}, 1, bad + ": not valid UTF-8 (line 2, byte 14 of the line)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runDiff(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.msg) || out != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q in it)", code, tt.code, out, errs, tt.msg)
			}
			if tt.code == 2 && !strings.Contains(errs, "usage: redline diff OLD_FILE NEW_FILE") {
				t.Fatalf("usage error without the usage: %q", errs)
			}
		})
	}
}

func TestDiffHelp(t *testing.T) {
	code, out, _ := runDiff(t, "--help")
	if code != 0 || !strings.HasPrefix(out, "usage: redline diff") {
		t.Fatalf("--help: exit %d, %q", code, out)
	}
}

// TestDiffLineEnds: a file saved with CRLF line ends against the same text
// with LF is no change (issue 12).
func TestDiffLineEnds(t *testing.T) {
	dir := t.TempDir()
	lf := "Первый абзац.\n\nВторой абзац.\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	a, b := filepath.Join(dir, "lf.txt"), filepath.Join(dir, "crlf.txt")
	if err := os.WriteFile(a, []byte(lf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(crlf), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runDiff(t, a, b); code != 0 || out != "" || errs != "" {
		t.Fatalf("CRLF against LF: exit %d, stdout %q, stderr %q; want no change", code, out, errs)
	}
}
