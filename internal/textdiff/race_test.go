//go:build race

package textdiff

// raceSlowdown scales time limits in tests: the race detector slows go-diff
// down about tenfold.
const raceSlowdown = 10
