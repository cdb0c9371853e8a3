package drafting

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	langPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// ValidSlug reports whether s is a document slug.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// ValidLogin reports whether s is a user login.
func ValidLogin(s string) bool { return loginPattern.MatchString(s) }

// NormalizeText checks that text is acceptable as a revision and returns it
// with CRLF line ends turned into LF. It refuses invalid UTF-8, NUL and every
// other control character but tab and newline, and texts over max bytes.
func NormalizeText(op string, text []byte, max int64) (string, error) {
	if int64(len(text)) > max {
		return "", E(KindTooLarge, op, "text is larger than the limit of "+itoa(max)+" bytes")
	}
	if !utf8.Valid(text) {
		return "", E(KindInvalid, op, "text is not valid UTF-8")
	}
	s := string(text)
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	if i := strings.IndexFunc(s, badTextRune); i >= 0 {
		return "", E(KindInvalid, op, "text holds a control character at byte "+itoa(int64(i)))
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
// characters, 1..max characters after trimming.
func cleanLine(op, field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", E(KindInvalid, op, field+" is required")
		}
		return "", nil
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", E(KindInvalid, op, field+" holds invalid or control characters")
	}
	if utf8.RuneCountInString(s) > max {
		return "", E(KindInvalid, op, field+" is longer than "+itoa(int64(max))+" characters")
	}
	return s, nil
}

// cleanMessage is cleanLine for multi-line fields: newline and tab allowed.
func cleanMessage(op, field, s string, max int) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !utf8.ValidString(s) || strings.IndexFunc(s, badTextRune) >= 0 {
		return "", E(KindInvalid, op, field+" holds invalid or control characters")
	}
	if utf8.RuneCountInString(s) > max {
		return "", E(KindInvalid, op, field+" is longer than "+itoa(int64(max))+" characters")
	}
	return s, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
