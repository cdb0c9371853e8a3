package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
)

// mustChain reads the whole audit log and checks that it is one linear
// chain: seq 1..N, each prev_hash the hash before it, and every stored hash
// what ChainHash gives over the event as read back.
func mustChain(t testing.TB, db *sqlstore.DB) []drafting.Event {
	t.Helper()
	var (
		events []drafting.Event
		prev   string
	)
	err := db.AllEvents(context.Background(), func(e drafting.Event) error {
		want := int64(len(events) + 1)
		switch {
		case e.Seq != want:
			return fmt.Errorf("event %d where %d was due", e.Seq, want)
		case e.PrevHash != prev:
			return fmt.Errorf("event %d links to %q, want %q", e.Seq, e.PrevHash, prev)
		case drafting.ChainHash(prev, e) != e.Hash:
			return fmt.Errorf("event %d: stored hash %s, recomputed %s over %s", e.Seq, e.Hash,
				drafting.ChainHash(prev, e), e.Canonical())
		}
		prev = e.Hash
		events = append(events, e)
		return nil
	})
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	return events
}

// rawDB opens the backend's database with a plain driver, for what the
// store must not allow or does not expose.
func rawDB(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// snapshot is what a refused change must leave as it was: row counts of
// every table a change writes, and the state of proposals, adoptions and
// comments.
func snapshot(t testing.TB, raw *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, q := range map[string]string{
		"users":            `SELECT COUNT(*) FROM users`,
		"disabled":         `SELECT COUNT(*) FROM users WHERE disabled`,
		"documents":        `SELECT COUNT(*) FROM documents`,
		"revisions":        `SELECT COUNT(*) FROM revisions`,
		"document_roles":   `SELECT COUNT(*) FROM document_roles`,
		"role_changes":     `SELECT COUNT(*) FROM role_changes`,
		"proposals":        `SELECT COUNT(*) FROM proposals`,
		"open proposals":   `SELECT COUNT(*) FROM proposals WHERE state = 'open'`,
		"approvals":        `SELECT COUNT(*) FROM approvals`,
		"adoptions":        `SELECT COUNT(*) FROM adoptions`,
		"archived":         `SELECT COUNT(*) FROM adoptions WHERE archived_at IS NOT NULL`,
		"events":           `SELECT COUNT(*) FROM events`,
		"idempotency_keys": `SELECT COUNT(*) FROM idempotency_keys`,
		"comments":         `SELECT COUNT(*) FROM comments`,
		"edited comments":  `SELECT COUNT(*) FROM comments WHERE edited`,
		"resolved threads": `SELECT COUNT(*) FROM comments WHERE resolved`,
		"hidden comments":  `SELECT COUNT(*) FROM comments WHERE hidden`,
		"comment_versions": `SELECT COUNT(*) FROM comment_versions`,
	} {
		var n int64
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
		out[name] = fmt.Sprint(n)
	}
	return out
}

// refused runs a change that must fail with kind and checks that it wrote
// nothing, no event either. It returns the error for its details.
func refused(t testing.TB, raw *sql.DB, kind drafting.Kind, what string, change func() error) error {
	t.Helper()
	before := snapshot(t, raw)
	err := change()
	if got := drafting.ErrorKind(err); got != kind {
		t.Errorf("%s: error kind %q, want %q (err: %v)", what, got, kind, err)
	}
	if diff := cmp.Diff(before, snapshot(t, raw)); diff != "" {
		t.Errorf("%s was refused but wrote (-before +after):\n%s", what, diff)
	}
	return err
}

// appended runs a change that must succeed and append exactly one event,
// the one passed, and returns that event as stored.
func appended(t testing.TB, db *sqlstore.DB, want drafting.Event, what string, change func() error) drafting.Event {
	t.Helper()
	return appendedWant(t, db, what, func() (drafting.Event, error) { return want, change() })
}

// appendedWant is appended for a change whose event depends on what the
// store assigned: change makes it and returns the event it must have
// appended.
func appendedWant(t testing.TB, db *sqlstore.DB, what string, change func() (drafting.Event, error)) drafting.Event {
	t.Helper()
	before := len(mustChain(t, db))
	want, err := change()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	chain := mustChain(t, db)
	if len(chain) != before+1 {
		t.Fatalf("%s appended %d events, want 1", what, len(chain)-before)
	}
	got := chain[len(chain)-1]
	want.Seq, want.PrevHash, want.Hash, want.ActorLogin = got.Seq, got.PrevHash, got.Hash, got.ActorLogin
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: event stored (-want +got):\n%s", what, diff)
	}
	return got
}

