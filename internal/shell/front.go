package shell

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"redline/internal/auth"
)

// issue 18: the public page at the moment of a final vote is read by
// thousands, and each read is the same cached bytes. Such reads are
// answered in front of the engine: none of what the middleware does
// (identification, a deadline on storage work, a body limit, cross-origin
// checks, a CSP nonce, the request log line) applies to bytes already in
// memory for an anonymous GET, and on the 304 path it cost more than the
// answer.

// FrontFunc answers a request from memory and reports the status it wrote,
// or declines (ok false, nothing written) and the request goes through the
// engine as any other. It must not block on storage. An answer with a body
// carries security, the headers every response of the shell has (copied,
// never modified: they are shared); a 304 need not, as the response it
// revalidates had them and keeps them (RFC 9111, 4.3.4).
type FrontFunc func(w http.ResponseWriter, r *http.Request, security http.Header) (status int, ok bool)

// front is one FrontFunc and the route it stands for in the metrics.
type front struct {
	prefix string
	route  string
	answer FrontFunc
}

// Front makes answer see the anonymous GET requests whose path
// starts with prefix before the engine does; route names them in the
// metrics. A request with an Authorization header or a session cookie goes
// through the engine, which identifies its caller. answer is given the
// security headers every response has (without a script nonce: such a page
// has no script); what it writes echoes the client's X-Request-ID, is
// counted in the metrics and
// not written to the request log, one line per cached read being what a
// busy public page cannot afford. Call Front before Handler.
func (s *Shell) Front(prefix, route string, answer FrontFunc) {
	s.fronts = append(s.fronts, front{prefix: prefix, route: route, answer: answer})
}

// frontHeaders are the security headers of a response without scripts,
// computed once: values are shared, never modified.
func frontHeaders(tls bool) http.Header {
	h := http.Header{}
	setSecurityHeaders(h, "", tls)
	return h
}

// serveFront is the handler in front of the engine.
func (s *Shell) serveFront(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		for _, f := range s.fronts {
			if !strings.HasPrefix(r.URL.Path, f.prefix) || !s.anonymous(r) {
				continue
			}
			start := time.Now()
			h := w.Header()
			// No request log line is written for such an answer, so an id of
			// its own would name nothing: the client's, when it sent one, is
			// echoed (a canonical key read directly: Get canonicalises).
			echoed := false
			if v := r.Header["X-Request-Id"]; len(v) > 0 && requestIDPattern().MatchString(v[0]) {
				h["X-Request-Id"] = v[:1]
				echoed = true
			}
			status, ok := f.answer(w, r, s.frontHeaders)
			if !ok {
				if echoed {
					delete(h, "X-Request-Id")
				}
				break
			}
			if s.metrics != nil {
				s.metrics.requests.WithLabelValues(f.route, r.Method, strconv.Itoa(status)).Inc()
				s.metrics.latency.WithLabelValues(f.route, r.Method).Observe(time.Since(start).Seconds())
			}
			return
		}
	}
	s.engine.ServeHTTP(w, r)
}

// anonymous says the request names no caller: no Authorization header and
// no session cookie.
func (s *Shell) anonymous(r *http.Request) bool {
	if len(r.Header["Authorization"]) > 0 {
		return false
	}
	name := auth.CookieName(s.tls)
	for _, line := range r.Header["Cookie"] {
		if strings.Contains(line, name) {
			return false
		}
	}
	return true
}
