// Package drafting is Redline's domain: documents, revisions, users and tokens,
// the rules that govern them, and the interfaces (ports) it needs from storage.
package drafting

import (
	"errors"
	"io/fs"
)

// Kind is the category of an error. It is the only thing the HTTP layer looks
// at when choosing a status code.
type Kind string

// The kinds of error Redline reports.
const (
	KindInvalid         Kind = "invalid"
	KindUnauthenticated Kind = "unauthenticated"
	KindForbidden       Kind = "forbidden"
	KindNotFound        Kind = "not_found"
	KindConflict        Kind = "conflict"
	KindTooLarge        Kind = "too_large"
	KindUnsupported     Kind = "unsupported"
	KindRateLimited     Kind = "rate_limited"
	KindUnavailable     Kind = "unavailable"
	KindInternal        Kind = "internal"
)

// Error is a domain error: a kind, the operation that failed, a message safe to
// show to the caller, optional structured details, and the internal cause.
type Error struct {
	Kind    Kind
	Op      string
	Message string
	// Details are extra fields for the caller, e.g. the current head on a
	// stale-base conflict. Values must be JSON-encodable.
	Details map[string]any
	Err     error
}

// E builds an *Error.
func E(kind Kind, op, message string) *Error {
	return &Error{Kind: kind, Op: op, Message: message}
}

// Wrap builds an *Error with an internal cause.
func Wrap(kind Kind, op, message string, err error) *Error {
	return &Error{Kind: kind, Op: op, Message: message, Err: err}
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += string(e.Kind)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrCorrupt marks a stored text whose bytes do not match their SHA-256.
var ErrCorrupt = errors.New("stored text does not match its sha256")

// ErrorKind reports the kind of err: the kind of the outermost *Error in its
// chain, not_found for fs.ErrNotExist, and internal for anything else.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, fs.ErrNotExist) {
		return KindNotFound
	}
	return KindInternal
}

// ErrorMessage returns the safe, user-facing message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	switch ErrorKind(err) {
	case KindNotFound:
		return "not found"
	case KindUnavailable:
		return "a storage service is unavailable; try again"
	}
	return "internal error"
}

// ErrorDetails returns the structured details of err, if any.
func ErrorDetails(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
