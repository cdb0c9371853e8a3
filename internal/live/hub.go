package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Why a subscription ended, as Subscription.Err reports it.
var (
	// ErrClosed: the hub was closed (the server is shutting down).
	ErrClosed = errors.New("live: the hub is closed")
	// ErrSlow: the subscriber fell a full queue behind and was dropped;
	// it should reconnect and resume from its last event.
	ErrSlow = errors.New("live: subscriber fell behind and was dropped")
	// ErrRevoked: the subscriber's role on the document was revoked, or
	// its account ended (Hub.EndUser).
	ErrRevoked = errors.New("live: access revoked")
	// ErrUnsubscribed: the subscriber closed the subscription itself.
	ErrUnsubscribed = errors.New("live: unsubscribed")
	// ErrUnavailable wraps a Source failure met while subscribing.
	ErrUnavailable = errors.New("live: event source unavailable")
)

// Options tune a Hub. Zero values take the defaults.
type Options struct {
	// QueueLen is how many events a subscriber may fall behind by before
	// it is dropped (default 256).
	QueueLen int
	// Batch is how many rows one Replay call asks for (default 256).
	Batch int
	// MaxReplay is how many rows a resuming subscriber may be replayed;
	// one further behind gets a Reset event instead (default 5000).
	MaxReplay int
	// Logger receives Source failures (default: slog.Default()).
	Logger *slog.Logger
}

// Hub fans a document's events out to its subscribers. Its methods are
// safe for concurrent use.
type Hub struct {
	src    Source
	opt    Options
	log    *slog.Logger
	ctx    context.Context // ends the topics' Source calls on Close
	cancel context.CancelFunc

	mu     sync.Mutex
	topics map[string]*topic
	closed bool

	delivered, dropped, replayed, sourceErrors atomic.Uint64
}

// New returns a hub reading from src.
func New(src Source, opt Options) *Hub {
	if opt.QueueLen <= 0 {
		opt.QueueLen = 256
	}
	if opt.Batch <= 0 {
		opt.Batch = 256
	}
	if opt.MaxReplay <= 0 {
		opt.MaxReplay = 5000
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{src: src, opt: opt, log: opt.Logger, ctx: ctx, cancel: cancel, topics: map[string]*topic{}}
}

// message is an event with its SSE frame, rendered once for every
// subscriber.
type message struct {
	ev    Event
	frame []byte
}

func newMessage(ev Event) *message {
	return &message{ev: ev, frame: appendFrame(nil, ev.ID, ev.Kind, ev.JSON())}
}

// topic is one document's subscribers and the goroutine that reads its
// new rows from the source.
type topic struct {
	h      *Hub
	doc    string
	ctx    context.Context // ends with the topic
	cancel context.CancelFunc
	ready  chan struct{} // closed when last is known, or initErr set
	wake   chan struct{} // capacity 1: wake-ups coalesce
	refs   int           // subscriptions not yet closed; guarded by h.mu

	initErr error        // set before ready is closed
	lastA   atomic.Int64 // a copy of last for Notify's unlocked check

	mu      sync.Mutex
	last    int64 // the newest row read; written by run's goroutine only
	subs    map[*Subscription]struct{}
	stopped bool
}

// Notify tells the hub that doc has rows up to id. It returns at once; the
// document's topic, if anyone listens to it, reads the rows it has not yet
// delivered. Call it after a commit on this instance and on every NOTIFY
// from the database; an id the topic has already read costs nothing.
func (h *Hub) Notify(doc string, id int64) {
	h.mu.Lock()
	t := h.topics[doc]
	h.mu.Unlock()
	if t != nil && id > t.lastA.Load() {
		t.poke()
	}
}

// PokeAll makes every topic look for new rows: the periodic poll that heals
// a lost notification, and what to call when a database listener
// (re)connects, since notifications sent while it was away are gone.
func (h *Hub) PokeAll() {
	h.mu.Lock()
	ts := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		ts = append(ts, t)
	}
	h.mu.Unlock()
	for _, t := range ts {
		t.poke()
	}
}

// Run calls PokeAll every interval until ctx ends.
func (h *Hub) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.PokeAll()
		}
	}
}

// Close ends every subscription with ErrClosed and refuses new ones.
// Register it with http.Server.RegisterOnShutdown: Shutdown waits for
// connections to go idle, which a stream never does by itself.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	topics := h.topics
	h.topics = map[string]*topic{}
	h.mu.Unlock()
	h.cancel()
	for _, t := range topics {
		t.cancel()
		t.mu.Lock()
		t.stopped = true
		for s := range t.subs {
			t.end(s, ErrClosed)
		}
		t.mu.Unlock()
	}
}

// EndUser ends, with ErrRevoked, every member stream of login on every
// document: for an account that was disabled or signed out everywhere.
func (h *Hub) EndUser(login string) {
	if login == "" {
		return
	}
	h.mu.Lock()
	ts := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		ts = append(ts, t)
	}
	h.mu.Unlock()
	for _, t := range ts {
		t.mu.Lock()
		t.endLogin(login)
		t.mu.Unlock()
	}
}

