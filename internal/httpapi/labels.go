package httpapi

// issue 14: labels beside every paragraph index of a redline.

import (
	"bytes"
	"encoding/json"

	"redline/internal/drafting"
	"redline/internal/outline"
	"redline/internal/textdiff"
)

type labeledMove struct {
	*textdiff.Move
	OldLabel string `json:"old_label"`
	NewLabel string `json:"new_label"`
	// AfterLabel is the label of the paragraph the moved one now follows
	// in the new text, null when it opens the text; Note words the move in
	// the document's language: "перенесён: пункт 16 → после пункта 11".
	AfterLabel *string `json:"after_label"`
	Note       string  `json:"note"`
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
			lp.Move.AfterLabel, lp.Move.Note = moveAfter(p.Move, from, to)
		}
		out.Paragraphs[i] = lp
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// moveAfter names where a moved paragraph went: the label of the paragraph
// it now follows (nil at the start of the text), and the move in words.
func moveAfter(m *textdiff.Move, from, to drafting.Outline) (*string, string) {
	var after *outline.Label
	if j := m.NewIndex - 1; j >= 0 && j < len(to.Paragraphs) && to.Paragraphs[j].Kind != outline.KindBlank {
		after = &to.Paragraphs[j].Label
	}
	if m.OldIndex < 0 || m.OldIndex >= len(from.Paragraphs) {
		return nil, ""
	}
	note := outline.MoveNote(to.Language, from.Paragraphs[m.OldIndex].Label, after)
	if after == nil {
		return nil, note
	}
	l := after.Format(to.Language)
	return &l, note
}
