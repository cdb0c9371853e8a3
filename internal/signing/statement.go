package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Format is the statement's format field.
const Format = "redline-adoption/1"

// Votes is a recorded vote.
type Votes struct {
	For       int64 `json:"for"`
	Against   int64 `json:"against"`
	Abstained int64 `json:"abstained"`
}

// Statement is what the secretariat signs for each adoption: which text of
// which document was adopted, when, at what stage, with what vote, and the
// hash of the document's previous statement, so that the history of
// adoptions cannot be rewritten without breaking the chain.
//
// Its file form is canonical JSON: one object, keys in lexicographic order,
// no insignificant whitespace, strings escaped as RFC 8785 (JCS) does, times
// in RFC 3339 UTC to the second, followed by one line feed. The bytes signed
// are exactly the file's.
type Statement struct {
	// Document is the document's slug; Title and Language its title and
	// language at the adoption.
	Document, Title, Language string
	// Adoption numbers the document's adoptions: 1, 2, 3 …
	Adoption int64
	// Revision is the adopted revision; SHA256 (hex) and Size are its text's.
	Revision int64
	SHA256   string
	Size     int64
	// Stage is "basis" or "final".
	Stage string
	// AdoptedAt is when the adoption was made; SignedAt when the statement
	// was signed, the date the key must be valid at (the same moment,
	// unless the statement was signed later).
	AdoptedAt, SignedAt time.Time
	// SignedLater marks an adoption made before any key was configured and
	// signed when one was.
	SignedLater bool
	// Votes is the recorded vote, nil when none was recorded.
	Votes *Votes
	// Previous is the SHA-256 (hex) of the document's previous statement's
	// bytes, "" for the first adoption.
	Previous string
	// Key is the fingerprint of the key that signs the statement.
	Key string
}

// ErrMalformed: a statement or a signature is not in its format.
var ErrMalformed = errors.New("malformed")

var (
	hexSHA256   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })             // built on first use, not at start
	fingerprint = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^SHA256:[A-Za-z0-9+/]{43}$`) }) // built on first use, not at start
	stageRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z_]{0,31}$`) })        // built on first use, not at start
)

const maxField = 4096

func (s *Statement) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w statement: "+format, append([]any{ErrMalformed}, a...)...)
	}
	for name, v := range map[string]string{"document": s.Document, "title": s.Title, "language": s.Language} {
		if v == "" || len(v) > maxField || !utf8.ValidString(v) {
			return bad("%s must be non-empty UTF-8 of at most %d bytes", name, maxField)
		}
	}
	switch {
	case s.Adoption < 1:
		return bad("adoption must be 1 or more")
	case s.Revision < 1:
		return bad("revision must be 1 or more")
	case s.Size < 0:
		return bad("size must not be negative")
	case !hexSHA256().MatchString(s.SHA256):
		return bad("sha256 must be 64 lowercase hex digits")
	case !stageRe().MatchString(s.Stage):
		return bad("stage %q is not a stage", s.Stage)
	case s.AdoptedAt.IsZero() || s.SignedAt.IsZero():
		return bad("adopted_at and signed_at are required")
	case s.AdoptedAt.Year() < 1 || s.AdoptedAt.Year() > 9999 || s.SignedAt.Year() > 9999:
		return bad("dates must be within years 1–9999")
	case s.SignedAt.Truncate(time.Second).Before(s.AdoptedAt.Truncate(time.Second)):
		return bad("signed_at is before adopted_at")
	case s.Adoption == 1 && s.Previous != "":
		return bad("the first adoption has no previous statement")
	case s.Adoption > 1 && !hexSHA256().MatchString(s.Previous):
		return bad("previous must be the previous statement's SHA-256 (64 lowercase hex digits)")
	case !fingerprint().MatchString(s.Key):
		return bad("key must be a SHA256 fingerprint")
	case s.Votes != nil && (s.Votes.For < 0 || s.Votes.Against < 0 || s.Votes.Abstained < 0):
		return bad("votes must not be negative")
	}
	return nil
}

