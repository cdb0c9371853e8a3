package httpapi

// issue 14: labels beside every paragraph index of a redline.

import (
	"bytes"
	"encoding/json"

	"redline/internal/drafting"
	"redline/internal/textdiff"
)

type labeledMove struct {
	*textdiff.Move
	OldLabel string `json:"old_label"`
	NewLabel string `json:"new_label"`
}

type labeledParagraph struct {
	textdiff.Paragraph
	OldLabel *string      `json:"old_label"`
	NewLabel *string      `json:"new_label"`
	Move     *labeledMove `json:"move,omitempty"`
}

type labeledDiff struct {
	Mode           textdiff.Mode      `json:"mode"`
	Degraded       bool               `json:"degraded"`
	DegradedReason string             `json:"degraded_reason,omitempty"`
	Stats          textdiff.Stats     `json:"stats"`
	ChangedItems   []itemJSON         `json:"changed_items"`
	Paragraphs     []labeledParagraph `json:"paragraphs"`
}

func labelPtr(o drafting.Outline, i int) *string {
	if i < 0 {
		return nil
	}
	l := o.Label(i)
	return &l
}

// writeLabeledJSON writes a redline as JSON with each paragraph's labels in
// the old and new texts beside its indexes, and the items it changes.
func writeLabeledJSON(buf *bytes.Buffer, r *textdiff.Result, from, to drafting.Outline) error {
	out := labeledDiff{Mode: r.Mode, Degraded: r.Degraded, DegradedReason: r.DegradedReason, Stats: r.Stats,
		ChangedItems: itemsOut(drafting.ChangedItems(r, from, to)), Paragraphs: make([]labeledParagraph, len(r.Paragraphs))}
	for i, p := range r.Paragraphs {
		lp := labeledParagraph{Paragraph: p, OldLabel: labelPtr(from, p.OldIndex), NewLabel: labelPtr(to, p.NewIndex)}
		if p.Move != nil {
			lp.Move = &labeledMove{Move: p.Move, OldLabel: from.Label(p.Move.OldIndex), NewLabel: to.Label(p.Move.NewIndex)}
		}
		out.Paragraphs[i] = lp
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