// Stats are a hub's counters.
type Stats struct {
	Topics       int    // documents with subscribers
	Subscribers  int    // open subscriptions
	Delivered    uint64 // events queued to subscribers
	Dropped      uint64 // subscribers dropped for falling behind
	Replayed     uint64 // events replayed to resuming subscribers
	SourceErrors uint64 // failed Replay or Last calls
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	ts := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		ts = append(ts, t)
	}
	h.mu.Unlock()
	s := Stats{Topics: len(ts), Delivered: h.delivered.Load(), Dropped: h.dropped.Load(),
		Replayed: h.replayed.Load(), SourceErrors: h.sourceErrors.Load()}
	for _, t := range ts {
		t.mu.Lock()
		s.Subscribers += len(t.subs)
		t.mu.Unlock()
	}
	return s
}

// SubscribeOptions say who subscribes and from where.
type SubscribeOptions struct {
	Audience Audience // Members or Public
	// Login is the subscribing member, so that revoking their role on the
	// document ends the stream; "" for public readers.
	Login string
	// Resume asks for every event with ID > After (from Last-Event-ID, or
	// the event the page was rendered at); without it the subscription
	// starts at the document's newest event.
	Resume bool
	After  int64
}

// Subscription is one subscriber's view of a document's events. Close it
// when done.
type Subscription struct {
	t     *topic
	aud   Audience
	login string
	q     chan *message // closed when the subscription ends; err says why

	// Read by the consumer only.
	pending []*message // a reset and the replayed backlog, before q
	cursor  int64      // the ID of the last event handed out
	err     error      // written under t.mu before q is closed

	closeOnce sync.Once
}

// Subscribe starts a subscription to doc. With Resume it first replays,
// from the source, the events after After that the caller has not seen;
// then it hands out the events the hub reads, each exactly once and in
// order. Errors: ErrClosed, ErrUnavailable (the source failed), or ctx's.
func (h *Hub) Subscribe(ctx context.Context, doc string, o SubscribeOptions) (*Subscription, error) {
	if o.Audience != Members && o.Audience != Public {
		return nil, fmt.Errorf("live: subscribe with audience %s", o.Audience)
	}
	if o.Resume && o.After < 0 {
		return nil, fmt.Errorf("live: subscribe after %d", o.After)
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrClosed
	}
	t := h.topics[doc]
	if t == nil {
		t = &topic{h: h, doc: doc, ready: make(chan struct{}), wake: make(chan struct{}, 1),
			subs: map[*Subscription]struct{}{}}
		t.ctx, t.cancel = context.WithCancel(h.ctx)
		h.topics[doc] = t
		go t.run()
	}
	t.refs++
	h.mu.Unlock()

	s := &Subscription{t: t, aud: o.Audience, login: o.Login, q: make(chan *message, h.opt.QueueLen)}
	select {
	case <-t.ready:
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	}
	if t.initErr != nil {
		s.Close()
		h.mu.Lock()
		closed := h.closed
		h.mu.Unlock()
		if closed {
			return nil, ErrClosed // the source call failed because Close ended it
		}
		return nil, t.initErr
	}
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		s.Close()
		return nil, ErrClosed
	}
	regLast := t.last
	t.subs[s] = struct{}{}
	t.mu.Unlock()

	// From here the topic queues every event after regLast; what the
	// subscriber missed up to regLast comes from the source.
	s.cursor = regLast
	if !o.Resume {
		return s, nil
	}
	s.cursor = o.After
	if o.After > regLast {
		// The subscriber has seen more than this instance: another one
		// was told sooner. Look now rather than at the next poll.
		t.poke()
		return s, nil
	}
	if err := s.replay(ctx, regLast); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// replay fills s.pending with the events in (s.cursor, through], or with a
// Reset to through when that is more than MaxReplay rows.
func (s *Subscription) replay(ctx context.Context, through int64) error {
	h := s.t.h
	after, scanned := s.cursor, 0
	for after < through {
		recs, err := h.src.Replay(ctx, s.t.doc, after, h.opt.Batch)
		if err != nil {
			h.sourceErrors.Add(1)
			return fmt.Errorf("%w: replay %s after %d: %w", ErrUnavailable, s.t.doc, after, err)
		}
		for _, r := range recs {
			if r.Seq <= after || r.Seq > through {
				continue
			}
			after = r.Seq
			if ev, ok := Translate(r); ok && r.Document == s.t.doc && s.aud.sees(ev.Audience) {
				s.pending = append(s.pending, newMessage(ev))
			}
		}
		scanned += len(recs)
		if scanned > h.opt.MaxReplay {
			s.pending = []*message{newMessage(Event{ID: through, Document: s.t.doc, Kind: Reset, Audience: s.aud})}
			return nil
		}
		if len(recs) < h.opt.Batch {
			break
		}
	}
	h.replayed.Add(uint64(len(s.pending)))
	return nil
}

