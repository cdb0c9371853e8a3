//go:build !race

package sqlstore_test

// raceEnabled reports that the tests run under the race detector, which
// slows timing-sensitive checks.
const raceEnabled = false
