// Package office converts between Redline's texts and office file formats:
// it imports Word (.docx, WordprocessingML) and LibreOffice (.odt, ODF text)
// documents into Redline's plain-text model, and exports texts as .docx, .odt
// and .pdf, and redlines (a textdiff.Result) as .docx with real tracked
// changes and as .pdf. Every function is pure: bytes and texts in, bytes and
// texts out, no I/O beyond the io.Reader and io.Writer it is given.
//
// # The text model
//
// A Redline text is UTF-8 plain text whose paragraphs are separated by a blank
// line; a single newline inside a paragraph is a line break. Import writes
// what the reader of the document saw:
//
//   - automatic numbering (Word's numbering.xml, ODF list and outline styles)
//     becomes the label itself at the start of the paragraph ("1.", "1.1.",
//     "а)", "IV."), followed by a space, with restarts, overrides and nested
//     levels computed as Word and LibreOffice compute them; bullets become
//     "•" (or the bullet character the list uses);
//   - headings are paragraphs of their own;
//   - a table becomes one paragraph per row, written as a Markdown-style row:
//     "| cell | cell |"; a cell's own paragraphs are joined by a line break,
//     and a "|" inside a cell is written "\|";
//   - a line break (w:br, text:line-break) is a newline, a tab is a tab,
//     a no-break space stays U+00A0;
//   - whatever cannot be represented (images, footnotes, endnotes, comments,
//     text boxes, equations, embedded objects, headers and footers, field
//     codes, link targets) is listed in Imported.Ignored by kind, with a
//     count and the paragraphs it was attached to; a field keeps the text it
//     displayed.
//
// Pending tracked changes are refused (the reader must accept or reject them
// first): importing either side silently would misstate the draft.
//
// # Hostile input
//
// Import treats its input as hostile. The archive is checked before anything
// is inflated (entry count, declared sizes, compression ratio, names that
// climb out of the archive or repeat), every part is inflated through a
// reader that stops at its declared size and at the limits, XML with a
// document type declaration is refused (no entity is ever expanded), and
// element depth, paragraph count and text size are bounded. Each refusal is
// an *Error with a stable Reason (see the Reason constants) that the HTTP
// layer maps to a status; memory stays bounded by Limits whatever the input.
//
// # Why the writers are hand-written
//
// No maintained Go library served by the module proxy writes WordprocessingML
// tracked changes (w:ins, w:del, deleted paragraph marks, w:moveFrom/w:moveTo)
// or ODF text, and what Redline writes is small: paragraphs of plain text with
// line breaks and, for redlines, insertions and deletions. So the .docx and
// .odt writers are small, direct XML writers over encoding/xml's escaping,
// tested by real clients (pandoc reads the tracked changes back, LibreOffice
// converts every file to PDF). PDF is written with github.com/signintech/gopdf,
// which embeds subsets of the TrueType fonts shipped in fonts/ (Liberation
// Serif, SIL Open Font License, licence files beside them).
package office

import (
	"errors"
	"fmt"
)

// Reason is the stable code of a refused import or export. Clients and pages
// branch on it; the message beside it is for people and may change.
type Reason string

