package office

import (
	"io"
	"strconv"
)

// FileName names an exported file the way Redline's downloads are named:
// "<slug>-r<n>-<sha12>.<ext>", e.g. "clusters-2011-r3-5f2c0a9e1b7d.docx". A
// redline between two revisions is "<slug>-r<from>-r<to>-<sha12 of to>-diff.<ext>".
// Only the slug's own characters ([a-z0-9-]) are kept.
func FileName(slug string, rev int, sha256 string, f Format) string {
	return base(slug, rev, sha256) + "." + string(f)
}

// DiffFileName names an exported redline between revisions from and to.
func DiffFileName(slug string, from, to int, sha256 string, f Format) string {
	return cleanSlug(slug) + "-r" + strconv.Itoa(from) + "-r" + strconv.Itoa(to) + sha12(sha256) + "-diff." + string(f)
}

func base(slug string, rev int, sha256 string) string {
	return cleanSlug(slug) + "-r" + strconv.Itoa(rev) + sha12(sha256)
}

func sha12(s string) string {
	if len(s) > 12 {
		s = s[:12]
	}
	if s == "" {
		return ""
	}
	return "-" + cleanSlug(s)
}

func cleanSlug(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 63; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "document"
	}
	return string(b)
}

// ContentType is the media type of a format, for Content-Type headers.
func ContentType(f Format) string {
	switch f {
	case FormatDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case FormatODT:
		return "application/vnd.oasis.opendocument.text"
	case FormatPDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}

// ParseFormat parses a format name ("docx", "odt", "pdf", with or without a
// leading dot).
func ParseFormat(s string) (Format, bool) {
	if len(s) > 0 && s[0] == '.' {
		s = s[1:]
	}
	switch Format(s) {
	case FormatDOCX, FormatODT, FormatPDF:
		return Format(s), true
	}
	return "", false
}

// DefaultMaxOutputBytes bounds an export written through LimitWriter.
const DefaultMaxOutputBytes = 64 << 20

// LimitWriter passes at most max bytes to w; a write past it fails with an
// *Error whose Reason is output_too_large, so that a handler streaming an
// export stops instead of sending an unbounded body. max <= 0 means
// DefaultMaxOutputBytes.
func LimitWriter(w io.Writer, max int64) io.Writer {
	if max <= 0 {
		max = DefaultMaxOutputBytes
	}
	return &limitWriter{w: w, left: max}
}

type limitWriter struct {
	w    io.Writer
	left int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, &Error{Reason: ReasonOutputTooLarge,
			Message:   "the exported file would be larger than the limit",
			MessageRU: "выгружаемый файл был бы больше допустимого размера"}
	}
	n, err := l.w.Write(p)
	l.left -= int64(n)
	return n, err
}
