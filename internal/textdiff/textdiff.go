// Package textdiff computes paragraph-aware redlines between two versions of a
// text, on top of github.com/sergi/go-diff/diffmatchpatch.
//
// A text is a sequence of paragraphs separated by blank lines. Diff aligns the
// paragraphs of the two texts first (unchanged, changed, inserted, deleted,
// moved, renumbered), then diffs each changed pair word by word, character by
// character or not at all, depending on the Mode. The whole document is never
// diffed character by character, and every step runs under a work budget: a
// pair too large for its budget falls back to a coarser level and the Result
// says so (Degraded), instead of go-diff's timeout silently turning it into
// "delete everything, insert everything".
//
// Every offset in a Result is counted in Unicode code points. The package does
// no I/O beyond writing rendered output to the io.Writer it is given.
package textdiff

import (
	"context"
	"fmt"
	"strings"
)

// Mode selects how finely changed paragraphs are diffed.
type Mode string

// The diff modes.
const (
	// ModeWord diffs changed paragraphs by tokens: words, whitespace runs and
	// single punctuation characters. It is the default.
	ModeWord Mode = "word"
	// ModeChar diffs changed paragraphs character by character, with go-diff's
	// semantic cleanup where the paragraphs share enough text to afford it.
	ModeChar Mode = "char"
	// ModeLine reports paragraphs only: a changed paragraph is shown as the
	// whole old paragraph deleted and the whole new one inserted.
	ModeLine Mode = "line"
)

// ParseMode parses a mode name; the empty string is ModeWord.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "":
		return ModeWord, nil
	case ModeWord, ModeChar, ModeLine:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown diff mode %q (want word, char or line)", s)
}

// Format selects a renderer.
type Format string

// The output formats.
const (
	// FormatJSON is the Result as JSON (see WriteJSON).
	FormatJSON Format = "json"
	// FormatHTML is the inline HTML redline (see WriteHTMLInline).
	FormatHTML Format = "html"
	// FormatHTMLSide is the side-by-side HTML table (see WriteHTMLSideBySide).
	FormatHTMLSide Format = "html-side"
	// FormatUnified is the unified diff text `git diff` prints (see WriteUnified).
	FormatUnified Format = "unified"
)

// ParseFormat parses a format name; the empty string is FormatJSON, and
// "html-inline" is accepted as a synonym of "html".
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "":
		return FormatJSON, nil
	case "html-inline":
		return FormatHTML, nil
	case FormatJSON, FormatHTML, FormatHTMLSide, FormatUnified:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown diff format %q (want json, html, html-side or unified)", s)
}

// EngineVersion changes whenever the engine's output for the same inputs and
// options may change. It is part of every cache key (see Options.CacheKey).
const EngineVersion = "6"

// Default budgets, used where Options leaves a field zero. They are counted in
// work (tokens, characters, paragraphs compared), never in time, so the same
// inputs give the same Result on any machine at any load. Together they keep
// any Diff of texts up to 4 MiB to a couple of seconds and under 256 MB on a
// small machine (see TestBudgets); realistic revisions stay far inside them.
const (
	// DefaultMaxPairCost bounds one paragraph pair's word or character diff.
	DefaultMaxPairCost = 25_000_000
	// DefaultMaxTotalCost bounds the sum of all pair diffs in one Diff.
	DefaultMaxTotalCost = 400_000_000
	// DefaultMaxAlignCost bounds one Myers run of the paragraph alignment.
	DefaultMaxAlignCost = 64_000_000
)

// Options configure Diff. The zero value is word mode with default budgets.
type Options struct {
	// Mode is the granularity of changes inside paragraphs; "" is ModeWord.
	Mode Mode

	// MaxPairCost bounds the diff of one changed paragraph pair, measured as
	// the product of the two sides' token (ModeWord) or character (ModeChar)
	// counts once their common beginning and end are trimmed. A pair over it
	// is diffed at a coarser level and the Result is marked Degraded.
	// Zero means DefaultMaxPairCost.
	MaxPairCost int64

	// MaxTotalCost bounds the summed cost of all pair diffs of one Diff;
	// pairs beyond it are shown at paragraph level. Zero means
	// DefaultMaxTotalCost.
	MaxTotalCost int64

	// MaxAlignCost bounds the paragraph alignment, as the product of the
	// paragraph counts of a region Myers' algorithm is run on. Larger regions
	// are split at paragraphs that are unique in both texts (patience diff);
	// a region that still cannot be split is shown as deleted and inserted,
	// and the Result is marked Degraded. Zero means DefaultMaxAlignCost.
	MaxAlignCost int64
}

