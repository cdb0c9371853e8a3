// Command redline-cli is the redline command without the server linked in:
// `diff` runs here, in a binary of the standard library and the engine only,
// and every other command is handed, arguments, environment and process
// unchanged (execve), to the full server binary.
//
// A Go program runs the init of every package it links before main: the
// server's binary links some 530 packages (Gin, the HTML sanitizer and
// Markdown parser, MinIO, pgx, SQLite, Prometheus, Casbin…) whose inits take
// about 15 ms and whose pages and heap put 35 MB in its resident set before
// the first line of main. `redline diff` on two small files pays all of it;
// this binary pays none of it.
//
// The server binary is REDLINE_SERVER_BIN when set, else redline-server next
// to this binary, else redline-server on PATH (go build -o DIR/redline-server
// ./cmd/redline).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"redline/internal/diffcli"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "diff" {
		os.Exit(diffcli.Run(args[1:], os.Stdout, os.Stderr))
	}
	bin, err := serverBinary()
	if err != nil {
		fmt.Fprintf(os.Stderr, "redline: %v\n", err)
		os.Exit(1)
	}
	// execve keeps the process: its id, signals and exit status are the
	// server's own, as when the server binary is run directly.
	err = syscall.Exec(bin, append([]string{bin}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "redline: run %s: %v\n", bin, err)
	os.Exit(1)
}

// serverBinary finds the full redline binary.
func serverBinary() (string, error) {
	if p := os.Getenv("REDLINE_SERVER_BIN"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "redline-server")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("redline-server"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("this binary runs only diff; the other commands need the server binary, redline-server, next to it, on PATH or named by REDLINE_SERVER_BIN (go build -o DIR/redline-server ./cmd/redline)")
}
