//go:build cluster

package cluster_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"redline/internal/reliability"
)

// outcome is one request as a client saw it.
type outcome struct {
	write      bool
	kind       string
	start, end time.Duration // since the run began
	status     int           // -1: no answer (transport error, timeout)
}

// failed reports whether the client saw an error: no answer, or a 5xx.
// A 4xx is the service doing its job (a stale base, a missing quorum).
func (o outcome) failed() bool { return o.status < 0 || o.status >= 500 }

// pending is a write whose outcome the client never learned; after the run
// it is looked up in the database and, when it took effect, entered in the
// history as an operation that may have happened any time after its call.
type pending struct {
	client int
	doc    string
	base   int64
	sum    string // commit: the text's hash
	merge  int64  // merge: the proposal
	call   int64
}

// recorder keeps every outcome and the porcupine history of the run.
type recorder struct {
	begin time.Time

	mu         sync.Mutex
	outs       []outcome
	hist       []porcupine.Operation
	pend       []pending
	unexpected map[string]int // "kind status" → count, for statuses no client should get
	examples   []string
}

func newRecorder() *recorder {
	return &recorder{begin: time.Now(), unexpected: map[string]int{}}
}

func (r *recorder) now() time.Duration { return time.Since(r.begin) }

func (r *recorder) add(o outcome, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outs = append(r.outs, o)
	// A member's quota of open proposals or comments (issue 13: 429
	// too_many_proposals, too_many_comments) is the service doing its job
	// under this load, like a stale base; any other 429 is not.
	quota := o.status == http.StatusTooManyRequests &&
		(bytes.Contains(body, []byte(`"too_many_proposals"`)) || bytes.Contains(body, []byte(`"too_many_comments"`)))
	if !quota && (o.status == http.StatusUnauthorized || o.status == http.StatusForbidden || o.status == http.StatusBadRequest ||
		o.status == http.StatusTooManyRequests) {
		k := fmt.Sprintf("%s %d", o.kind, o.status)
		r.unexpected[k]++
		if len(r.examples) < 5 {
			r.examples = append(r.examples, fmt.Sprintf("%s at %s: %.200s", k, o.end.Round(time.Millisecond), body))
		}
	}
}

func (r *recorder) op(client int, in reliability.LogInput, out reliability.LogOutput, call, ret time.Duration) {
	r.mu.Lock()
	r.hist = append(r.hist, porcupine.Operation{ClientId: client, Input: in, Output: out, Call: int64(call), Return: int64(ret)})
	r.mu.Unlock()
}

func (r *recorder) pending(p pending) {
	r.mu.Lock()
	r.pend = append(r.pend, p)
	r.mu.Unlock()
}

// worker is one virtual user on one document.
type worker struct {
	id    int
	slug  string
	slot  int // the paragraph this user edits
	chair bool
	cl    *reliability.Client
	rec   *recorder
	acks  *reliability.AckLog
	rng   *rand.Rand
	think time.Duration

	seen    int64  // the head last seen
	text    string // its text, "" when unknown
	step    int
	reading bool // a public reader, no account
}

// call sends one request and records its outcome.
func (w *worker) call(ctx context.Context, write bool, kind string, f func() (reliability.Response, error)) (reliability.Response, time.Duration, time.Duration, bool) {
	start := w.rec.now()
	resp, err := f()
	end := w.rec.now()
	st := resp.Status
	if err != nil {
		st = -1
	}
	if ctx.Err() != nil && err != nil {
		// The run ended under the request: not an outage.
		return resp, start, end, false
	}
	w.rec.add(outcome{write: write, kind: kind, start: start, end: end, status: st}, resp.Body)
	return resp, start, end, err == nil
}

func (w *worker) run(ctx context.Context) {
	for ctx.Err() == nil {
		switch {
		case w.reading:
			w.readPublic(ctx)
		case w.chair:
			w.chairStep(ctx)
		default:
			w.memberStep(ctx)
		}
		w.step++
		select {
		case <-ctx.Done():
		case <-time.After(w.think + time.Duration(w.rng.Int64N(int64(w.think)+1))):
		}
	}
}

// readHead reads the head and its text, entering both reads in the history.
func (w *worker) readHead(ctx context.Context) bool {
	var head struct {
		Head *struct {
			Number int64  `json:"number"`
			SHA256 string `json:"sha256"`
		} `json:"head"`
	}
	resp, start, end, ok := w.call(ctx, false, "head", func() (reliability.Response, error) {
		return w.cl.Do(ctx, "GET", "/api/v1/documents/"+w.slug, nil)
	})
	if !ok || resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &head) != nil || head.Head == nil {
		return false
	}
	w.rec.op(w.id, reliability.LogInput{Doc: w.slug, Kind: reliability.LogHead},
		reliability.LogOutput{OK: true, N: head.Head.Number, SHA256: head.Head.SHA256}, start, end)
	n := head.Head.Number
	resp, start, end, ok = w.call(ctx, false, "text", func() (reliability.Response, error) { return w.cl.Text(ctx, w.slug, n) })
	if !ok || resp.Status != http.StatusOK {
		return false
	}
	w.rec.op(w.id, reliability.LogInput{Doc: w.slug, Kind: reliability.LogText, Base: n},
		reliability.LogOutput{OK: true, SHA256: sum(string(resp.Body))}, start, end)
	w.seen, w.text = n, string(resp.Body)
	return true
}