func (o Options) withDefaults() Options {
	if o.Mode == "" {
		o.Mode = ModeWord
	}
	if o.MaxPairCost <= 0 {
		o.MaxPairCost = DefaultMaxPairCost
	}
	if o.MaxTotalCost <= 0 {
		o.MaxTotalCost = DefaultMaxTotalCost
	}
	if o.MaxAlignCost <= 0 {
		o.MaxAlignCost = DefaultMaxAlignCost
	}
	return o
}

// CacheKey identifies, for a cache, everything in o that decides a Result
// besides the two texts: the mode, the budgets and the engine's version. A
// degraded Result is the one these options give, so it is cached under the
// same key as it would be if it were not degraded, and never served for
// other options.
func (o Options) CacheKey() string {
	o = o.withDefaults()
	return fmt.Sprintf("e%s-%s-p%d-t%d-a%d", EngineVersion, o.Mode, o.MaxPairCost, o.MaxTotalCost, o.MaxAlignCost)
}

// MergeCacheKey identifies Merge3's engine for a cache of merge results.
func MergeCacheKey() string { return "m" + EngineVersion + "-" + Options{}.CacheKey() }

// DiffContext is Diff for a request with a deadline: the Result is the very
// one Diff gives (budgets in work decide what is degraded, never time), or,
// when ctx is done first, an error wrapping ctx's. It lets a server answer a
// clear "unavailable" instead of a coarser redline.
func DiffContext(ctx context.Context, old, new string, opt Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	opt = opt.withDefaults()
	d := newDiffer(opt)
	d.ctx = ctx
	r := d.finish(d.run(old, new))
	if d.cancelled {
		return nil, fmt.Errorf("diff: %w", ctx.Err())
	}
	return r, nil
}

// ParaKind says what happened to a paragraph between the two texts.
type ParaKind string

// The paragraph kinds.
const (
	// KindEqual: the paragraph is unchanged. Only the blank lines after it
	// may differ; such a difference appears as whitespace chunks at the end.
	KindEqual ParaKind = "equal"
	// KindChanged: the paragraph was edited in place; Chunks hold the edits.
	KindChanged ParaKind = "changed"
	// KindInserted: the paragraph exists only in the new text.
	KindInserted ParaKind = "inserted"
	// KindDeleted: the paragraph exists only in the old text.
	KindDeleted ParaKind = "deleted"
	// KindMovedFrom: the old place of a moved paragraph. Chunks delete it
	// whole; Move says where it went.
	KindMovedFrom ParaKind = "moved_from"
	// KindMovedTo: the new place of a moved paragraph. Chunks insert it whole;
	// Move says where it came from and holds the edits made while moving it.
	KindMovedTo ParaKind = "moved_to"
	// KindRenumbered: only the paragraph's list number changed ("2." became
	// "3."), typically because a paragraph was inserted or deleted before it.
	// Chunks are the old number deleted, the new number inserted, and the rest
	// of the paragraph equal.
	KindRenumbered ParaKind = "renumbered"
	// KindSplit: one old paragraph became Count consecutive new ones (from
	// NewIndex on). Chunks diff the old paragraph into the new ones joined by
	// their separators: the cut shows as inserted line breaks, with the
	// words edited around it.
	KindSplit ParaKind = "split"
	// KindJoined: Count consecutive old paragraphs (from OldIndex on) became
	// one new paragraph; the separators between them show as deleted.
	KindJoined ParaKind = "joined"
)

// Result is a redline between two texts.
//
// Invariant: concatenating, over Paragraphs in order, the Text of the chunks
// whose Op is "equal" or "delete" yields the old text exactly, and of those
// whose Op is "equal" or "insert" the new text exactly, in every mode.
type Result struct {
	// Mode is the mode the diff was computed in.
	Mode Mode `json:"mode"`
	// Paragraphs lists every paragraph of both texts, in an order consistent
	// with both: old paragraphs appear in old order, new ones in new order.
	Paragraphs []Paragraph `json:"paragraphs"`
	// Stats summarises the changes.
	Stats Stats `json:"stats"`
	// Degraded is true when some part was diffed more coarsely than asked
	// because it exceeded a work budget.
	Degraded bool `json:"degraded"`
	// DegradedReason says which parts were degraded and why.
	DegradedReason string `json:"degraded_reason,omitempty"`
}

