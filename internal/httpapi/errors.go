package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// StatusOf is the one place where an error kind becomes an HTTP status;
// the web pages answer with the same statuses.
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

type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// respondError writes err as the contract's error object. Server-side faults
// are logged with their internal cause; the caller sees only the safe message.
func (s *Server) respondError(c *gin.Context, err error) {
	kind := drafting.ErrorKind(err)
	status := StatusOf(kind)
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed",
			"request_id", requestID(c), "route", c.FullPath(), "kind", string(kind), "err", err.Error())
	}
	if kind == drafting.KindUnavailable {
		c.Header("Retry-After", "5")
	}
	if kind == drafting.KindUnauthenticated {
		c.Header("WWW-Authenticate", `Bearer realm="redline"`)
	}
	body := errorBody{Error: errorObject{Code: string(kind), Message: drafting.ErrorMessage(err), Details: drafting.ErrorDetails(err)}}
	// The current head of a stale-base conflict is also given at the top
	// level, where clients of the contract look for it.
	if head, ok := body.Error.Details["head"]; ok {
		c.AbortWithStatusJSON(status, gin.H{"error": body.Error, "head": head})
		return
	}
	c.AbortWithStatusJSON(status, body)
}

func invalid(msg string) error { return drafting.E(drafting.KindInvalid, "decode request", msg) }

var errTooLarge = drafting.E(drafting.KindTooLarge, "decode request", "request body is too large")

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
