package live_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// sseEvent is one dispatched block of a stream, parsed as a browser's
// EventSource parses it (WHATWG HTML, "Interpreting an event stream").
type sseEvent struct {
	ID, Event, Data string
	HasID           bool
	Retry           string
	Comment         bool // a block of comments only: a heartbeat
}

type sseReader struct {
	br *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReader(r)} }

// next returns the next block. At the end of the stream an unfinished
// block is discarded, as a browser does, and io.EOF returned.
func (r *sseReader) next() (sseEvent, error) {
	var (
		ev      sseEvent
		data    []string
		hasData bool
		any     bool
	)
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			if err == io.EOF {
				return sseEvent{}, io.EOF
			}
			return sseEvent{}, err
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if !any {
				continue
			}
			ev.Data = strings.Join(data, "\n")
			if !hasData && ev.Retry == "" && !ev.HasID {
				ev.Comment = true
			}
			return ev, nil
		}
		any = true
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID, ev.HasID = value, true
		case "event":
			ev.Event = value
		case "data":
			data, hasData = append(data, value), true
		case "retry":
			ev.Retry = value
		default:
			return sseEvent{}, fmt.Errorf("unknown field %q", field)
		}
	}
}

// stream is an open event stream.
type stream struct {
	resp *http.Response
	*sseReader
}

func (s *stream) Close() { s.resp.Body.Close() }

// nextEvent skips heartbeats and the retry block and returns an event.
func (s *stream) nextEvent() (sseEvent, error) {
	for {
		ev, err := s.next()
		if err != nil || (!ev.Comment && ev.Retry == "") {
			return ev, err
		}
	}
}

var errStatus = errors.New("unexpected status")

// openStream connects to url, sending lastID as Last-Event-ID when it is
// not empty.
func openStream(ctx context.Context, client *http.Client, url, lastID string) (*stream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		return nil, fmt.Errorf("%w %d %s: %s", errStatus, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return &stream{resp: resp, sseReader: newSSEReader(resp.Body)}, nil
}
