package shell

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// StatusOf is the one place where an error kind becomes an HTTP status;
// the API and the pages answer with the same statuses.
func StatusOf(k drafting.Kind) int {
	switch k {
	case drafting.KindInvalid:
		return http.StatusBadRequest
	case drafting.KindUnauthenticated:
		return http.StatusUnauthorized
	case drafting.KindForbidden:
		return http.StatusForbidden
	case drafting.KindNotFound:
		return http.StatusNotFound
	case drafting.KindConflict:
		return http.StatusConflict
	case drafting.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case drafting.KindUnsupported:
		return http.StatusUnsupportedMediaType
	case drafting.KindRateLimited:
		return http.StatusTooManyRequests
	case drafting.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrMethodNotAllowed is the error of a known route asked with another
// method: the one error that is not a kind's status (405).
var ErrMethodNotAllowed = drafting.Refuse("route", drafting.ReasonInvalidInput, "method not allowed on this route")

// Status is the HTTP status of err: StatusOf its kind.
func Status(err error) int {
	if errors.Is(err, ErrMethodNotAllowed) {
		return http.StatusMethodNotAllowed
	}
	return StatusOf(drafting.ErrorKind(err))
}

// SetErrorHeaders sets what an error's answer carries besides its body:
// Retry-After when unavailable, WWW-Authenticate when unauthenticated.
func SetErrorHeaders(c *gin.Context, err error) {
	if n, ok := drafting.ErrorDetails(err)["retry_after_seconds"].(int); ok && n > 0 {
		c.Header("Retry-After", strconv.Itoa(n))
	}
	switch drafting.ErrorKind(err) {
	case drafting.KindUnavailable:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
	case drafting.KindUnauthenticated:
		c.Header("WWW-Authenticate", `Bearer realm="redline"`)
	}
}

// ErrorBody is the API contract's error object.
type ErrorBody struct {
	Code    string         `json:"code"`
	Reason  string         `json:"reason"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Body is err as the contract's error object. A method not allowed has the
// code method_not_allowed.
func Body(err error) ErrorBody {
	b := ErrorBody{Code: string(drafting.ErrorKind(err)), Reason: string(drafting.ErrorReason(err)),
		Message: drafting.ErrorMessage(err), Details: drafting.ErrorDetails(err)}
	if errors.Is(err, ErrMethodNotAllowed) {
		b.Code, b.Reason = "method_not_allowed", "method_not_allowed"
	}
	return b
}

// JSONError writes err as the contract's error object,
// {"error": {"code", "reason", "message", "details"}}. Server-side faults
// are logged with their internal cause; the caller sees only the safe
// message.
func (s *Shell) JSONError(c *gin.Context, err error) {
	status := Status(err)
	// A busy refusal is the bound working, not a fault: not logged.
	if status >= 500 && drafting.ErrorReason(err) != drafting.ReasonBusy {
		s.log.ErrorContext(c.Request.Context(), "request failed",
			"request_id", RequestID(c), "route", c.FullPath(), "kind", string(drafting.ErrorKind(err)), "err", err.Error())
	}
	SetErrorHeaders(c, err)
	body := Body(err)
	// The current head of a stale-base conflict is also given at the top
	// level, where clients of the contract look for it.
	if head, ok := body.Details["head"]; ok {
		c.AbortWithStatusJSON(status, gin.H{"error": body, "head": head})
		return
	}
	c.AbortWithStatusJSON(status, gin.H{"error": body})
}
