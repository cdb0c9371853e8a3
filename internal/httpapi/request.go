package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// decodeJSON reads a JSON body of at most limit bytes into v. It refuses a
// body that is not application/json (415), too large (413), not valid UTF-8
// (Go's decoder would silently turn it into U+FFFD), malformed, with unknown
// fields or trailing data (400).
func decodeJSON(c *gin.Context, limit int64, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return drafting.Refuse("decode request", drafting.ReasonUnsupportedMedia, "send the body as application/json")
		}
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, limit+1))
	if err != nil {
		if isMaxBytes(err) {
			return errTooLarge
		}
		return invalid("could not read the request body")
	}
	if int64(len(raw)) > limit {
		return errTooLarge
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return invalid("the request body is empty; send a JSON object")
	}
	if !utf8.Valid(raw) {
		return drafting.Refuse("decode request", drafting.ReasonInvalidText, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return malformed("malformed JSON at byte " + strconv.FormatInt(se.Offset, 10))
		case errors.As(err, &te) && te.Field == "":
			// The body itself is of the wrong type (an array, a string):
			// there is no field to name.
			return invalid("the request body must be a JSON object")
		case errors.As(err, &te):
			return drafting.Refuse("decode request", drafting.ReasonInvalidInput, "field "+te.Field+" has the wrong type").
				With("field", te.Field)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return malformed("malformed JSON: unexpected end")
		}
		return malformed("malformed JSON: " + err.Error())
	}
	if dec.More() {
		return malformed("unexpected data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("unexpected data after the JSON object")
	}
	return nil
}

// intParam parses a path or query parameter as a positive integer.
func intParam(name, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, invalid(name + " must be a non-negative integer")
	}
	return n, nil
}

// numberInRange refuses a number given in a JSON body below min
// (out_of_range, with field and min): a negative revision number is no
// revision, and not a missing field either. An absent number (nil) is the
// service's to refuse, after it has checked who is asking; a number out of
// range, like one of the wrong type, says nothing about the document.
func numberInRange(field string, n *int64, min int64) error {
	if n != nil && *n < min {
		return drafting.Refuse("decode request", drafting.ReasonOutOfRange, field+" must be "+strconv.FormatInt(min, 10)+" or more").
			With("field", field).With("min", min)
	}
	return nil
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }

func malformed(msg string) error {
	return drafting.Refuse("decode request", drafting.ReasonMalformedJSON, msg)
}
