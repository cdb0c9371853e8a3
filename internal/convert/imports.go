package convert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"redline/internal/drafting"
	"redline/internal/office"
)

// Import is a file's text for review: what it will become (Target), the
// text as Redline stores it, and what the text does not carry.
type Import struct {
	Target drafting.ImportTarget
	// FileName is the uploaded file's name, as its sender gave it.
	FileName string
	// Size is the file's size in bytes.
	Size int64
	// Format is the format read (docx or odt).
	Format office.Format
	// Title is the title in the file's properties, "" when none.
	Title string
	// Text is the text, normalised as every text Redline accepts.
	Text string
	// SHA256 is the hex SHA-256 of Text: the hash the revision will have.
	SHA256 string
	// Paragraphs counts the paragraphs of Text.
	Paragraphs int
	// Ignored lists what Text does not carry (pictures, footnotes …).
	Ignored []office.Ignored
}

// Prepare checks that actor may import a file into the document slug (a
// chair of an existing document, an administrator for a new one); call it
// before reading the file.
func (f *Files) Prepare(ctx context.Context, actor *drafting.User, slug string) (drafting.ImportTarget, error) {
	return f.svc.Documents.PrepareImport(ctx, actor, slug)
}

// Import reads a .docx or .odt file from r and returns its text for
// review; nothing is stored. t is what Prepare returned, name the file's
// name as its sender gave it, and hint its expected size (-1 when unknown),
// which only sizes the buffer: reading stops after MaxUploadBytes, and a
// longer file is refused (file_too_large). A refused file is a drafting
// error with the reason of the refusal (file_too_large, zip_bomb,
// pending_tracked_changes …).
func (f *Files) Import(ctx context.Context, t drafting.ImportTarget, r io.Reader, name string, hint int64) (*Import, error) {
	const op = "import file"
	done, err := turn(ctx, f.imports, "import")
	if err != nil {
		return nil, err
	}
	defer done()
	// One allocation of the right size, not a doubling series of them
	// (with their copies): of the announced size, or of the limit when
	// none is known, whose pages the system only provides as they are
	// written.
	if hint <= 0 {
		hint = f.lim.MaxInputBytes
	}
	var buf bytes.Buffer
	buf.Grow(int(min(hint, f.lim.MaxInputBytes)) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(r, f.lim.MaxInputBytes+1)); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, fileTooLarge(op, f.lim.MaxInputBytes)
		}
		return nil, drafting.Wrap(drafting.KindInvalid, op, "could not read the file", err)
	}
	if int64(buf.Len()) > f.lim.MaxInputBytes {
		return nil, fileTooLarge(op, f.lim.MaxInputBytes)
	}
	return f.importBytes(t, buf.Bytes(), name)
}

// ImportBytes is Import of a file already in memory (the command line's).
func (f *Files) ImportBytes(ctx context.Context, t drafting.ImportTarget, data []byte, name string) (*Import, error) {
	return f.Import(ctx, t, bytes.NewReader(data), name, int64(len(data)))
}

func (f *Files) importBytes(t drafting.ImportTarget, data []byte, name string) (*Import, error) {
	const op = "import file"
	im, err := office.ImportBytes(data, f.lim)
	if err != nil {
		return nil, refusal(op, err)
	}
	// The same normalisation as every text that enters Redline: what the
	// reviewer sees is what Create or Commit will store.
	text, err := drafting.NormalizeText(op, []byte(im.Text), f.svc.MaxTextBytes())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(text))
	return &Import{Target: t, FileName: cleanName(name), Size: int64(len(data)), Format: im.Format, Title: im.Title,
		Text: text, SHA256: hex.EncodeToString(sum[:]), Paragraphs: im.Paragraphs, Ignored: im.Ignored}, nil
}

// cleanName keeps the last element of a file name as its sender gave it,
// without control characters, at most 200 characters.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return strings.TrimSpace(s)
}

// FileTooLarge is the refusal of a file over max bytes: a request whose
// declared length already says so is refused with it before its body is
// read.
func FileTooLarge(max int64) error { return fileTooLarge("import file", max) }

func fileTooLarge(op string, max int64) error {
	return drafting.Refuse(op, drafting.ReasonFileTooLarge, "the file is larger than the limit of "+
		megabytes(max)+" MB ("+strconv.FormatInt(max, 10)+" bytes)").With("max_bytes", max).With("max_mb", megabytes(max)).With("field", "file")
}

// megabytes writes n bytes in whole megabytes (MiB), or with one decimal
// below ten (at least 0.1).
func megabytes(n int64) string {
	if n >= 10<<20 || n%(1<<20) == 0 {
		return strconv.FormatInt((n+(1<<19))>>20, 10)
	}
	return strconv.FormatFloat(max(float64(n)/(1<<20), 0.1), 'f', 1, 64)
}

// officeReasons maps each of office's refusals to the service's reason.
var officeReasons = map[office.Reason]drafting.Reason{
	office.ReasonTooLarge:              drafting.ReasonFileTooLarge,
	office.ReasonNotADocument:          drafting.ReasonNotADocument,
	office.ReasonUnsupportedFormat:     drafting.ReasonUnsupportedFormat,
	office.ReasonZipBomb:               drafting.ReasonZipBomb,
	office.ReasonUnsafePath:            drafting.ReasonUnsafePath,
	office.ReasonEntityExpansion:       drafting.ReasonEntityExpansion,
	office.ReasonMalformed:             drafting.ReasonMalformedDocument,
	office.ReasonTooDeep:               drafting.ReasonTooDeep,
	office.ReasonTooManyParagraphs:     drafting.ReasonTooManyParagraphs,
	office.ReasonTextTooLarge:          drafting.ReasonTextTooLarge,
	office.ReasonPendingTrackedChanges: drafting.ReasonPendingTrackedChanges,
	office.ReasonEmpty:                 drafting.ReasonEmptyDocument,
	office.ReasonOutputTooLarge:        drafting.ReasonOutputTooLarge,
}

// refusal turns office's refusal into the service's, keeping its message
// and the details the sentences use; anything else is internal.
func refusal(op string, err error) error {
	var oe *office.Error
	if !errors.As(err, &oe) {
		return drafting.Wrap(drafting.KindInternal, op, "", err)
	}
	r, ok := officeReasons[oe.Reason]
	if !ok {
		return drafting.Wrap(drafting.KindInternal, op, "", err)
	}
	out := &drafting.Error{Kind: r.Kind(), Reason: r, Op: op, Message: oe.Message, Err: err}
	for k, v := range oe.Details {
		switch v := v.(type) {
		case uint64:
			out = out.With(k, int64(min(v, 1<<62)))
		default:
			out = out.With(k, v)
		}
	}
	switch r {
	case drafting.ReasonFileTooLarge:
		if n, ok := oe.Details["max_bytes"].(int64); ok {
			out = out.With("max_mb", megabytes(n))
		}
	case drafting.ReasonTextTooLarge:
		if n, ok := oe.Details["max_text_bytes"].(int); ok {
			out = out.With("max_bytes", int64(n))
		}
	}
	return out.With("field", "file")
}
