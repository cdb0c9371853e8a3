package office

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"
)

// archive is a ZIP archive checked as hostile input: its entries were counted
// from the end-of-central-directory record before archive/zip read the
// directory, their names are safe and unique, and every part is inflated
// through a reader that stops at the limits.
type archive struct {
	zr    *zip.Reader
	files map[string]*zip.File // by exact name
	lim   Limits
	read  int64 // inflated bytes handed out so far, over all parts
}

var (
	magicZip = []byte("PK\x03\x04")
	magicCFB = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// openArchive checks data's outer shape and opens it as a ZIP archive.
func openArchive(data []byte, lim Limits) (*archive, error) {
	switch {
	case bytes.HasPrefix(data, magicCFB):
		// Word 97–2003 documents and password-protected OOXML files are
		// both OLE compound files.
		return nil, refuse(ReasonUnsupportedFormat,
			"this is a Word 97–2003 .doc or a password-protected file; save it as .docx or .odt without a password",
			"это файл Word 97–2003 (.doc) или файл, защищённый паролем; сохраните его как .docx или .odt без пароля", nil)
	case bytes.HasPrefix(data, []byte(`{\rtf`)):
		return nil, refuse(ReasonUnsupportedFormat, "this is an RTF file; save it as .docx or .odt",
			"это файл RTF; сохраните его как .docx или .odt", nil)
	case !bytes.HasPrefix(data, magicZip):
		return nil, notADocument(nil)
	}
	n, err := countEntries(data)
	if err != nil {
		return nil, notADocument(err)
	}
	if n > uint64(lim.MaxEntries) {
		return nil, &Error{Reason: ReasonZipBomb,
			Message:   "the archive has too many entries to be a document",
			MessageRU: "в архиве слишком много файлов для документа",
			Details:   map[string]any{"entries": n, "max_entries": lim.MaxEntries}}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, notADocument(err)
	}
	a := &archive{zr: zr, files: make(map[string]*zip.File, len(zr.File)), lim: lim}
	folded := make(map[string]bool, len(zr.File))
	var declared uint64
	for _, f := range zr.File {
		if !safeName(f.Name) {
			return nil, &Error{Reason: ReasonUnsafePath,
				Message:   "the archive holds an entry with an unsafe name",
				MessageRU: "в архиве есть файл с недопустимым именем",
				Details:   map[string]any{"entry": printable(f.Name)}}
		}
		// Part names in OPC are case-insensitive, so two entries differing
		// only in case are the same part twice: one of them would be hidden.
		key := strings.ToLower(f.Name)
		if folded[key] {
			return nil, &Error{Reason: ReasonUnsafePath,
				Message:   "the archive holds the same entry twice",
				MessageRU: "в архиве один и тот же файл повторяется",
				Details:   map[string]any{"entry": printable(f.Name)}}
		}
		folded[key] = true
		a.files[f.Name] = f
		declared += f.UncompressedSize64
	}
	if declared > uint64(lim.MaxTotalBytes)*4 {
		return nil, zipBomb("", "declared size")
	}
	return a, nil
}

func notADocument(cause error) *Error {
	return &Error{Reason: ReasonNotADocument, Err: cause,
		Message:   "this is not a .docx or .odt document",
		MessageRU: "это не документ .docx или .odt"}
}

func zipBomb(entry, what string) *Error {
	d := map[string]any{"check": what}
	if entry != "" {
		d["entry"] = printable(entry)
	}
	return &Error{Reason: ReasonZipBomb, Details: d,
		Message:   "the archive inflates to far more than a document would (" + what + ")",
		MessageRU: "архив распаковывается в гораздо больший объём, чем бывает у документа"}
}

func ratioTooHigh(size, compressed uint64, max int64) bool {
	if size <= 1<<20 {
		return false
	}
	if compressed == 0 {
		return true
	}
	return size/compressed > uint64(max)
}

// safeName reports whether an entry name stays inside the archive: relative,
// forward slashes only, no "." or ".." segments, no NUL or control
// characters, no drive letter.
func safeName(name string) bool {
	if name == "" || len(name) > 1024 || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\\x00:") {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// printable shortens and cleans an entry name for an error's details.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// countEntries reads the entry count from the end-of-central-directory
// record (or its ZIP64 twin), so that a directory of millions of entries is
// refused before archive/zip allocates one File for each.
func countEntries(data []byte) (uint64, error) {
	const eocdLen = 22
	if len(data) < eocdLen {
		return 0, errors.New("too short for a zip archive")
	}
	from := len(data) - eocdLen - 0xFFFF
	if from < 0 {
		from = 0
	}
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	if i < 0 {
		return 0, errors.New("no end of central directory")
	}
	i += from
	if i+eocdLen > len(data) {
		return 0, errors.New("truncated end of central directory")
	}
	n := uint64(binary.LittleEndian.Uint16(data[i+10:]))
	if n != 0xFFFF {
		return n, nil
	}
	// ZIP64: the locator sits just before the record and points at the
	// ZIP64 end-of-central-directory record.
	loc := i - 20
	if loc < 0 || !bytes.Equal(data[loc:loc+4], []byte("PK\x06\x07")) {
		return n, nil
	}
	off := binary.LittleEndian.Uint64(data[loc+8:])
	if len(data) < 56 || off > uint64(len(data)-56) || !bytes.Equal(data[off:off+4], []byte("PK\x06\x06")) {
		return 0, errors.New("bad zip64 end of central directory")
	}
	return binary.LittleEndian.Uint64(data[off+32:]), nil
}

// has reports whether the archive holds an entry named name.
func (a *archive) has(name string) bool { return a.files[name] != nil }

// open inflates the part name through a reader bounded by the part's declared
// size and by the limits; reading past them fails with a zip_bomb *Error.
func (a *archive) open(name string) (io.ReadCloser, error) {
	f := a.files[name]
	if f == nil {
		return nil, errors.New("no part " + name)
	}
	if f.UncompressedSize64 > uint64(a.lim.MaxPartBytes) {
		return nil, zipBomb(name, "part size")
	}
	// Only parts Redline reads are held to the ratio: a huge blank BMP
	// compresses a thousand times and harms no one while it stays packed.
	if ratioTooHigh(f.UncompressedSize64, f.CompressedSize64, a.lim.MaxRatio) {
		return nil, zipBomb(name, "compression ratio")
	}
	if a.read+int64(f.UncompressedSize64) > a.lim.MaxTotalBytes {
		return nil, zipBomb(name, "total size")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, refusef(ReasonMalformed, err, "the archive entry %s is corrupt", "файл %s в архиве повреждён", printable(name))
	}
	return &boundedReader{a: a, rc: rc, name: name, left: int64(f.UncompressedSize64)}, nil
}

// readAll reads a small part whole (at most max bytes).
func (a *archive) readAll(name string, max int64) ([]byte, error) {
	b, err := a.readPrefix(name, max+1)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, zipBomb(name, "part size")
	}
	return b, nil
}

// readPrefix reads at most the first n bytes of a part.
func (a *archive) readPrefix(name string, n int64) ([]byte, error) {
	rc, err := a.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, n))
}

