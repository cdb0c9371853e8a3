package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/diffcli"
)

// build compiles a command of this module into dir under name.
func build(t *testing.T, dir, name, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// runBin runs bin with args and env, returning its exit status and output.
func runBin(t *testing.T, env []string, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestCLILinksNoServer: the binary links the standard library, the diff
// command, the engine and its one dependency, nothing else: every package a
// binary links runs its init before main, whether the command needs it or not.
func TestCLILinksNoServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"redline/cmd/redline-cli":                 true,
		"redline/internal/diffcli":                true,
		"redline/internal/textdiff":               true,
		"github.com/sergi/go-diff/diffmatchpatch": true,
	}
	var std, n int
	for _, p := range strings.Fields(string(out)) {
		n++
		first, _, _ := strings.Cut(p, "/")
		if !strings.Contains(first, ".") && first != "redline" {
			std++
			continue
		}
		if !allowed[p] {
			t.Errorf("redline-cli links %s", p)
		}
	}
	if n-std != len(allowed) {
		t.Errorf("%d non-standard packages, want %d", n-std, len(allowed))
	}
}

// TestCLIDiffAsRedlineDiff: the binary's diff is internal/diffcli's, output
// and exit status, on the engine's golden drafts in every format and mode and
// on each error; and it runs few inits (the server's binary runs some 250).
func TestCLIDiffAsRedlineDiff(t *testing.T) {
	dir := t.TempDir()
	bin := build(t, dir, "redline", ".")
	td := filepath.Join("..", "..", "internal", "textdiff", "testdata")
	oldPath, newPath := filepath.Join(td, "resolution_old.txt"), filepath.Join(td, "resolution_new.txt")
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("Статья 1.\n\xff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{oldPath, newPath},
		{"--format", "json", oldPath, newPath},
		{oldPath, newPath, "--format", "html"},
		{"--mode", "char", "--format", "html-side", oldPath, newPath},
		{"--mode", "line", oldPath, newPath},
		{oldPath, oldPath},
		{oldPath, filepath.Join(dir, "missing.txt")},
		{oldPath, bad},
		{oldPath},
		{"--mode", "sentence", oldPath, newPath},
		{"--help"},
	}
	codes := map[int]int{}
	for _, args := range cases {
		var wantOut, wantErr bytes.Buffer
		wantCode := diffcli.Run(args, &wantOut, &wantErr)
		code, out, errs := runBin(t, nil, bin, append([]string{"diff"}, args...)...)
		if code != wantCode || out != wantOut.String() || errs != wantErr.String() {
			t.Errorf("diff %q: exit %d, %d bytes out, stderr %q; in process: exit %d, %d bytes, %q",
				args, code, len(out), errs, wantCode, wantOut.Len(), wantErr.String())
		}
		codes[code]++
	}
	if codes[0] == 0 || codes[1] == 0 || codes[2] == 0 {
		t.Errorf("exit statuses seen %v, want 0, 1 and 2", codes)
	}

	_, _, trace := runBin(t, []string{"GODEBUG=inittrace=1"}, bin, "diff", oldPath, newPath)
	inits := 0
	for _, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, "init ") {
			inits++
		}
	}
	if inits == 0 || inits > 60 {
		t.Errorf("%d package inits before diff, want at most 60:\n%s", inits, trace)
	}
}

// TestCLIHandsOtherCommandsToServer: every command but diff is run by the
// server binary found next to this one (else named by REDLINE_SERVER_BIN),
// with its arguments, environment, output and exit status; without one, a
// clear error. The "server" here is /bin/sh, so that this test does not build
// the 530 packages of the real one: what is checked is the hand-over.
func TestCLIHandsOtherCommandsToServer(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := build(t, dir, "redline", ".")

	code, _, errs := runBin(t, []string{"PATH=" + dir}, bin, "help")
	if code != 1 || !strings.Contains(errs, "redline-server") {
		t.Errorf("help without a server binary: exit %d, stderr %q", code, errs)
	}

	if err := os.Symlink(sh, filepath.Join(dir, "redline-server")); err != nil {
		t.Fatal(err)
	}
	// execve: the server runs in this very process ($$ is its id).
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, "-c", `echo "$RL_PROBE|$1|$$"; echo err >&2; exit 7`, "sh", "Статья 1")
	cmd.Env = append(os.Environ(), "RL_PROBE=hall 2")
	cmd.Stdout, cmd.Stderr = &out, &errb
	var ee *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != 7 || errb.String() != "err\n" {
		t.Errorf("handed-over command: %v, stderr %q; want exit status 7, \"err\\n\"", err, errb.String())
	}
	want := fmt.Sprintf("hall 2|Статья 1|%d\n", cmd.Process.Pid)
	if out.String() != want {
		t.Errorf("handed-over command printed %q, want %q (its environment, arguments and process)", out.String(), want)
	}

	other := filepath.Join(t.TempDir(), "srv")
	if err := os.Rename(filepath.Join(dir, "redline-server"), other); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runBin(t, []string{"REDLINE_SERVER_BIN=" + other}, bin, "-c", "echo named"); code != 0 || out != "named\n" {
		t.Errorf("with REDLINE_SERVER_BIN: exit %d, stdout %q", code, out)
	}
}
