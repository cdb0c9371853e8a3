package shell

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

const ctxRawBody = "redline.raw_body"

// LimitBody lets the request's handler read a body of up to n bytes
// instead of MaxBody: an upload, whose cap is its own. Call it before
// reading the body.
func LimitBody(c *gin.Context, n int64) {
	v, _ := c.Get(ctxRawBody)
	if raw, ok := v.(io.ReadCloser); ok {
		c.Request.Body = http.MaxBytesReader(c.Writer, raw, n)
	}
}

// BaseURL is the public address of the site: REDLINE_BASE_URL when it is
// set, else the scheme and host the request came to.
func (s *Shell) BaseURL(c *gin.Context) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// Upload finds the file in the part named field of a multipart/form-data
// body, whose cap it sets to limit: a body declared longer is refused with
// tooLarge before any of it is read, and reading stops at the cap (the
// part's reader then fails with *http.MaxBytesError). It returns the part's
// reader and the file's name as its sender gave it.
func Upload(c *gin.Context, field string, limit int64, tooLarge error) (io.Reader, string, error) {
	const op = "read upload"
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, "", drafting.Refuse(op, drafting.ReasonUnsupportedMedia,
			"send the file as multipart/form-data, in a field named "+field)
	}
	if c.Request.ContentLength > limit {
		return nil, "", tooLarge
	}
	LimitBody(c, limit)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, "", drafting.Refuse(op, drafting.ReasonInvalidInput, "the multipart body is malformed")
	}
	fail := func(err error) error {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return tooLarge
		}
		return drafting.Refuse(op, drafting.ReasonInvalidInput, "the multipart body is malformed")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", drafting.Refuse(op, drafting.ReasonMissingField, "send the file in a field named "+field).
				With("field", field)
		}
		if err != nil {
			return nil, "", fail(err)
		}
		if p.FormName() == field {
			return p, p.FileName(), nil
		}
		// Other fields are skipped; they count against the cap.
		if _, err := io.Copy(io.Discard, p); err != nil {
			return nil, "", fail(err)
		}
	}
}

// SetBody replaces the request's body with one a middleware has read ahead
// (an upload spooled to a file), also as the body LimitBody caps, so that
// the handler reads it as if it came from the client.
func SetBody(c *gin.Context, body io.ReadCloser) {
	c.Set(ctxRawBody, body)
	c.Request.Body = body
}
