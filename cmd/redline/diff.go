package main

import (
	"fmt"
	"io"
)

// cmdDiff runs the redline engine on two files. (Being built: issue 4.)
func cmdDiff(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "redline diff: not built yet")
	return 2
}
