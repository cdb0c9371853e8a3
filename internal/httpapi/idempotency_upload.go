package httpapi

// --- issue 15: Idempotency-Key on uploads ---

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"

	"redline/internal/shell"
)

// idempotentUpload is the idempotency middleware for an upload (POST
// …/imports): a retry with the same Idempotency-Key and the same file gets
// the first answer again ("Idempotent-Replayed: true") without the file
// being converted again; the same key with another file is refused
// (key_reused), as on every other route.
//
// It differs from idempotency in two ways. The body's cap is the upload's
// own (limit, refused with tooLarge), and the body is spooled to a
// temporary file, not held in memory, while it is fingerprinted. And the
// fingerprint is of the multipart form's parts (their names, file names and
// contents), not of its bytes: a client that retries builds its form again
// with a new random boundary, which is the same request.
func (s *Server) idempotentUpload(limit func() int64, tooLarge func() error) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		u := actor(c)
		if key == "" || u == nil || c.Request.Method != http.MethodPost {
			c.Next()
			return
		}
		n := limit()
		if c.Request.ContentLength > n {
			s.respondError(c, tooLarge())
			c.Abort()
			return
		}
		shell.LimitBody(c, n)
		f, err := os.CreateTemp("", "redline-upload-*")
		if err != nil {
			s.respondError(c, err)
			c.Abort()
			return
		}
		defer os.Remove(f.Name())
		defer f.Close()
		raw := sha256.New()
		if _, err := io.Copy(io.MultiWriter(f, raw), c.Request.Body); err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				s.respondError(c, tooLarge())
			} else {
				s.respondError(c, invalid("could not read the request body"))
			}
			c.Abort()
			return
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.respondError(c, err)
			c.Abort()
			return
		}
		h := sha256.New()
		h.Write([]byte(c.Request.Method + " " + c.Request.URL.RequestURI() + "\n"))
		if !formFingerprint(h, f, c.GetHeader("Content-Type")) {
			// Not a form the handler will take: the bytes are the request.
			h.Write([]byte("raw " + hex.EncodeToString(raw.Sum(nil))))
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.respondError(c, err)
			c.Abort()
			return
		}
		shell.SetBody(c, io.NopCloser(f))
		s.idempotent(c, u, key, hex.EncodeToString(h.Sum(nil)))
	}
}

// formFingerprint writes a multipart form's parts to h, each as its name,
// file name, length and SHA-256, and reports whether body is such a form.
func formFingerprint(h hash.Hash, body io.Reader, contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return false
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		ph := sha256.New()
		size, err := io.Copy(ph, p)
		if err != nil {
			return false
		}
		h.Write([]byte("part " + strconv.Quote(p.FormName()) + " " + strconv.Quote(p.FileName()) + " " +
			strconv.FormatInt(size, 10) + " " + hex.EncodeToString(ph.Sum(nil)) + "\n"))
	}
}