// Next returns the next event, waiting for one until ctx ends. When the
// subscription has ended it returns the reason (see Err).
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		if m := s.nextPending(); m != nil {
			return m.ev, nil
		}
		select {
		case m, ok := <-s.q:
			if !ok {
				return Event{}, s.err
			}
			if s.accept(m) {
				return m.ev, nil
			}
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// nextPending hands out the next replayed event, if any.
func (s *Subscription) nextPending() *message {
	for len(s.pending) > 0 {
		m := s.pending[0]
		s.pending = s.pending[1:]
		if m.ev.Kind == Reset {
			s.cursor = m.ev.ID
			return m
		}
		if s.accept(m) {
			return m
		}
	}
	return nil
}

// accept reports whether m is new to the subscriber, and records it.
func (s *Subscription) accept(m *message) bool {
	if m.ev.ID <= s.cursor {
		return false
	}
	s.cursor = m.ev.ID
	return true
}

// Cursor returns the ID of the last event handed out (or the position the
// subscription started from).
func (s *Subscription) Cursor() int64 { return s.cursor }

// Err returns why the subscription ended; nil while it is open. Call it
// after Next reported the end.
func (s *Subscription) Err() error {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	return s.err
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.closeOnce.Do(func() {
		t := s.t
		t.mu.Lock()
		if _, ok := t.subs[s]; ok {
			t.end(s, ErrUnsubscribed)
		}
		t.mu.Unlock()
		h := t.h
		h.mu.Lock()
		t.refs--
		if t.refs == 0 && h.topics[t.doc] == t {
			delete(h.topics, t.doc)
			t.cancel()
		}
		h.mu.Unlock()
	})
}

func (t *topic) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// run learns where the document's history ends, then reads new rows each
// time it is woken, until the topic ends.
func (t *topic) run() {
	h := t.h
	last, err := h.src.Last(t.ctx, t.doc)
	if err != nil {
		h.sourceErrors.Add(1)
		t.initErr = fmt.Errorf("%w: last event of %s: %w", ErrUnavailable, t.doc, err)
		h.mu.Lock()
		if h.topics[t.doc] == t {
			// The next subscriber starts a fresh topic and tries again.
			delete(h.topics, t.doc)
		}
		h.mu.Unlock()
		t.cancel()
		close(t.ready)
		return
	}
	t.mu.Lock()
	t.last = last
	t.mu.Unlock()
	t.lastA.Store(last)
	close(t.ready)
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-t.wake:
			t.fetch()
		}
	}
}

// fetch reads and delivers every row after last, a batch at a time. On a
// source failure it gives up until the next wake-up or poll: the rows stay
// in the source, so nothing is lost by waiting.
func (t *topic) fetch() {
	h := t.h
	for {
		t.mu.Lock()
		after := t.last
		t.mu.Unlock()
		recs, err := h.src.Replay(t.ctx, t.doc, after, h.opt.Batch)
		if err != nil {
			if t.ctx.Err() == nil {
				h.sourceErrors.Add(1)
				h.log.Warn("live: read new events", "document", t.doc, "after", after, "err", err)
			}
			return
		}
		msgs := make([]*message, 0, len(recs))
		next := after
		for _, r := range recs {
			if r.Seq <= next || r.Document != t.doc {
				continue
			}
			next = r.Seq
			if ev, ok := Translate(r); ok {
				if ev.Audience == Internal {
					msgs = append(msgs, &message{ev: ev})
				} else {
					msgs = append(msgs, newMessage(ev))
				}
			}
		}
		t.mu.Lock()
		if t.stopped {
			t.mu.Unlock()
			return
		}
		for _, m := range msgs {
			t.deliver(m)
		}
		t.last = next
		t.lastA.Store(next)
		t.mu.Unlock()
		if len(recs) < h.opt.Batch {
			return
		}
	}
}

// deliver queues m to every subscriber that may see it, dropping those
// whose queue is full. Called with t.mu held.
func (t *topic) deliver(m *message) {
	if m.ev.Audience == Internal {
		if m.ev.Kind == AccessRevoked {
			t.endLogin(m.ev.Data.User)
		}
		return
	}
	for s := range t.subs {
		if !s.aud.sees(m.ev.Audience) {
			continue
		}
		select {
		case s.q <- m:
			t.h.delivered.Add(1)
		default:
			t.h.dropped.Add(1)
			t.end(s, ErrSlow)
		}
	}
}

// endLogin ends the member subscriptions of login. Called with t.mu held.
func (t *topic) endLogin(login string) {
	if login == "" {
		return
	}
	for s := range t.subs {
		if s.aud == Members && s.login == login {
			t.end(s, ErrRevoked)
		}
	}
}

// end removes s and closes its queue. Called with t.mu held.
func (t *topic) end(s *Subscription, why error) {
	delete(t.subs, s)
	s.err = why
	close(s.q)
}
