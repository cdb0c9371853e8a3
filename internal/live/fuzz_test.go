package live_test

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"redline/internal/live"
)

// FuzzParseEventID: a Last-Event-ID is accepted only as an ID the server
// could have written, and every ID it writes is accepted as itself.
func FuzzParseEventID(f *testing.F) {
	for _, s := range []string{"0", "1", "42", "9223372036854775807", "9223372036854775808", "-1", "01", "", " 1", "1\n", "١٢", "0x10", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := live.ParseEventID(s)
		if err != nil {
			if !errors.Is(err, live.ErrBadEventID) {
				t.Fatalf("ParseEventID(%q) error %v is not ErrBadEventID", s, err)
			}
			if v, perr := strconv.ParseInt(s, 10, 64); perr == nil && v >= 0 && strconv.FormatInt(v, 10) == s {
				t.Fatalf("ParseEventID(%q) refused an ID the server writes", s)
			}
			return
		}
		if n < 0 || live.EventID(n) != s {
			t.Fatalf("ParseEventID(%q) = %d, which is written %q", s, n, live.EventID(n))
		}
		// Through a request, as header and as parameter.
		r, _ := http.NewRequest(http.MethodGet, "/?last_event_id="+s, nil)
		if id, ok, err := live.LastEventID(r); err != nil || !ok || id != n {
			t.Fatalf("parameter %q: %d %v %v", s, id, ok, err)
		}
		r.Header.Set("Last-Event-ID", s)
		if id, ok, err := live.LastEventID(r); err != nil || !ok || id != n {
			t.Fatalf("header %q: %d %v %v", s, id, ok, err)
		}
	})
}

// FuzzFrame: whatever the data, a frame parses back, as a browser parses
// it, into exactly one event with its ID, kind and data (line breaks
// normalised to LF, as the SSE format cannot carry CR).
func FuzzFrame(f *testing.F) {
	for _, s := range []string{"", `{"a":1}`, "a\nb", "a\r\nb\rc", "\n\n", "data: x\n\nid: 5", ":comment"} {
		f.Add(int64(7), s)
	}
	f.Fuzz(func(t *testing.T, id int64, data string) {
		if id < 0 {
			id = -(id + 1)
		}
		frame := live.AppendFrame(nil, id, live.CommentAdded, []byte(data))
		r := newSSEReader(bytes.NewReader(frame))
		ev, err := r.next()
		if err != nil {
			t.Fatalf("frame %q: %v", frame, err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n")
		if ev.ID != strconv.FormatInt(id, 10) || ev.Event != string(live.CommentAdded) || ev.Data != want {
			t.Fatalf("frame %q parsed as %+v, want data %q", frame, ev, want)
		}
		if _, err := r.next(); err == nil {
			t.Fatalf("frame %q holds more than one event", frame)
		}
	})
}
