package notify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/notify"
	"redline/internal/notify/notifytest"
)

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sentMail is what the recording mailer was given.
type sentMail struct {
	from, to string
	msg      []byte
}

// recorder is a Mailer that keeps what it is given: for the routing and
// retry logic; the tests against a real SMTP server are in smtp_test.go.
type recorder struct {
	mu   sync.Mutex
	sent []sentMail
	fail func(to string, attempt int) error // nil: accept everything
	n    map[string]int
}

func (r *recorder) Send(_ context.Context, from, to string, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[to]++
	if r.fail != nil {
		if err := r.fail(to, r.n[to]); err != nil {
			return err
		}
	}
	r.sent = append(r.sent, sentMail{from, to, append([]byte(nil), msg...)})
	return nil
}

func (r *recorder) mails() []sentMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// world is a directory with one document and five people, a log, a store
// and a notifier on a manual clock.
type world struct {
	dir   *notifytest.Directory
	log   *notifytest.Log
	store *notifytest.Store
	clk   *clock
	mail  *recorder
	n     *notify.Notifier
	r     *notify.Renderer
}

const (
	ivanov  = 1 // author of proposals 3 and 5; Russian; the default topics
	petrov  = 2 // English; every topic
	chair   = 3 // the chair, who does most things; the default topics
	sidorov = 4 // every topic, by feed only
	noemail = 5 // every topic, but no address
)

func newWorld(t *testing.T, mailer notify.Mailer) *world {
	w := &world{dir: notifytest.NewDirectory(), log: &notifytest.Log{}, store: notifytest.NewStore(),
		clk: &clock{t: t0}, r: renderer(t)}
	w.dir.AddDocument(doc)
	for _, a := range []notify.Account{
		{ID: ivanov, Login: "ivanov", Name: "Иван Иванов", Email: "ivanov@example.org", Lang: "ru"},
		{ID: petrov, Login: "petrov", Name: "Peter Petrov", Email: "petrov@example.org", Lang: "en"},
		{ID: chair, Login: "chair", Name: "Председатель", Email: "chair@example.org", Lang: "ru"},
		{ID: sidorov, Login: "sidorov", Email: "sidorov@example.org", Lang: "ru"},
		{ID: noemail, Login: "noemail", Lang: "ru"},
	} {
		w.dir.AddAccount(a)
	}
	w.dir.Join(doc.ID, ivanov, notify.DefaultTopics, true)
	w.dir.Join(doc.ID, petrov, notify.AllTopics, true)
	w.dir.Join(doc.ID, chair, notify.DefaultTopics, true)
	w.dir.Join(doc.ID, sidorov, notify.AllTopics, false)
	w.dir.Join(doc.ID, noemail, notify.AllTopics, true)
	w.dir.SetAuthor(doc.ID, 3, ivanov)
	w.dir.SetAuthor(doc.ID, 5, ivanov)
	w.dir.SetThread(doc.ID, 30, ivanov, petrov)
	if mailer == nil {
		w.mail = &recorder{}
		mailer = w.mail
	}
	w.n = notify.New(w.log, w.dir, w.store, mailer, w.r, notify.Options{Window: 10 * time.Minute, Clock: w.clk.Now, Logger: quiet})
	return w
}

func (w *world) add(kind string, actor int64, data map[string]string) live.Record {
	login := map[int64]string{ivanov: "ivanov", petrov: "petrov", chair: "chair"}[actor]
	return w.log.Add(live.Record{Document: doc.ID, Kind: kind, ActorID: actor, ActorLogin: login, Data: data, At: w.clk.Now()})
}

