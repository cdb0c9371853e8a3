//go:build race

package office

// raceEnabled reports that this test binary runs under the race detector,
// whose shadow memory would dwarf what TestHostileMemory measures.
const raceEnabled = true