func (w *worker) chairStep(ctx context.Context) {
	switch r := w.rng.IntN(100); {
	case r < 30:
		w.commit(ctx)
	case r < 45:
		w.merge(ctx)
	case r < 60:
		if w.readHead(ctx) {
			n, s := w.seen, sum(w.text)
			w.call(ctx, true, "approve", func() (reliability.Response, error) { return w.cl.Approve(ctx, w.slug, n, s) })
		}
	case r < 68:
		n := w.seen
		w.call(ctx, true, "adopt", func() (reliability.Response, error) { return w.cl.Adopt(ctx, w.slug, n, "basis") })
	default:
		w.readHead(ctx)
	}
}

func (w *worker) memberStep(ctx context.Context) {
	switch r := w.rng.IntN(100); {
	case r < 45:
		if w.text == "" && !w.readHead(ctx) {
			return
		}
		text := setPara(w.text, w.slot, fmt.Sprintf("%d. Поправка участника %s, шаг %d: «%s».", w.slot+1, w.cl.Login, w.step, randomWords(w.rng)))
		base := w.seen
		w.call(ctx, true, "propose", func() (reliability.Response, error) {
			_, resp, err := w.cl.Propose(ctx, w.slug, base, text, "Поправка "+strconv.Itoa(w.step))
			return resp, err
		})
		w.text = "" // read the head again before the next one
	case r < 60:
		if w.seen == 0 {
			return
		}
		n := w.seen
		w.call(ctx, true, "comment", func() (reliability.Response, error) {
			_, resp, err := w.cl.Comment(ctx, w.slug, n, "Замечание к редакции "+strconv.FormatInt(n, 10), nil)
			return resp, err
		})
	default:
		w.readHead(ctx)
	}
}

// commit replaces the chair's paragraph on the head it saw: a
// compare-and-set entered in the history whatever its outcome.
func (w *worker) commit(ctx context.Context) {
	if w.text == "" && !w.readHead(ctx) {
		return
	}
	text := setPara(w.text, w.slot, fmt.Sprintf("%d. Редакция председателя %s, шаг %d: «%s».", w.slot+1, w.cl.Login, w.step, randomWords(w.rng)))
	base, s := w.seen, sum(text)
	var n int64
	resp, start, end, ok := w.call(ctx, true, "commit", func() (reliability.Response, error) {
		var resp reliability.Response
		var err error
		n, _, resp, err = w.cl.Commit(ctx, w.slug, base, text)
		return resp, err
	})
	in := reliability.LogInput{Doc: w.slug, Kind: reliability.LogCommit, Base: base, SHA256: s}
	switch {
	case ok && resp.Status == http.StatusCreated:
		w.rec.op(w.id, in, reliability.LogOutput{OK: true, N: n}, start, end)
		w.seen, w.text = n, text
	case ok && resp.Status == http.StatusConflict:
		if head, found := conflictHead(resp.Body); found {
			w.rec.op(w.id, in, reliability.LogOutput{N: head}, start, end)
		}
		w.text = ""
	case !ok || resp.Status >= 500:
		w.rec.pending(pending{client: w.id, doc: w.slug, base: base, sum: s, call: int64(start)})
		w.text = ""
	}
}

// merge merges the oldest open proposal onto the head the chair saw.
func (w *worker) merge(ctx context.Context) {
	resp, _, _, ok := w.call(ctx, false, "proposals", func() (reliability.Response, error) {
		return w.cl.Do(ctx, "GET", "/api/v1/documents/"+w.slug+"/proposals?state=open", nil)
	})
	var list struct {
		Proposals []struct {
			Number int64 `json:"number"`
		} `json:"proposals"`
	}
	if !ok || resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &list) != nil || len(list.Proposals) == 0 {
		return
	}
	p := list.Proposals[len(list.Proposals)-1].Number // newest first
	if w.seen == 0 && !w.readHead(ctx) {
		return
	}
	base := w.seen
	var rev struct {
		Number int64  `json:"number"`
		SHA256 string `json:"sha256"`
	}
	resp, start, end, ok := w.call(ctx, true, "merge", func() (reliability.Response, error) {
		return w.cl.Do(ctx, "POST", "/api/v1/documents/"+w.slug+"/proposals/"+strconv.FormatInt(p, 10)+"/merge", map[string]any{"head": base})
	})
	switch {
	case ok && resp.Status == http.StatusCreated && json.Unmarshal(resp.Body, &rev) == nil:
		w.acks.Add(reliability.Ack{Op: reliability.OpMerge, Doc: w.slug, Number: rev.Number, SHA256: rev.SHA256, Proposal: p})
		w.rec.op(w.id, reliability.LogInput{Doc: w.slug, Kind: reliability.LogCommit, Base: base, SHA256: rev.SHA256},
			reliability.LogOutput{OK: true, N: rev.Number}, start, end)
		w.seen, w.text = rev.Number, ""
	case ok && resp.Status == http.StatusConflict:
		// A stale head or overlapping changes: nothing was committed, and a
		// refusal that changed nothing adds nothing to the history.
		if head, found := conflictHead(resp.Body); found {
			w.seen = head
		}
		w.text = ""
	case !ok || resp.Status >= 500:
		w.rec.pending(pending{client: w.id, doc: w.slug, base: base, merge: p, call: int64(start)})
		w.text = ""
	}
}

