package live

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ErrBadEventID is returned by ServeStream and LastEventID for a
// Last-Event-ID (or last_event_id parameter) that is not an event ID this
// server wrote: answer it with 400 and the reason "invalid_event_id".
var ErrBadEventID = errors.New("live: Last-Event-ID is not a decimal event ID")

// StreamOptions tune one stream. Zero values take the defaults.
type StreamOptions struct {
	Audience Audience // Members or Public
	Login    string   // the member's login (see SubscribeOptions.Login)
	// Heartbeat is how often an idle stream writes a comment, so proxies
	// and the browser see it alive (default 15 s; most proxies give up
	// after 30–60 s of silence).
	Heartbeat time.Duration
	// Retry is the reconnection delay the browser is told to use
	// (default 3 s).
	Retry time.Duration
	// WriteTimeout bounds each write: a client that stops reading without
	// closing is cut off after it, even before its queue fills
	// (default 10 s).
	WriteTimeout time.Duration
	// MaxAge ends the stream after this long (0: never), so the browser
	// reconnects, losing nothing, through the ordinary authentication
	// again: a signed-out session does not keep a stream for ever.
	MaxAge time.Duration

	// newTicker makes the heartbeat ticker; tests replace it.
	newTicker func(time.Duration) (<-chan time.Time, func())
}

// EventID formats an event ID as a stream writes it.
func EventID(id int64) string { return strconv.FormatInt(id, 10) }

// ParseEventID parses an event ID as EventID writes it: decimal digits
// without sign, spaces or leading zeros, at most 2⁶³−1.
func ParseEventID(s string) (int64, error) {
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, ErrBadEventID
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrBadEventID
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrBadEventID
	}
	return n, nil
}

// LastEventID returns where a request asks its stream to resume: the
// Last-Event-ID header a reconnecting browser sends, else the
// last_event_id query parameter a page sets on its first connection (the
// event it was rendered at). ok is false when neither is given.
func LastEventID(r *http.Request) (id int64, ok bool, err error) {
	// A browser sends no header rather than an empty one; an empty one
	// from a proxy means the same.
	v, found := r.Header["Last-Event-Id"]
	if !found || len(v) == 0 || len(v) == 1 && v[0] == "" {
		q, has := r.URL.Query()["last_event_id"]
		if !has || len(q) == 0 {
			return 0, false, nil
		}
		v = q
	}
	if len(v) != 1 {
		return 0, false, ErrBadEventID
	}
	id, err = ParseEventID(v[0])
	if err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// ServeStream answers r with the Server-Sent Events stream of doc's events
// that o.Audience may see, resuming after LastEventID(r) when the request
// gives one. The caller has authenticated the request and checked that it
// may read doc.
//
// It returns an error, having written nothing, when the stream cannot
// start: ErrBadEventID (400), ErrClosed or ErrUnavailable (503). Once the
// stream has started it returns nil when it ends: the client went away,
// the hub closed, the subscriber fell behind or lost access, a write timed
// out, or MaxAge passed. The browser's EventSource then reconnects with
// Last-Event-ID and loses nothing.
//
// Each write gets its own deadline through http.ResponseController, which
// also lifts the server's WriteTimeout for the stream; a request context
// with a deadline (a per-request storage budget) would end the stream and
// must not be applied to this route.
func (h *Hub) ServeStream(w http.ResponseWriter, r *http.Request, doc string, o StreamOptions) error {
	after, resume, err := LastEventID(r)
	if err != nil {
		return err
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = 3 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.newTicker == nil {
		o.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	ctx := r.Context()
	sub, err := h.Subscribe(ctx, doc, SubscribeOptions{Audience: o.Audience, Login: o.Login, Resume: resume, After: after})
	if err != nil {
		return err
	}
	defer sub.Close()

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)

	sw := &streamWriter{w: w, rc: rc, timeout: o.WriteTimeout}
	defer sw.clearDeadline()
	buf := fmt.Appendf(nil, "retry: %d\n\n", o.Retry.Milliseconds())
	for m := sub.nextPending(); m != nil; m = sub.nextPending() {
		buf = append(buf, m.frame...)
	}
	if sw.write(buf) != nil {
		return nil
	}
	tick, stopTick := o.newTicker(o.Heartbeat)
	defer stopTick()
	var maxAge <-chan time.Time
	if o.MaxAge > 0 {
		t := time.NewTimer(o.MaxAge)
		defer t.Stop()
		maxAge = t.C
	}
	for {
		buf = buf[:0]
		select {
		case m, ok := <-sub.q:
			if !ok {
				return nil
			}
			if sub.accept(m) {
				buf = append(buf, m.frame...)
			}
			// Write what else is queued in one go: one flush, one syscall.
		drain:
			for len(buf) < 64<<10 {
				select {
				case m, ok := <-sub.q:
					if !ok {
						_ = sw.write(buf)
						return nil
					}
					if sub.accept(m) {
						buf = append(buf, m.frame...)
					}
				default:
					break drain
				}
			}
		case <-tick:
			buf = append(buf, ":\n\n"...)
		case <-maxAge:
			return nil
		case <-ctx.Done():
			return nil
		}
		if len(buf) > 0 && sw.write(buf) != nil {
			return nil
		}
	}
}

// streamWriter writes and flushes with a deadline per write.
type streamWriter struct {
	w        http.ResponseWriter
	rc       *http.ResponseController
	timeout  time.Duration
	deadline bool
}

func (sw *streamWriter) write(b []byte) error {
	// ErrNotSupported (a ResponseWriter that does not unwrap to the
	// server's) leaves the server's own timeouts in charge.
	if sw.rc.SetWriteDeadline(time.Now().Add(sw.timeout)) == nil {
		sw.deadline = true
	}
	if _, err := sw.w.Write(b); err != nil {
		return err
	}
	return sw.rc.Flush()
}

// clearDeadline lifts the last write deadline, so a kept-alive connection
// does not carry it into its next request.
func (sw *streamWriter) clearDeadline() {
	if sw.deadline {
		_ = sw.rc.SetWriteDeadline(time.Time{})
	}
}

// appendFrame appends one SSE event. Event IDs are digits and kinds are
// our constants; data is split at line breaks, so no value can end the
// frame early or forge a field (encoding/json never writes a raw line
// break, but the framing does not rely on it).
func appendFrame(b []byte, id int64, kind Kind, data []byte) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, "\nevent: "...)
	b = append(b, kind...)
	b = append(b, "\ndata: "...)
	for i, c := range data {
		switch {
		case c == '\n' && i > 0 && data[i-1] == '\r':
		case c == '\n' || c == '\r':
			b = append(b, "\ndata: "...)
		default:
			b = append(b, c)
		}
	}
	return append(b, "\n\n"...)
}