// The reasons an input is refused.
const (
	// ReasonTooLarge: the file is larger than Limits.MaxInputBytes.
	ReasonTooLarge Reason = "too_large"
	// ReasonNotADocument: the file is not a .docx or .odt document (not a
	// ZIP archive, or one without the main part).
	ReasonNotADocument Reason = "not_a_document"
	// ReasonUnsupportedFormat: a format Redline does not read, such as Word
	// 97–2003 .doc, RTF, or a password-protected (encrypted) file.
	ReasonUnsupportedFormat Reason = "unsupported_format"
	// ReasonZipBomb: the archive declares or inflates to more than the
	// limits allow, or compresses too well to be a document.
	ReasonZipBomb Reason = "zip_bomb"
	// ReasonUnsafePath: an archive entry's name is absolute, climbs out of
	// the archive ("../"), holds a backslash, NUL or drive letter, or repeats.
	ReasonUnsafePath Reason = "unsafe_path"
	// ReasonEntityExpansion: an XML part has a document type declaration,
	// the carrier of entity expansion attacks ("billion laughs"); Word and
	// LibreOffice never write one.
	ReasonEntityExpansion Reason = "entity_expansion"
	// ReasonMalformed: an XML part is not well-formed, or an archive entry
	// is corrupt.
	ReasonMalformed Reason = "malformed_document"
	// ReasonTooDeep: XML elements are nested deeper than Limits.MaxDepth.
	ReasonTooDeep Reason = "too_deep"
	// ReasonTooManyParagraphs: the document has more paragraphs (empty ones
	// included) than Limits.MaxParagraphs.
	ReasonTooManyParagraphs Reason = "too_many_paragraphs"
	// ReasonTextTooLarge: the imported text would be larger than
	// Limits.MaxTextBytes.
	ReasonTextTooLarge Reason = "text_too_large"
	// ReasonPendingTrackedChanges: the document holds tracked changes not
	// yet accepted or rejected.
	ReasonPendingTrackedChanges Reason = "pending_tracked_changes"
	// ReasonEmpty: the document has no text at all.
	ReasonEmpty Reason = "empty_document"
	// ReasonOutputTooLarge: an export would exceed its size bound.
	ReasonOutputTooLarge Reason = "output_too_large"
)

// Error is a refused import or export: a stable Reason, a message in English
// and in Russian safe to show to the user, and details for the caller.
type Error struct {
	// Reason is the stable code.
	Reason Reason
	// Message is the English message.
	Message string
	// MessageRU is the Russian message.
	MessageRU string
	// Details are extra fields (limits, counts, part names); values are
	// JSON-encodable.
	Details map[string]any
	// Err is the internal cause, if any; not for users.
	Err error
}

func (e *Error) Error() string {
	s := "office: " + string(e.Reason) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Kind is the category of e, named like drafting's error kinds, for the HTTP
// layer's single kind→status map: too_large for size limits, unsupported for
// formats Redline does not read, invalid for everything else.
func (e *Error) Kind() string {
	switch e.Reason {
	case ReasonTooLarge, ReasonZipBomb, ReasonTooManyParagraphs, ReasonTextTooLarge, ReasonOutputTooLarge:
		return "too_large"
	case ReasonNotADocument, ReasonUnsupportedFormat:
		return "unsupported"
	}
	return "invalid"
}

// ReasonOf returns the Reason of err's *Error, or "" when there is none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func refuse(r Reason, en, ru string, details map[string]any) *Error {
	return &Error{Reason: r, Message: en, MessageRU: ru, Details: details}
}

func refusef(r Reason, cause error, en, ru string, args ...any) *Error {
	return &Error{Reason: r, Message: fmt.Sprintf(en, args...), MessageRU: fmt.Sprintf(ru, args...), Err: cause}
}

// Limits bound the work and memory of an import. The zero value of a field
// means its default (see DefaultLimits).
type Limits struct {
	// MaxInputBytes bounds the uploaded file. Default 20 MiB.
	MaxInputBytes int64
	// MaxEntries bounds the number of entries in the archive. Default 4096.
	MaxEntries int
	// MaxPartBytes bounds the inflated size of one XML part Redline reads.
	// Default 64 MiB.
	MaxPartBytes int64
	// MaxTotalBytes bounds the inflated size of all parts read together.
	// Default 128 MiB.
	MaxTotalBytes int64
	// MaxRatio bounds the compression ratio of a part larger than 1 MiB
	// inflated. Default 200 (XML of real documents compresses 5–30 times;
	// a run of one byte compresses about 1000 times).
	MaxRatio int64
	// MaxDepth bounds the nesting of XML elements. Default 256.
	MaxDepth int
	// MaxParagraphs bounds the paragraphs of the document, empty ones and
	// those inside tables included. Default 50 000.
	MaxParagraphs int
	// MaxTextBytes bounds the imported text. Default 4 MiB, Redline's
	// default REDLINE_MAX_TEXT_BYTES.
	MaxTextBytes int
}

// DefaultLimits returns the default limits.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = 20 << 20
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 4096
	}
	if l.MaxPartBytes <= 0 {
		l.MaxPartBytes = 64 << 20
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 128 << 20
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 256
	}
	if l.MaxParagraphs <= 0 {
		l.MaxParagraphs = 50_000
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = 4 << 20
	}
	return l
}