// boundedReader stops a part at its declared size: a stream that inflates to
// more than its header says is a zip bomb, whatever archive/zip would do.
type boundedReader struct {
	a    *archive
	rc   io.ReadCloser
	name string
	left int64
}

func (r *boundedReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		// One more byte tells a part of exactly its declared size from one
		// that goes on.
		var one [1]byte
		n, err := r.rc.Read(one[:])
		// archive/zip itself fails with ErrFormat past the declared size.
		if n > 0 || errors.Is(err, zip.ErrFormat) {
			return 0, zipBomb(r.name, "inflated beyond declared size")
		}
		if err == nil {
			err = io.EOF
		}
		return 0, r.wrap(err)
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.rc.Read(p)
	r.left -= int64(n)
	r.a.read += int64(n)
	if r.a.read > r.a.lim.MaxTotalBytes {
		return n, zipBomb(r.name, "total size")
	}
	return n, r.wrap(err)
}

func (r *boundedReader) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var oe *Error
	if errors.As(err, &oe) {
		return err
	}
	return refusef(ReasonMalformed, err, "the archive entry %s is corrupt", "файл %s в архиве повреждён", printable(r.name))
}

func (r *boundedReader) Close() error { return r.rc.Close() }

// resolve joins a relationship target to the folder of the part that holds
// the relationship, as OPC does; "" when it leaves the archive.
func resolve(base, target string) string {
	if strings.Contains(target, "://") {
		return ""
	}
	var p string
	if strings.HasPrefix(target, "/") {
		p = path.Clean(strings.TrimPrefix(target, "/"))
	} else {
		p = path.Clean(path.Join(path.Dir(base), target))
	}
	if p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return ""
	}
	return p
}