// Paragraph is one paragraph of the redline, with the whitespace that follows
// it (its separator: trailing spaces, the line break, blank lines). A text
// that starts with blank lines has a first paragraph whose only text is those
// blank lines.
type Paragraph struct {
	// Kind is what happened to the paragraph.
	Kind ParaKind `json:"kind"`
	// OldIndex is the paragraph's index among the old text's paragraphs,
	// -1 when it has no old side (inserted, moved_to).
	OldIndex int `json:"old_index"`
	// NewIndex is the paragraph's index among the new text's paragraphs,
	// -1 when it has no new side (deleted, moved_from).
	NewIndex int `json:"new_index"`
	// OldStart is the offset, in code points into the old text, where the
	// paragraph's old side starts; for a paragraph with no old side, the
	// place in the old text where it would be.
	OldStart int `json:"old_start"`
	// NewStart is the same offset into the new text.
	NewStart int `json:"new_start"`
	// Chunks are the pieces of the paragraph, in order. The paragraph's
	// separator always comes in chunks of its own at the end, never merged
	// with the paragraph's text, so renderers that lay paragraphs out as
	// blocks can drop it (see SplitSeparator).
	Chunks []Chunk `json:"chunks"`
	// Move links the two halves of a moved paragraph; nil unless Kind is
	// moved_from or moved_to.
	Move *Move `json:"move,omitempty"`
	// Count is, for a split, the number of new paragraphs, and for a join,
	// the number of old ones; 0 otherwise.
	Count int `json:"count,omitempty"`
}

// Move links the two places of a moved paragraph.
type Move struct {
	// OldIndex is the paragraph's index in the old text (where it was).
	OldIndex int `json:"old_index"`
	// NewIndex is the paragraph's index in the new text (where it is).
	NewIndex int `json:"new_index"`
	// Chunks, on the moved_to half only, diff the paragraph's old text into
	// its new text (without separators), at the Result's mode: a single equal
	// chunk when it moved unchanged.
	Chunks []Chunk `json:"chunks,omitempty"`
}

// The chunk operations.
const (
	OpEqual  = "equal"
	OpInsert = "insert"
	OpDelete = "delete"
)

// Chunk is a piece of text that is in both texts (equal), only in the new one
// (insert) or only in the old one (delete).
type Chunk struct {
	// Op is "equal", "insert" or "delete".
	Op string `json:"op"`
	// Text is the piece of text, exactly as in the input.
	Text string `json:"text"`
}

// Stats counts the changes of a Result.
type Stats struct {
	// ParagraphsAdded counts inserted paragraphs.
	ParagraphsAdded int `json:"paragraphs_added"`
	// ParagraphsRemoved counts deleted paragraphs.
	ParagraphsRemoved int `json:"paragraphs_removed"`
	// ParagraphsChanged counts paragraphs edited in place.
	ParagraphsChanged int `json:"paragraphs_changed"`
	// ParagraphsMoved counts moves (a moved_from/moved_to pair counts once).
	ParagraphsMoved int `json:"paragraphs_moved"`
	// ParagraphsRenumbered counts paragraphs whose only change is their number.
	ParagraphsRenumbered int `json:"paragraphs_renumbered"`
	// ParagraphsSplit counts old paragraphs split into several new ones.
	ParagraphsSplit int `json:"paragraphs_split,omitempty"`
	// ParagraphsJoined counts new paragraphs joined from several old ones.
	ParagraphsJoined int `json:"paragraphs_joined,omitempty"`
	// WordsInserted counts words in inserted text, including inserted
	// paragraphs and edits inside moved ones, but not renumbering.
	WordsInserted int `json:"words_inserted"`
	// WordsDeleted counts words in deleted text, likewise.
	WordsDeleted int `json:"words_deleted"`
}

// OldText reassembles the old text from r's chunks (equal and delete).
func (r *Result) OldText() string { return r.side(OpDelete) }

// NewText reassembles the new text from r's chunks (equal and insert).
func (r *Result) NewText() string { return r.side(OpInsert) }

func (r *Result) side(op string) string {
	var b strings.Builder
	for _, p := range r.Paragraphs {
		for _, c := range p.Chunks {
			if c.Op == OpEqual || c.Op == op {
				b.WriteString(c.Text)
			}
		}
	}
	return b.String()
}

// SplitSeparator splits a paragraph's chunks into those of its text and those
// of its separator (the whitespace after it).
func SplitSeparator(chunks []Chunk) (text, sep []Chunk) {
	i := len(chunks)
	for i > 0 && isSeparatorText(chunks[i-1].Text) {
		i--
	}
	return chunks[:i], chunks[i:]
}

// isSeparatorText reports whether s is made only of whitespace: a
// paragraph's own text never ends with whitespace, so such trailing chunks can
// only be its separator.
func isSeparatorText(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpaceByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// NormalizeNewlines returns s with every CRLF line end turned into LF. Every
// place a text enters Redline (the API, the web forms, the command line, an
// imported office file) calls it, so that a text whose line ends changed is
// never shown as rewritten. A lone CR is left as it is, for the caller to
// refuse.
func NormalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}
