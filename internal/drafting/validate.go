package drafting

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"redline/internal/textdiff"
)

var (
	slugPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })        // built on first use, not at start
	loginPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`) })      // built on first use, not at start
	langPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`) }) // built on first use, not at start
)

// ValidSlug reports whether s is a document slug.
func ValidSlug(s string) bool { return slugPattern().MatchString(s) }

// ValidLogin reports whether s is a user login.
func ValidLogin(s string) bool { return loginPattern().MatchString(s) }

// NormalizeText checks that text is acceptable as a revision and returns it
// with CRLF line ends turned into LF. It refuses invalid UTF-8, NUL and every
// other control character but tab and newline, and texts over max bytes.
func NormalizeText(op string, text []byte, max int64) (string, error) {
	if int64(len(text)) > max {
		return "", Refuse(op, ReasonTextTooLarge, "text is larger than the limit of "+itoa(max)+" bytes").
			With("field", "text").With("max_bytes", max)
	}
	if !utf8.Valid(text) {
		return "", Refuse(op, ReasonInvalidText, "text is not valid UTF-8").With("field", "text")
	}
	s := textdiff.NormalizeNewlines(string(text))
	if i := strings.IndexFunc(s, badTextRune); i >= 0 {
		return "", Refuse(op, ReasonInvalidText, "text holds a control character at byte "+itoa(int64(i))).
			With("field", "text").With("byte", i)
	}
	return s, nil
}

func badTextRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r)
}

// cleanLine checks a one-line field such as a title: valid UTF-8, no control
// characters, no text-direction controls, no line or paragraph separators,
// 1..max characters after trimming.
func cleanLine(op, field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if invisibleOnly(s) {
		s = ""
	}
	if s == "" {
		if required {
			return "", missing(op, field)
		}
		return "", nil
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 || strings.IndexFunc(s, bidiControl) >= 0 ||
		strings.ContainsAny(s, "\u2028\u2029") {
		return "", badCharacters(op, field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", tooLong(op, field, max)
	}
	return s, nil
}

// bidiControl reports the invisible text-direction controls (U+202E …),
// which make a title or a name read differently from what it is (issue 13).
func bidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// cleanMessage is cleanLine for multi-line fields: newline and tab allowed.
func cleanMessage(op, field, s string, max int) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if invisibleOnly(s) {
		s = ""
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, badTextRune) >= 0 {
		return "", badCharacters(op, field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", tooLong(op, field, max)
	}
	return s, nil
}

// cleanReason is cleanMessage for a reason shown beside a procedural act
// (a reopening, an override, a rejection, a hidden comment), often on the
// public page: like a title, it may not hold text-direction controls, which
// make it read otherwise than it is written.
func cleanReason(op, field, s string, max int) (string, error) {
	s, err := cleanMessage(op, field, s, max)
	if err != nil {
		return "", err
	}
	if strings.IndexFunc(s, bidiControl) >= 0 {
		return "", badCharacters(op, field)
	}
	return s, nil
}

// invisible reports a character a reader does not see: white space, a
// format character (U+200B zero width space, U+2060 word joiner, U+FEFF,
// U+00AD soft hyphen, the text-direction marks …) or a blank filler
// (Hangul fillers, the blank Braille pattern).
func invisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// invisibleOnly: s shows nothing (it is empty or all invisible), so a
// required field or text given as s is missing. A zero width space was
// taken for a reason (which let it override open threads) and for a whole
// text (a merge that deleted everything).
func invisibleOnly(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !invisible(r) }) < 0
}

// missing is the refusal of a request that lacks field.
func missing(op, field string) error {
	return Refuse(op, ReasonMissingField, field+" is required").With("field", field)
}

func badCharacters(op, field string) error {
	return Refuse(op, ReasonInvalidText, field+" holds invalid or control characters").With("field", field)
}

func tooLong(op, field string, max int) error {
	return Refuse(op, ReasonTooLong, field+" is longer than "+itoa(int64(max))+" characters").
		With("field", field).With("max", max)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// blank: text is empty or shows nothing (only white space or invisible
// characters: empty_text where a text is required).
func blank(text []byte) bool {
	return bytes.IndexFunc(text, func(r rune) bool { return !invisible(r) }) < 0
}