func testEvents(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)

	if got := mustChain(t, db); len(got) != 0 {
		t.Fatalf("a fresh store has %d events", len(got))
	}
	empty, err := db.Events(ctx, "", 0, 10)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("Events on an empty log = %#v, %v; want an empty, non-nil list", empty, err)
	}
	u := mustUser(t, db, "секретарь")
	d := newDoc("log", u.ID)
	_, err = db.CreateDocument(ctx, d, nil, drafting.NewEvent("document.create", &u, d.ID, time.Now(), nil))
	if err != nil {
		t.Fatal(err)
	}
	base := int64(len(mustChain(t, db))) // the user's and the document's events

	moscow := time.FixedZone("MSK", 3*60*60)
	inputs := []drafting.Event{
		{Kind: "system.start", At: time.Date(2011, 11, 30, 18, 0, 0, 123456789, moscow)},
		{Kind: "document.update", DocumentID: d.ID, ActorID: u.ID, At: time.Now(),
			Data: map[string]string{"title": "Итоговый документ «кластеры»", "z": "last", "a": "first"}},
		{Kind: "quirks", DocumentID: d.ID, At: time.Now(), Data: map[string]string{
			"quote": `"q" \ <b>&amp;</b>`, "newline": "a\nb\tc", "empty": "", "emoji": "🇷🇺",
			"invalid utf-8": "a\xffb", "u2028": "\u2028\u2029",
		}},
		{Kind: "empty.data", ActorID: u.ID, At: time.Now(), Data: map[string]string{}},
		{Kind: "unknown.actor", ActorID: u.ID + 1000, DocumentID: "no-such-document", At: time.Now()},
	}
	var stored []drafting.Event
	for i, in := range inputs {
		got, err := db.AppendEvent(ctx, in)
		if err != nil {
			t.Fatalf("append %s: %v", in.Kind, err)
		}
		if got.Seq != base+int64(i)+1 || got.Hash == "" || got.At.IsZero() || got.At.Location() != time.UTC ||
			got.At.Nanosecond()%1000 != 0 {
			t.Errorf("append %s returned %+v", in.Kind, got)
		}
		stored = append(stored, got)
	}
	chain := mustChain(t, db)
	if len(chain) != int(base)+len(inputs) {
		t.Fatalf("chain has %d events, want %d", len(chain), int(base)+len(inputs))
	}
	for i, got := range chain[base:] {
		want := stored[i]
		if want.ActorID == u.ID {
			want.ActorLogin = u.Login
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("event %d as appended and as read (-appended +read):\n%s", want.Seq, diff)
		}
	}
	if at := chain[base].At; !at.Equal(inputs[0].At.Truncate(time.Microsecond)) {
		t.Errorf("event time read back as %v, want %v", at, inputs[0].At)
	}

	docEvents, err := db.Events(ctx, d.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range docEvents {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]string{"document.create", "document.update", "quirks"}, kinds); diff != "" {
		t.Errorf("Events of the document (-want +got):\n%s", diff)
	}
	page, err := db.Events(ctx, "", 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].Seq != 3 || page[2].Seq != 5 {
		t.Errorf("Events(after 2, limit 3) = seqs %v", seqs(page))
	}
	_, err = db.Events(ctx, "", 0, 0)
	wantKind(t, err, drafting.KindInvalid)

	refused(t, raw, drafting.KindInvalid, "an event without a kind", func() error {
		_, err := db.AppendEvent(ctx, drafting.Event{At: time.Now()})
		return err
	})
	// Every time is the service's: the store has no clock of its own.
	refused(t, raw, drafting.KindInvalid, "an event without a time", func() error {
		_, err := db.AppendEvent(ctx, drafting.Event{Kind: "zero.time"})
		return err
	})

	stop := errors.New("stop")
	calls := 0
	err = db.AllEvents(ctx, func(drafting.Event) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("AllEvents with a failing fn: %d calls, err %v; want 1 call and fn's error", calls, err)
	}
}