// Marshal returns the statement's canonical bytes.
func (s Statement) Marshal() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(name string) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		writeString(&b, name)
		b.WriteByte(':')
	}
	// Keys in lexicographic order.
	field("adopted_at")
	writeString(&b, formatTime(s.AdoptedAt))
	field("adoption")
	b.WriteString(strconv.FormatInt(s.Adoption, 10))
	field("document")
	writeString(&b, s.Document)
	field("format")
	writeString(&b, Format)
	field("key")
	writeString(&b, s.Key)
	field("language")
	writeString(&b, s.Language)
	field("previous")
	if s.Previous == "" {
		b.WriteString("null")
	} else {
		writeString(&b, s.Previous)
	}
	field("revision")
	b.WriteString(strconv.FormatInt(s.Revision, 10))
	field("sha256")
	writeString(&b, s.SHA256)
	field("signed_at")
	writeString(&b, formatTime(s.SignedAt))
	field("signed_later")
	b.WriteString(strconv.FormatBool(s.SignedLater))
	field("size")
	b.WriteString(strconv.FormatInt(s.Size, 10))
	field("stage")
	writeString(&b, s.Stage)
	field("title")
	writeString(&b, s.Title)
	field("votes")
	if s.Votes == nil {
		b.WriteString("null")
	} else {
		fmt.Fprintf(&b, `{"abstained":%d,"against":%d,"for":%d}`, s.Votes.Abstained, s.Votes.Against, s.Votes.For)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func formatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// writeString writes s as a JSON string the way RFC 8785 does: only '"',
// '\' and control characters escaped, everything else as UTF-8.
func writeString(b *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// wire is the statement as decoded; pointers tell a missing field from a
// zero one.
type wire struct {
	AdoptedAt   *string `json:"adopted_at"`
	Adoption    *int64  `json:"adoption"`
	Document    *string `json:"document"`
	Format      *string `json:"format"`
	Key         *string `json:"key"`
	Language    *string `json:"language"`
	Previous    *string `json:"previous"`
	Revision    *int64  `json:"revision"`
	SHA256      *string `json:"sha256"`
	SignedAt    *string `json:"signed_at"`
	SignedLater *bool   `json:"signed_later"`
	Size        *int64  `json:"size"`
	Stage       *string `json:"stage"`
	Title       *string `json:"title"`
	Votes       *Votes  `json:"votes"`
}

// maxStatement bounds a statement file: titles are short.
const maxStatement = 64 << 10

// ParseStatement reads a statement file. Only the canonical form is
// accepted, so that one statement has exactly one byte form.
func ParseStatement(data []byte) (Statement, error) {
	bad := func(format string, a ...any) (Statement, error) {
		return Statement{}, fmt.Errorf("%w statement: "+format, append([]any{ErrMalformed}, a...)...)
	}
	if len(data) > maxStatement {
		return bad("larger than %d bytes", maxStatement)
	}
	if !utf8.Valid(data) {
		return bad("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wire
	if err := dec.Decode(&w); err != nil {
		return bad("not the expected JSON object: %v", err)
	}
	if w.Format == nil || *w.Format != Format {
		return bad("format is not %q", Format)
	}
	for _, f := range []struct {
		name    string
		present bool
	}{
		{"adopted_at", w.AdoptedAt != nil}, {"adoption", w.Adoption != nil}, {"document", w.Document != nil},
		{"key", w.Key != nil}, {"language", w.Language != nil}, {"revision", w.Revision != nil},
		{"sha256", w.SHA256 != nil}, {"signed_at", w.SignedAt != nil}, {"signed_later", w.SignedLater != nil},
		{"size", w.Size != nil}, {"stage", w.Stage != nil}, {"title", w.Title != nil},
	} {
		if !f.present {
			return bad("%s is missing", f.name)
		}
	}
	s := Statement{
		Document: *w.Document, Title: *w.Title, Language: *w.Language, Adoption: *w.Adoption,
		Revision: *w.Revision, SHA256: *w.SHA256, Size: *w.Size, Stage: *w.Stage,
		SignedLater: *w.SignedLater, Votes: w.Votes, Key: *w.Key,
	}
	if w.Previous != nil {
		s.Previous = *w.Previous
	}
	var err error
	if s.AdoptedAt, err = time.Parse(time.RFC3339, *w.AdoptedAt); err != nil {
		return bad("adopted_at is not an RFC 3339 time")
	}
	if s.SignedAt, err = time.Parse(time.RFC3339, *w.SignedAt); err != nil {
		return bad("signed_at is not an RFC 3339 time")
	}
	canon, err := s.Marshal()
	if err != nil {
		return Statement{}, err
	}
	if !bytes.Equal(canon, data) {
		return bad("not in canonical form (keys sorted, no spaces, UTC times to the second, one final line feed)")
	}
	return s, nil
}

// Hash is the hex SHA-256 of a statement's bytes, which the next statement
// of the document carries as Previous.
func Hash(statement []byte) string {
	sum := sha256.Sum256(statement)
	return hex.EncodeToString(sum[:])
}
