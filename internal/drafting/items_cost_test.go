package drafting

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestApplyChangesCostIsLinear: a proposal of many item changes cost one
// copy of the whole text per change (100 000 insertions through the API:
// 34 s of CPU and then a 503). Counted in bytes allocated, not in time:
// 20 000 insertions stay within a small multiple of the result's size.
func TestApplyChangesCostIsLinear(t *testing.T) {
	base := "Преамбула.\n\n1. Первый.\n\n2. Второй.\n\n3. Третий.\n"
	var changes []ItemChange
	for i := range 20000 {
		changes = append(changes, ItemChange{Op: ChangeInsertAfter, Item: "1", Text: fmt.Sprintf("1.%d. Новый подпункт.", i)})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := ApplyChanges("cost", base, changes)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out, "Новый подпункт"); got != len(changes) {
		t.Fatalf("%d insertions in the result, want %d", got, len(changes))
	}
	if alloc, limit := after.TotalAlloc-before.TotalAlloc, uint64(64*len(out)); alloc > limit {
		t.Errorf("applying %d changes to make %d bytes allocated %d bytes (limit %d)", len(changes), len(out), alloc, limit)
	}
}
