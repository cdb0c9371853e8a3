//go:build !failpoints

package failpoint

// Enabled reports whether failpoints are compiled in.
const Enabled = false

// Hit does nothing: failpoints are compiled in only with -tags failpoints.
func Hit(string) {}