func seqs(events []drafting.Event) []int64 {
	out := []int64{}
	for _, e := range events {
		out = append(out, e.Seq)
	}
	return out
}

// testEventsInTransaction checks that every change that carries an event
// appends exactly it, and that an event the store refuses takes the change
// down with it: they share one transaction.
func testEventsInTransaction(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	admin := mustUser(t, db, "admin")
	at := time.Now()
	event := func(kind, doc string, data map[string]string) drafting.Event {
		return drafting.NewEvent(kind, &admin, doc, at, data)
	}
	noKind := drafting.Event{At: at}
	doc := newDoc("tx", admin.ID)

	// Each change first with an event the store refuses (no kind), which
	// must leave no trace, then with a good one.
	var user drafting.User
	refused(t, raw, drafting.KindInvalid, "CreateUser with a bad event", func() error {
		_, err := db.CreateUser(ctx, drafting.User{Login: "boris", CreatedAt: now()}, noKind)
		return err
	})
	appended(t, db, event("user.create", "", map[string]string{"login": "boris"}), "CreateUser", func() (err error) {
		user, err = db.CreateUser(ctx, drafting.User{Login: "boris", CreatedAt: now()}, event("user.create", "", map[string]string{"login": "boris"}))
		return err
	})
	refused(t, raw, drafting.KindInvalid, "CreateDocument with a bad event", func() error {
		_, err := db.CreateDocument(ctx, doc, ptr(rev("", admin.ID, "первая редакция")), noKind)
		return err
	})
	appended(t, db, event("document.create", doc.ID, nil), "CreateDocument", func() error {
		_, err := db.CreateDocument(ctx, doc, ptr(rev("", admin.ID, "первая редакция")), event("document.create", doc.ID, nil))
		return err
	})
	refused(t, raw, drafting.KindInvalid, "CommitRevision with a bad event", func() error {
		_, err := commitRevision(ctx, db, rev(doc.ID, admin.ID, "вторая"), 1, noKind)
		return err
	})
	commitEv := event("revision.commit", doc.ID, map[string]string{"revision": "2"})
	appended(t, db, commitEv, "CommitRevision", func() error {
		_, err := commitRevision(ctx, db, rev(doc.ID, admin.ID, "вторая"), 1, commitEv)
		return err
	})
	role := drafting.RoleAssignment{DocumentID: doc.ID, UserID: user.ID, Role: drafting.RoleMember, GrantedBy: admin.ID}
	refused(t, raw, drafting.KindInvalid, "SetRole with a bad event", func() error {
		return setRole(ctx, db, role, noKind)
	})
	version, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	appended(t, db, event("role.set", doc.ID, map[string]string{"role": "member"}), "SetRole", func() error {
		return setRole(ctx, db, role, event("role.set", doc.ID, map[string]string{"role": "member"}))
	})
	refused(t, raw, drafting.KindInvalid, "RemoveRole with a bad event", func() error {
		return removeRole(ctx, db, doc.ID, user.ID, admin.ID, noKind)
	})
	appended(t, db, event("role.remove", doc.ID, nil), "RemoveRole", func() error {
		return removeRole(ctx, db, doc.ID, user.ID, admin.ID, event("role.remove", doc.ID, nil))
	})
	if v, err := db.PolicyVersion(ctx); err != nil || v != version+2 {
		t.Errorf("policy version %d, %v after one grant and one revocation from %d; refused changes must not bump it", v, err, version)
	}
	refused(t, raw, drafting.KindInvalid, "SetUserDisabled with a bad event", func() error {
		return db.SetUserDisabled(ctx, user.ID, true, noKind)
	})
	appended(t, db, event("user.disable", "", nil), "SetUserDisabled", func() error {
		return db.SetUserDisabled(ctx, user.ID, true, event("user.disable", "", nil))
	})

	// Changes refused for their own reasons append nothing either.
	refused(t, raw, drafting.KindConflict, "a duplicate login", func() error {
		_, err := db.CreateUser(ctx, drafting.User{Login: "boris", CreatedAt: now()}, event("user.create", "", nil))
		return err
	})
	refused(t, raw, drafting.KindConflict, "a duplicate slug", func() error {
		_, err := db.CreateDocument(ctx, newDoc("tx", admin.ID), nil, event("document.create", "", nil))
		return err
	})
	refused(t, raw, drafting.KindConflict, "a stale commit", func() error {
		_, err := commitRevision(ctx, db, rev(doc.ID, admin.ID, "late"), 1, event("revision.commit", doc.ID, nil))
		return err
	})
	refused(t, raw, drafting.KindNotFound, "a role for nobody", func() error {
		return setRole(ctx, db, drafting.RoleAssignment{DocumentID: doc.ID, UserID: 9999, Role: drafting.RoleMember},
			event("role.set", doc.ID, nil))
	})
	refused(t, raw, drafting.KindNotFound, "removing a role not held", func() error {
		return removeRole(ctx, db, doc.ID, user.ID, 0, event("role.remove", doc.ID, nil))
	})
	refused(t, raw, drafting.KindNotFound, "disabling nobody", func() error {
		return db.SetUserDisabled(ctx, 9999, true, event("user.disable", "", nil))
	})
}