// history adds the events of a short session and returns them.
func (w *world) history() []live.Record {
	return []live.Record{
		w.add("revision.commit", chair, map[string]string{"number": "5"}),
		w.add("proposal.merge", chair, map[string]string{"proposal": "3", "number": "6"}),
		w.add("comment.create", petrov, map[string]string{"comment": "31", "revision": "6", "reply_to": "30"}),
		w.add("comment.create", petrov, map[string]string{"comment": "32", "revision": "6"}),
		w.add("adoption.create", chair, map[string]string{"revision": "6", "stage": "basis"}),
		w.add("proposal.withdrawn", ivanov, map[string]string{"number": "5"}),
		w.add("role.grant", chair, map[string]string{"login": "x", "role": "member"}),
		w.add("approval.create", chair, map[string]string{"revision": "6"}),
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// feedOf describes a user's feed items as "seq:topic" oldest first.
func feedOf(t *testing.T, s notify.Store, user int64) string {
	t.Helper()
	its, err := s.Feed(context.Background(), user, 100)
	must(t, err)
	var out []string
	for i := len(its) - 1; i >= 0; i-- {
		mail := ""
		if !its[i].Mail {
			mail = "(feed)"
		}
		out = append(out, fmt.Sprintf("%d:%s%s", its[i].Event.ID, its[i].Topic, mail))
	}
	return strings.Join(out, " ")
}

func TestPlanRoutes(t *testing.T) {
	w := newWorld(t, nil)
	w.history()
	ctx := context.Background()
	n, err := w.n.Plan(ctx)
	must(t, err)
	for user, want := range map[int64]string{
		ivanov:  "2:decisions 3:replies 5:adoptions",
		petrov:  "1:revisions 2:revisions 5:adoptions",
		chair:   "",
		sidorov: "1:revisions(feed) 2:revisions(feed) 5:adoptions(feed)",
		noemail: "1:revisions(feed) 2:revisions(feed) 5:adoptions(feed)",
	} {
		if got := feedOf(t, w.store, user); got != want {
			t.Errorf("user %d: %q, want %q", user, got, want)
		}
	}
	if n != 12 {
		t.Errorf("Plan stored %d items, want 12", n)
	}
	// Nothing new: nothing planned twice.
	if n, err := w.n.Plan(ctx); err != nil || n != 0 {
		t.Errorf("a second Plan: %d, %v", n, err)
	}
	if c, _ := w.store.Cursor(ctx); c != 8 {
		t.Errorf("cursor %d, want 8", c)
	}
}

func TestDigestWindow(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	w.clk.Add(9 * time.Minute)
	w.add("revision.commit", chair, map[string]string{"number": "7"}) // joins petrov's digest
	must(t, w.n.Step(ctx))
	if got := w.mail.mails(); len(got) != 0 {
		t.Fatalf("%d mails before the window closed", len(got))
	}
	w.clk.Add(time.Minute)
	must(t, w.n.Step(ctx))
	got := w.mail.mails()
	sort.Slice(got, func(i, j int) bool { return got[i].to < got[j].to })
	if len(got) != 2 || got[0].to != "ivanov@example.org" || got[1].to != "petrov@example.org" {
		t.Fatalf("mails to %v, want one to ivanov and one to petrov", got)
	}
	iv, pe := parse(t, got[0].msg), parse(t, got[1].msg)
	if !strings.HasSuffix(iv.subject, "3 новых события") || iv.header.Get("Content-Language") != "ru" {
		t.Errorf("ivanov's subject %q", iv.subject)
	}
	if !strings.HasSuffix(pe.subject, "4 updates") || pe.header.Get("Content-Language") != "en" {
		t.Errorf("petrov's subject %q", pe.subject)
	}
	for _, s := range []string{"Your amendment #3", "New revision 7", "Revision 6 was adopted as a basis"} {
		if strings.Contains(pe.text, s) == (s == "Your amendment #3") {
			t.Errorf("petrov's mail, %q: %v", s, !strings.Contains(pe.text, s))
		}
	}
	if !strings.Contains(pe.text, "New revision 6: amendment #3 accepted.") {
		t.Errorf("petrov hears of the merge as a revision:\n%s", pe.text)
	}
	for _, m := range got {
		if m.from != "redline@example.org" {
			t.Errorf("envelope sender %q", m.from)
		}
	}
	// The next event starts a new digest, mailed a window later.
	w.add("adoption.create", chair, map[string]string{"revision": "7", "stage": "final"})
	must(t, w.n.Step(ctx))
	w.clk.Add(10 * time.Minute)
	must(t, w.n.Step(ctx))
	got = w.mail.mails()
	if len(got) != 4 {
		t.Fatalf("%d mails in all, want 4", len(got))
	}
	if p := parse(t, got[3].msg); !strings.Contains(p.subject, "adopted as final") && !strings.Contains(p.subject, "принята в целом") {
		t.Errorf("the second digest: %q", p.subject)
	}
}

func TestComposeRechecks(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	w.dir.Leave(doc.ID, petrov)                                     // removed from the document
	must(t, w.dir.Unsubscribe(ctx, ivanov, doc.ID, notify.Replies)) // and ivanov turns replies off
	w.clk.Add(10 * time.Minute)
	must(t, w.n.Step(ctx))
	got := w.mail.mails()
	if len(got) != 1 || got[0].to != "ivanov@example.org" {
		t.Fatalf("mails %v, want only ivanov's", got)
	}
	p := parse(t, got[0].msg)
	if strings.Contains(p.text, "Ответ от") || !strings.HasSuffix(p.subject, "2 новых события") {
		t.Errorf("ivanov's mail still tells of the reply:\n%s", p.text)
	}
	if pend, _ := w.store.Pending(ctx, 100); len(pend) != 0 {
		t.Errorf("%d items left pending", len(pend))
	}
}

func TestStaleItemsAreNotMailed(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	w.history()
	_, err := w.n.Plan(ctx)
	must(t, err)
	w.clk.Add(73 * time.Hour) // the mail server was down for three days
	must(t, w.n.Step(ctx))
	if got := w.mail.mails(); len(got) != 0 {
		t.Fatalf("%d stale mails sent", len(got))
	}
	if f := feedOf(t, w.store, ivanov); f == "" {
		t.Error("stale items left the feed")
	}
}

func TestSendRetriesAndGivesUp(t *testing.T) {
	temp := &notify.SMTPError{Stage: "data", Err: &textproto.Error{Code: 451, Msg: "try again later"}}
	perm := &notify.SMTPError{Stage: "rcpt", Err: &textproto.Error{Code: 550, Msg: "no such user"}}
	authFail := &notify.SMTPError{Stage: "auth", Err: &textproto.Error{Code: 535, Msg: "bad credentials"}}
	rec := &recorder{fail: func(to string, attempt int) error {
		switch {
		case to == "petrov@example.org":
			return perm
		case to == "ivanov@example.org" && attempt <= 2:
			return temp
		case to == "ivanov@example.org" && attempt == 3:
			return authFail
		}
		return nil
	}}
	w := newWorld(t, rec)
	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	w.clk.Add(10 * time.Minute)
	must(t, w.n.Step(ctx)) // attempt 1: ivanov 451, petrov 550
	for _, wait := range []time.Duration{59 * time.Second, time.Second, 119 * time.Second, time.Second, 4 * time.Minute} {
		w.clk.Add(wait)
		must(t, w.n.Step(ctx))
	}
	if rec.n["petrov@example.org"] != 1 {
		t.Errorf("a refused recipient was tried %d times, want 1", rec.n["petrov@example.org"])
	}
	// ivanov: 451 at +0, 451 at +1m, 535 (not the message's fault: retried) at +3m, sent at +7m.
	if rec.n["ivanov@example.org"] != 4 || len(rec.mails()) != 1 {
		t.Errorf("ivanov's mail was tried %d times and %d mails sent, want 4 and 1", rec.n["ivanov@example.org"], len(rec.mails()))
	}
	var failed, sent int
	for _, m := range w.store.Mails() {
		if !m.FailedAt.IsZero() {
			failed++
			if !strings.Contains(m.LastError, "550") {
				t.Errorf("failure recorded as %q", m.LastError)
			}
		}
		if !m.SentAt.IsZero() {
			sent++
		}
	}
	if failed != 1 || sent != 1 {
		t.Errorf("%d failed and %d sent, want 1 and 1", failed, sent)
	}

	// A mail the server keeps deferring is given up after MaxAttempts.
	rec2 := &recorder{fail: func(string, int) error { return temp }}
	w2 := newWorld(t, rec2)
	w2.n = notify.New(w2.log, w2.dir, w2.store, rec2, w2.r, notify.Options{Clock: w2.clk.Now, MaxAttempts: 3, Logger: quiet})
	w2.history()
	must(t, w2.n.Step(ctx))
	for range 20 {
		w2.clk.Add(time.Hour)
		must(t, w2.n.Step(ctx))
	}
	if rec2.n["ivanov@example.org"] != 3 {
		t.Errorf("tried %d times, want MaxAttempts 3", rec2.n["ivanov@example.org"])
	}
}

func TestNoMailConfigured(t *testing.T) {
	w := newWorld(t, nil)
	w.n = notify.New(w.log, w.dir, w.store, nil, w.r, notify.Options{Clock: w.clk.Now})
	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	w.clk.Add(time.Hour)
	must(t, w.n.Step(ctx))
	if w.n.MailEnabled() || len(w.store.Mails()) != 0 {
		t.Fatal("mails composed without a mail server")
	}
	if got := feedOf(t, w.store, ivanov); got != "2:decisions(feed) 3:replies(feed) 5:adoptions(feed)" {
		t.Errorf("ivanov's feed %q", got)
	}
}

// TestInstancesShareTheWork runs two notifiers on one store at once: every
// item ends in exactly one mail, and every mail is sent once.
func TestInstancesShareTheWork(t *testing.T) {
	w := newWorld(t, nil)
	other := notify.New(w.log, w.dir, w.store, w.mail, w.r, notify.Options{Clock: w.clk.Now, Batch: 3})
	w.n = notify.New(w.log, w.dir, w.store, w.mail, w.r, notify.Options{Clock: w.clk.Now, Batch: 2})
	ctx := context.Background()
	for i := range 40 {
		w.add("revision.commit", chair, map[string]string{"number": strconv.Itoa(i + 1)})
		if i%3 == 0 {
			w.add("adoption.create", chair, map[string]string{"revision": strconv.Itoa(i + 1), "stage": "basis"})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, n := range []*notify.Notifier{w.n, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if err := n.Step(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	w.clk.Add(time.Hour)
	for _, n := range []*notify.Notifier{w.n, other, w.n} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.Step(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := w.mail.mails()
	if len(got) != 2 {
		t.Fatalf("%d mails, want one each to ivanov and petrov", len(got))
	}
	items := map[string]int{}
	for _, m := range w.store.Mails() {
		for _, id := range m.Items {
			items[strconv.FormatInt(id, 10)]++
		}
	}
	// petrov: 40 revisions and 14 adoptions; ivanov: 14 adoptions.
	if len(items) != 68 {
		t.Errorf("%d items mailed, want 68", len(items))
	}
	for id, n := range items {
		if n != 1 {
			t.Errorf("item %s in %d mails", id, n)
		}
	}
}

func TestPlanSurvivesDirectoryFailure(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	w.history()
	w.dir.RemoveDocument(doc.ID) // gone: its events go to nobody, the cursor moves on
	if _, err := w.n.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := w.store.Cursor(ctx); c != 8 {
		t.Errorf("cursor %d, want 8", c)
	}
	failing := notify.New(w.log, brokenDir{w.dir}, w.store, w.mail, w.r, notify.Options{Clock: w.clk.Now})
	w.dir.AddDocument(doc)
	w.add("revision.commit", chair, map[string]string{"number": "9"})
	if _, err := failing.Plan(ctx); err == nil {
		t.Fatal("Plan succeeded with a failing directory")
	}
	if c, _ := w.store.Cursor(ctx); c != 8 {
		t.Errorf("a failed Plan moved the cursor to %d", c)
	}
}

type brokenDir struct{ *notifytest.Directory }

func (brokenDir) Recipients(context.Context, string) ([]notify.Recipient, error) {
	return nil, errors.New("database down")
}

// quiet discards the notifier's log in tests that provoke failures.
var quiet = slog.New(slog.DiscardHandler)
