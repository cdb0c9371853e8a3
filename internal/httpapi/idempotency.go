package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
)

// captureWriter keeps a copy of what a handler writes.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// ctxSecretAnswer marks a request whose answer carries a secret.
const ctxSecretAnswer = "redline.secret_answer"

// secretAnswer marks this request's answer as carrying a secret, which the
// idempotency middleware never stores.
func secretAnswer(c *gin.Context) { c.Set(ctxSecretAnswer, true) }

// idempotency makes a signed-in caller's POST, PUT or DELETE with an
// Idempotency-Key safe to retry: the first answer is remembered and a retry
// with the same key and request gets it again, creating nothing new.
func (s *Server) idempotency(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	u := actor(c)
	if key == "" || u == nil || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if isMaxBytes(err) {
			s.respondError(c, errTooLarge)
		} else {
			s.respondError(c, invalid("could not read the request body"))
		}
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.RequestURI() + "\n"))
	h.Write(body)
	s.idempotent(c, u, key, hex.EncodeToString(h.Sum(nil)))
}

// idempotent answers a request whose key and fingerprint are known: the
// remembered answer when there is one, else the handler's, remembered.
func (s *Server) idempotent(c *gin.Context, u *drafting.User, key, fingerprint string) {
	ctx := c.Request.Context()
	prev, found, err := s.svc.BeginIdempotent(ctx, u, key, fingerprint)
	if err != nil {
		s.respondError(c, err)
		return
	}
	if found {
		c.Header("Idempotent-Replayed", "true")
		c.Data(prev.Status, prev.ContentType, prev.Body)
		c.Abort()
		return
	}
	w := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	// The answer is stored even if the client has gone: that is when a
	// retry is most likely.
	done, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch status := w.Status(); {
	case status >= 500:
		err = s.svc.AbandonIdempotent(done, u, key)
	case c.GetBool(ctxSecretAnswer) && status < 300:
		// The answer carried a secret (a token): it is never stored, and a
		// replay says it was shown once.
		body, _ := json.Marshal(gin.H{"error": shell.Body(drafting.Refuse("replay", drafting.ReasonSecretShownOnce,
			"this request was done; its answer carried a secret, which is shown only once"))})
		err = s.svc.FinishIdempotent(done, u, key, http.StatusConflict, "application/json; charset=utf-8", body)
	default:
		err = s.svc.FinishIdempotent(done, u, key, status, w.Header().Get("Content-Type"), w.buf.Bytes())
	}
	if err != nil {
		s.log.ErrorContext(ctx, "remember idempotent answer", "request_id", shell.RequestID(c), "err", err.Error())
	}
}
