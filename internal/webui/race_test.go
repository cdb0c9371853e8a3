//go:build race

package webui

// raceEnabled reports that this test binary runs under the race detector.
const raceEnabled = true