func (w *worker) readPublic(ctx context.Context) {
	w.call(ctx, false, "public-page", func() (reliability.Response, error) { return w.cl.Do(ctx, "GET", "/public/"+w.slug, nil) })
	w.call(ctx, false, "public-api", func() (reliability.Response, error) { return w.cl.Adopted(ctx, w.slug) })
}

// conflictHead reads details.head of a 409.
func conflictHead(body []byte) (int64, bool) {
	var e struct {
		Error struct {
			Details struct {
				Head *int64 `json:"head"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Details.Head == nil {
		return 0, false
	}
	return *e.Error.Details.Head, true
}

// setPara replaces paragraph i (paragraphs are separated by blank lines).
func setPara(text string, i int, p string) string {
	paras := strings.Split(strings.TrimRight(text, "\n"), "\n\n")
	for len(paras) <= i {
		paras = append(paras, fmt.Sprintf("%d. Пункт.", len(paras)+1))
	}
	paras[i] = p
	return strings.Join(paras, "\n\n") + "\n"
}

var words = strings.Fields("кластер инновации поддержка государство регион развитие программа меры участники конференция итоговый документ")

func randomWords(rng *rand.Rand) string {
	var b strings.Builder
	for i := range 3 + rng.IntN(4) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// initialText is a document of n numbered paragraphs.
func initialText(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "%d. Пункт %d проекта итогового документа.", i+1, i+1)
	}
	return b.String() + "\n"
}

// phase is one stretch of the run, from a fault (or the start) to the next.
type phase struct {
	name string
	at   time.Duration
}

// phaseStats is what clients saw during one phase, per kind of request.
type phaseStats struct {
	Phase              string  `json:"phase"`
	Class              string  `json:"class"` // "write" or "read"
	Requests           int     `json:"requests"`
	Errors             int     `json:"errors"`
	LongestErrorWindow float64 `json:"longest_error_window_s"` // longest stretch in which requests of the class only failed
	Recovery           float64 `json:"recovery_s"`             // from the fault to the end of the last failed request (0: none failed)
	Failures           string  `json:"failures,omitempty"`     // which requests failed how: "commit 503×4 …"
}

// lead is how long before a fault a request may have been sent and still
// be the fault's: a request in flight when it struck. Requests take
// milliseconds unless something is wrong; one that hangs through an outage
// until Redline's deadline (10-20 s) belongs to the phase it was sent in.
const lead = time.Second

// measure splits outcomes into phases by when they were sent and, per
// class, counts errors and finds the longest window of errors: failed
// requests not separated by a successful one of the same class, from the
// first one's start to the last one's end. Recovery is counted from the
// fault.
func measure(outs []outcome, phases []phase, end time.Duration) []phaseStats {
	var stats []phaseStats
	for i, ph := range phases {
		from, to := ph.at, end
		if i > 0 {
			from = ph.at - lead
		}
		if i+1 < len(phases) {
			to = phases[i+1].at - lead
		}
		for _, write := range []bool{true, false} {
			var in []outcome
			for _, o := range outs {
				// A request belongs to the phase it was sent in: one that hung
				// through an outage and failed after it is the outage's.
				if o.write == write && o.start >= from && o.start < to {
					in = append(in, o)
				}
			}
			sort.Slice(in, func(a, b int) bool { return in[a].end < in[b].end })
			st := phaseStats{Phase: ph.name, Class: map[bool]string{true: "write", false: "read"}[write], Requests: len(in)}
			var winStart, winEnd time.Duration
			open := false
			how := map[string]int{}
			for _, o := range in {
				if o.failed() {
					st.Errors++
					how[fmt.Sprintf("%s %s", o.kind, statusName(o.status))]++
					if !open {
						open, winStart = true, o.start
					}
					winStart = min(winStart, o.start)
					winEnd = o.end
					st.LongestErrorWindow = max(st.LongestErrorWindow, (winEnd - winStart).Seconds())
					st.Recovery = max(st.Recovery, (o.end - ph.at).Seconds())
					continue
				}
				open = false
			}
			keys := make([]string, 0, len(how))
			for k := range how {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for i, k := range keys {
				if i > 0 {
					st.Failures += ", "
				}
				st.Failures += fmt.Sprintf("%s×%d", k, how[k])
			}
			stats = append(stats, st)
		}
	}
	return stats
}

func statusName(st int) string {
	if st < 0 {
		return "no answer"
	}
	return strconv.Itoa(st)
}