// testConcurrentChain has 16 goroutines append events and make changes
// that carry events, all at once, and checks that the log is still one
// linear chain holding every event exactly once.
func testConcurrentChain(t *testing.T, b backend) {
	const (
		workers = 16
		each    = 8
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db, _, _ := b.open(t)
	admin := mustUser(t, db, "admin")
	d, err := db.CreateDocument(ctx, newDoc("busy", admin.ID), ptr(rev("", admin.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	members := make([]drafting.User, workers)
	for w := range members {
		members[w] = mustUser(t, db, fmt.Sprintf("member%02d", w))
	}
	setup := len(mustChain(t, db))

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, workers)
	)
	for w := range workers {
		wg.Go(func() {
			<-start
			for i := range each {
				tag := map[string]string{"worker": fmt.Sprint(w), "i": fmt.Sprint(i)}
				e := drafting.NewEvent("test.op", &members[w], d.ID, time.Now(), tag)
				var err error
				switch i % 4 {
				case 0:
					_, err = db.AppendEvent(ctx, e)
				case 1:
					for {
						head, herr := db.Head(ctx, d.ID)
						if herr != nil {
							err = herr
							break
						}
						_, err = commitRevision(ctx, db, rev(d.ID, admin.ID, fmt.Sprintf("w%d i%d", w, i)), head.Number, e)
						if drafting.ErrorKind(err) != drafting.KindConflict {
							break
						}
					}
				case 2:
					p := drafting.Proposal{DocumentID: d.ID, Base: 1, AuthorID: members[w].ID, SHA256: sum(fmt.Sprint(w, i)), Size: 1}
					_, err = createProposal(ctx, db, p, e)
				case 3:
					err = setRole(ctx, db, drafting.RoleAssignment{DocumentID: d.ID, UserID: members[w].ID,
						Role: drafting.RoleMember, GrantedBy: admin.ID}, e)
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	chain := mustChain(t, db)
	if got, want := len(chain), setup+workers*each; got != want {
		t.Fatalf("chain has %d events, want %d", got, want)
	}
	seen := map[string]int{}
	for _, e := range chain[setup:] {
		seen[e.Data["worker"]+"/"+e.Data["i"]]++
	}
	for w := range workers {
		for i := range each {
			if n := seen[fmt.Sprintf("%d/%d", w, i)]; n != 1 {
				t.Errorf("worker %d op %d logged %d times, want once", w, i, n)
			}
		}
	}
	// Proposals were numbered under the document lock: 1..N, no gaps.
	props, err := db.ListProposals(ctx, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range props {
		if want := int64(len(props) - i); p.Number != want {
			t.Fatalf("proposal numbers %v are not consecutive", p.Number)
		}
	}
}

// testWorkflowImmutable checks that the schema itself refuses to rewrite the
// audit log, approvals, closed proposals, archived adoptions and
// reopenings, and to fork the chain, whoever asks.
func testWorkflowImmutable(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	chair := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("fixed", chair.ID), ptr(rev("", chair.ID, "text")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := createProposal(ctx, db, drafting.Proposal{DocumentID: d.ID, Base: 1, AuthorID: chair.ID, SHA256: sum("p"), Size: 1}, ev("proposal.create"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := closeProposal(ctx, db, d.ID, p.Number, drafting.ProposalWithdrawn, chair.ID, "", time.Now(), ev("proposal.withdraw")); err != nil {
		t.Fatal(err)
	}
	if _, err := createApproval(ctx, db, drafting.Approval{DocumentID: d.ID, Revision: 1, SHA256: sum("text"), ChairID: chair.ID}, ev("approval.create")); err != nil {
		t.Fatal(err)
	}
	a, err := createAdoption(ctx, db, drafting.Adoption{DocumentID: d.ID, Revision: 1, SHA256: sum("text"), Size: 4,
		Stage: drafting.StageFinal, ChairID: chair.ID}, ev("adoption.create"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkArchived(ctx, a.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
		if _, err := tx.InsertReopening(ctx, drafting.Reopening{Adoption: a.ID, Reason: "поправки", ActorID: chair.ID, At: now()}); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, ev("document.reopen"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := mustChain(t, db)
	last := before[len(before)-1]

	for _, stmt := range []string{
		"UPDATE events SET kind = 'rewritten' WHERE seq = 1",
		"DELETE FROM events WHERE seq = " + fmt.Sprint(last.Seq),
		"DELETE FROM events",
		"UPDATE approvals SET note = 'rewritten'",
		"DELETE FROM approvals",
		"UPDATE proposals SET state = 'open', closed_at = NULL",
		"UPDATE proposals SET title = 'rewritten'",
		"DELETE FROM proposals",
		"UPDATE adoptions SET archived_at = NULL",
		"UPDATE adoptions SET note = 'rewritten'",
		"DELETE FROM adoptions",
		"UPDATE revisions SET proposal = 1",
		"UPDATE revisions SET decision = 'accepted'",
		"UPDATE reopenings SET reason = 'rewritten'",
		"DELETE FROM reopenings",
		// A second event after seq 1: a fork of the chain.
		"INSERT INTO events (seq, kind, data, at, prev_hash, hash) VALUES (2, 'fork', '{}', " +
			timeLiteral(b.name) + ", '" + before[0].Hash + "', '" + strings.Repeat("0", 64) + "')",
		// An event that does not link to the one before it.
		"INSERT INTO events (seq, kind, data, at, prev_hash, hash) VALUES (" + fmt.Sprint(last.Seq+1) +
			", 'unlinked', '{}', " + timeLiteral(b.name) + ", '" + strings.Repeat("a", 64) + "', '" + strings.Repeat("b", 64) + "')",
	} {
		if _, err := raw.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: accepted; want the schema to refuse it", stmt)
		}
	}
	if diff := cmp.Diff(before, mustChain(t, db)); diff != "" {
		t.Errorf("the audit log changed (-before +after):\n%s", diff)
	}
	got, err := db.Proposal(ctx, d.ID, p.Number)
	if err != nil || got.State != drafting.ProposalWithdrawn {
		t.Errorf("proposal after the refused writes: %+v, %v", got, err)
	}
}

// timeLiteral is a timestamp value for a raw insert on the dialect.
func timeLiteral(dialect string) string {
	if dialect == sqlstore.DialectSQLite {
		return fmt.Sprint(time.Now().UnixNano() / 1000 * 1000)
	}
	return "now()"
}
