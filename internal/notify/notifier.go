package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"redline/internal/failpoint"
	"redline/internal/live"
)

// Options tune a Notifier. Zero values take the defaults.
type Options struct {
	// Window is how long a person's first pending item waits for others
	// to join it in one digest (default 10 min).
	Window time.Duration
	// MaxAge: pending items older than this are dropped rather than
	// mailed late (after a long outage of the mail server, or once mail is
	// configured again) (default 72 h). They stay in the feed.
	MaxAge time.Duration
	// Batch is how many audit rows Plan reads, and mails Send claims, at a
	// time (default 100).
	Batch int
	// Lease is how long a claimed mail is reserved for its sender; it must
	// be well above the SMTP timeout, since a mail whose lease runs out is
	// sent again (default 5 min).
	Lease time.Duration
	// MaxAttempts is how many times a mail is tried before it is given up
	// (default 10: with the backoff, about 9 hours).
	MaxAttempts int
	// Clock is the time (default time.Now).
	Clock func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Notifier runs the pipeline: Plan, Compose, Send (see the package doc).
// Several instances may run it on one store at once.
type Notifier struct {
	log    Log
	dir    Directory
	store  Store
	mailer Mailer // nil: no mail, the feed only
	render *Renderer
	opt    Options
	wake   chan struct{}
}

// New returns a Notifier. mailer may be nil when no SMTP server is
// configured: items are then planned for the feed only and nothing is
// mailed.
func New(l Log, d Directory, s Store, mailer Mailer, r *Renderer, o Options) *Notifier {
	if o.Window <= 0 {
		o.Window = 10 * time.Minute
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 72 * time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Notifier{log: l, dir: d, store: s, mailer: mailer, render: r, opt: o, wake: make(chan struct{}, 1)}
}

// MailEnabled reports whether the notifier sends mail.
func (n *Notifier) MailEnabled() bool { return n.mailer != nil }

// Plan turns the audit rows after the store's cursor into items, and
// returns how many it stored.
func (n *Notifier) Plan(ctx context.Context) (int, error) {
	total := 0
	for {
		cursor, err := n.store.Cursor(ctx)
		if err != nil {
			return total, fmt.Errorf("notify plan: cursor: %w", err)
		}
		recs, err := n.log.Events(ctx, cursor, n.opt.Batch)
		if err != nil {
			return total, fmt.Errorf("notify plan: events after %d: %w", cursor, err)
		}
		if len(recs) == 0 {
			return total, nil
		}
		now := n.opt.Clock()
		through := cursor
		var items []Item
		recipients := map[string][]Recipient{}
		for _, r := range recs {
			through = max(through, r.Seq)
			ev, ok := live.Translate(r)
			if !ok {
				continue
			}
			its, err := n.route(ctx, ev, recipients, now)
			if err != nil {
				return total, fmt.Errorf("notify plan: event %d: %w", r.Seq, err)
			}
			items = append(items, its...)
		}
		err = n.store.AddItems(ctx, cursor, through, items)
		if errors.Is(err, ErrConflict) {
			continue // another instance planned these rows; go on from its cursor
		}
		if err != nil {
			return total, fmt.Errorf("notify plan: store items through %d: %w", through, err)
		}
		failpoint.Hit(failpoint.MailAfterPlan)
		total += len(items)
		if len(recs) < n.opt.Batch {
			return total, nil
		}
	}
}

// route decides who hears about ev: people who may read the document now
// and chose the topic it falls under, when it concerns them, and never
// about their own acts.
func (n *Notifier) route(ctx context.Context, ev live.Event, cache map[string][]Recipient, now time.Time) ([]Item, error) {
	switch ev.Kind {
	case live.ProposalDecided, live.RevisionCommitted, live.Adopted:
	case live.CommentAdded:
		if ev.Data.ReplyTo == 0 {
			return nil, nil // a new thread is nobody's reply
		}
	default:
		return nil, nil
	}
	rs, ok := cache[ev.Document]
	if !ok {
		var err error
		rs, err = n.dir.Recipients(ctx, ev.Document)
		if errors.Is(err, ErrNotFound) {
			rs, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("recipients of %s: %w", ev.Document, err)
		}
		cache[ev.Document] = rs
	}
	author, thread := int64(-1), map[int64]bool(nil)
	var items []Item
	for _, r := range rs {
		if ev.ActorID != 0 && r.ID == ev.ActorID {
			continue
		}
		var topic Topics
		switch ev.Kind {
		case live.ProposalDecided:
			if r.Topics&Decisions != 0 && ev.Data.Proposal > 0 {
				if author < 0 {
					a, err := n.dir.ProposalAuthor(ctx, ev.Document, ev.Data.Proposal)
					if err != nil && !errors.Is(err, ErrNotFound) {
						return nil, fmt.Errorf("author of proposal %d: %w", ev.Data.Proposal, err)
					}
					author = a
				}
				if author == r.ID {
					topic = Decisions
				}
			}
			if topic == 0 && ev.Data.Revision > 0 && r.Topics&Revisions != 0 {
				topic = Revisions // a merge is a new revision too
			}
		case live.RevisionCommitted:
			topic = r.Topics & Revisions
		case live.Adopted:
			topic = r.Topics & Adoptions
		case live.CommentAdded:
			if r.Topics&Replies != 0 {
				if thread == nil {
					people, err := n.dir.ThreadPeople(ctx, ev.Document, ev.Data.ReplyTo)
					if err != nil && !errors.Is(err, ErrNotFound) {
						return nil, fmt.Errorf("thread of comment %d: %w", ev.Data.ReplyTo, err)
					}
					thread = map[int64]bool{}
					for _, p := range people {
						thread[p] = true
					}
				}
				if thread[r.ID] {
					topic = Replies
				}
			}
		}
		if topic == 0 {
			continue
		}
		items = append(items, Item{User: r.ID, Document: ev.Document, Topic: topic, Event: ev,
			Mail: n.mailer != nil && r.Mail && r.Email != "", PlannedAt: now})
	}
	return items, nil
}

// pendingScan bounds how many pending items one Compose looks at.
const pendingScan = 1000

// Compose turns each person's pending items in a document into one mail
// once the oldest has waited the window, and returns how many mails it
// put in the outbox.
func (n *Notifier) Compose(ctx context.Context) (int, error) {
	if n.mailer == nil {
		return 0, nil
	}
	pending, err := n.store.Pending(ctx, pendingScan)
	if err != nil {
		return 0, fmt.Errorf("notify compose: pending: %w", err)
	}
	type key struct {
		user int64
		doc  string
	}
	var order []key
	groups := map[key][]Item{}
	for _, it := range pending {
		k := key{it.User, it.Document}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], it)
	}
	now := n.opt.Clock()
	composed := 0
	for _, k := range order {
		var fresh []Item
		var drop []int64
		for _, it := range groups[k] {
			if now.Sub(it.PlannedAt) > n.opt.MaxAge {
				drop = append(drop, it.ID)
			} else {
				fresh = append(fresh, it)
			}
		}
		var r Recipient
		if len(fresh) > 0 && now.Sub(fresh[0].PlannedAt) < n.opt.Window {
			fresh = nil // not due yet; keep them pending
		} else if len(fresh) > 0 {
			var err error
			r, fresh, drop, err = n.recheck(ctx, k.user, k.doc, fresh, drop)
			if err != nil {
				return composed, err
			}
		}
		if len(drop) > 0 {
			if err := n.store.Skip(ctx, drop); err != nil {
				return composed, fmt.Errorf("notify compose: skip: %w", err)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		ok, err := n.compose(ctx, r, k.doc, fresh, now)
		if err != nil {
			return composed, err
		}
		if ok {
			composed++
		}
	}
	return composed, nil
}

// recheck returns the person as they are now, and keeps the items they may
// still read and still want by mail; the others join drop.
func (n *Notifier) recheck(ctx context.Context, user int64, doc string, items []Item, drop []int64) (Recipient, []Item, []int64, error) {
	r, ok, err := n.dir.Recipient(ctx, doc, user)
	if err != nil {
		return r, nil, drop, fmt.Errorf("notify compose: recipient %d of %s: %w", user, doc, err)
	}
	var keep []Item
	for _, it := range items {
		if ok && r.Mail && r.Email != "" && r.Topics&it.Topic != 0 {
			keep = append(keep, it)
		} else {
			drop = append(drop, it.ID)
		}
	}
	return r, keep, drop, nil
}

func (n *Notifier) compose(ctx context.Context, r Recipient, doc string, items []Item, now time.Time) (bool, error) {
	user := r.ID
	d, err := n.dir.Document(ctx, doc)
	if errors.Is(err, ErrNotFound) {
		return false, n.store.Skip(ctx, itemIDs(items))
	}
	if err != nil {
		return false, fmt.Errorf("notify compose: document %s: %w", doc, err)
	}
	key := fmt.Sprintf("u%d-e%d", user, items[0].Event.ID)
	msg, err := n.render.Render(Digest{Key: key, To: r, Doc: d, Items: items, Date: now})
	if err != nil {
		return false, fmt.Errorf("notify compose %s: %w", key, err)
	}
	_, err = n.store.Enqueue(ctx, Mail{Key: key, User: user, Document: doc, From: n.render.From.Address, To: r.Email,
		Message: msg, Items: itemIDs(items), CreatedAt: now})
	if errors.Is(err, ErrConflict) {
		return false, nil // another instance composed it
	}
	if err != nil {
		return false, fmt.Errorf("notify compose %s: enqueue: %w", key, err)
	}
	failpoint.Hit(failpoint.MailAfterCompose)
	return true, nil
}

func itemIDs(items []Item) []int64 {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// backoff is the wait before attempt n+1: 1 min, doubling, at most 1 h.
func backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Send hands the due mails of the outbox to the SMTP server, and returns
// how many it accepted.
func (n *Notifier) Send(ctx context.Context) (int, error) {
	if n.mailer == nil {
		return 0, nil
	}
	sent, failed := 0, 0
	var lastErr error
	defer func() {
		if failed > 0 {
			n.opt.Logger.Warn("notify: mail not sent", "failures", failed, "err", lastErr)
		}
	}()
	for {
		mails, err := n.store.Claim(ctx, n.opt.Clock(), n.opt.Batch, n.opt.Lease)
		if err != nil {
			return sent, fmt.Errorf("notify send: claim: %w", err)
		}
		if len(mails) == 0 {
			return sent, nil
		}
		failpoint.Hit(failpoint.MailAfterClaim)
		for _, m := range mails {
			err := n.mailer.Send(ctx, m.From, m.To, m.Message)
			if err == nil {
				failpoint.Hit(failpoint.MailAfterData)
				if err := n.store.Sent(ctx, m.ID, n.opt.Clock()); err != nil {
					return sent, fmt.Errorf("notify send %s: mark sent: %w", m.Key, err)
				}
				sent++
				continue
			}
			if ctx.Err() != nil {
				return sent, ctx.Err() // the lease brings it back
			}
			failed, lastErr = failed+1, err
			if IsPermanent(err) || m.Attempts >= n.opt.MaxAttempts {
				err = n.store.Fail(ctx, m.ID, n.opt.Clock(), err.Error())
			} else {
				err = n.store.Retry(ctx, m.ID, n.opt.Clock().Add(backoff(m.Attempts)), err.Error())
			}
			if err != nil {
				return sent, fmt.Errorf("notify send %s: record failure: %w", m.Key, err)
			}
		}
		if len(mails) < n.opt.Batch {
			return sent, nil
		}
	}
}

// Step runs Plan, Compose and Send once.
func (n *Notifier) Step(ctx context.Context) error {
	if _, err := n.Plan(ctx); err != nil {
		return err
	}
	if _, err := n.Compose(ctx); err != nil {
		return err
	}
	_, err := n.Send(ctx)
	return err
}

// Poke makes Run step now (call it on a database notification of new
// audit rows).
func (n *Notifier) Poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run steps every interval, and when poked, until ctx ends, logging
// failures (the next step retries).
func (n *Notifier) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := n.Step(ctx); err != nil && ctx.Err() == nil {
			n.opt.Logger.Warn("notify: step", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-n.wake:
		}
	}
}
