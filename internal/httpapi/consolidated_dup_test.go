package httpapi_test

import (
	"strings"
	"testing"
)

// TestConsolidatedMergesEachAmendmentOnce: ?open= naming one amendment
// over and over merged it once per mention (a pass over the whole text
// each, so a query of thousands cost thousands of merges) and listed it
// as applied as often; it is merged and listed once, in first-mention
// order.
func TestConsolidatedMergesEachAmendmentOnce(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member, observer := a.as("member"), a.as("observer")
	for _, ch := range []map[string]any{{"op": "replace", "item": "2", "text": "Создать центр."}, {"op": "replace", "item": "4", "text": "Подготовить план."}} {
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Поправка",
			"changes": []map[string]any{ch}}), 201)
	}
	open := strings.TrimSuffix(strings.Repeat("2,1,", 1000), ",")
	r := observer.mustStatus(observer.do("GET", "/api/v1/documents/doc/consolidated?basis=1&open="+open, nil), 200).json(t)
	applied, _ := r["applied"].([]any)
	if len(applied) != 2 || applied[0] != float64(2) || applied[1] != float64(1) {
		t.Errorf("applied: %v", r["applied"])
	}
}
