package main

import (
	"io"

	"redline/internal/diffcli"
)

// cmdDiff runs the redline engine on two files: `redline diff OLD NEW`. The
// command lives in internal/diffcli so that cmd/redline-cli, which links
// nothing of the server, runs the very same code.
func cmdDiff(args []string, stdout, stderr io.Writer) int {
	return diffcli.Run(args, stdout, stderr)
}
