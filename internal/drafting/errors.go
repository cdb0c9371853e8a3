// Package drafting is Redline's domain: documents and their procedure
// (drafting → adopted as a basis → adopted as a whole), revisions,
// proposals, comments, approvals and adoptions, users and tokens; every rule
// that governs them, and the interfaces (ports) it needs from storage.
package drafting

import (
	"errors"
	"io/fs"
)

// Kind is the category of an error. It is the only thing the HTTP shell
// looks at when choosing a status code.
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

// Error is a domain error: a kind, a stable reason that callers (the API's
// clients, the pages) branch on, the operation that failed, a message safe
// to show to a developer (English; it may change), optional structured
// details, and the internal cause.
type Error struct {
	Kind   Kind
	Reason Reason // "" means the default reason of Kind
	Op     string
	// Message is for people reading the API's answers; programs and the
	// pages use Reason.
	Message string
	// Details are extra fields for the caller, e.g. the current head on a
	// stale-base conflict. Values must be JSON-encodable.
	Details map[string]any
	Err     error
}

// E builds an *Error with the default reason of its kind.
func E(kind Kind, op, message string) *Error {
	return &Error{Kind: kind, Op: op, Message: message}
}

// Wrap builds an *Error with an internal cause.
func Wrap(kind Kind, op, message string, err error) *Error {
	return &Error{Kind: kind, Op: op, Message: message, Err: err}
}

// Refuse builds the *Error of a refusal for reason, with the reason's kind.
func Refuse(op string, reason Reason, message string) *Error {
	return &Error{Kind: reason.Kind(), Reason: reason, Op: op, Message: message}
}

// With adds a detail to e and returns it.
func (e *Error) With(key string, value any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = value
	return e
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += string(e.Kind)
	if e.Reason != "" {
		s += " (" + string(e.Reason) + ")"
	}
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

// ErrorReason reports the reason of err: that of the outermost *Error in
// its chain when it names one, else the default reason of err's kind. It is
// "" only for a nil err.
func ErrorReason(err error) Reason {
	if err == nil {
		return ""
	}
	kind := ErrorKind(err)
	// The reason may sit on an inner *Error that an outer one of the same
	// kind wraps with more context.
	for next := err; next != nil; {
		var e *Error
		if !errors.As(next, &e) {
			break
		}
		if e.Reason != "" && e.Kind == kind && e.Reason.Kind() == kind {
			return e.Reason
		}
		next = e.Err
	}
	return defaultReason(kind)
}

// ErrorMessage returns the safe, developer-facing message of err.
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
