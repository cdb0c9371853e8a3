//go:build race

package main

// raceEnabled reports that this test binary runs under the race detector,
// whose shadow memory would dwarf what TestHostileUploads measures.
const raceEnabled = true
