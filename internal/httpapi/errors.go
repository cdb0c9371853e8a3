package httpapi

import (
	"errors"
	"net/http"

	"redline/internal/drafting"
)

// invalid is the refusal of a request whose parameters or body are wrong.
func invalid(msg string) error {
	return drafting.Refuse("decode request", drafting.ReasonInvalidInput, msg)
}

var errTooLarge = drafting.Refuse("decode request", drafting.ReasonTooLarge, "request body is too large")

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
