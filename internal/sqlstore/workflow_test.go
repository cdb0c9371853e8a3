package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
)

func proposal(docID string, base, author int64, text string) drafting.Proposal {
	return drafting.Proposal{DocumentID: docID, Base: base, AuthorID: author, Title: "Поправка: " + text,
		Rationale: "Обоснование", SHA256: sum(text), Size: int64(len(text))}
}

func testProposals(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	chair := mustUser(t, db, "chair")
	member := mustUser(t, db, "member")
	d, err := db.CreateDocument(ctx, newDoc("draft", chair.ID), ptr(rev("", chair.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateDocument(ctx, newDoc("other", chair.ID), ptr(rev("", chair.ID, "o1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := db.CreateDocument(ctx, newDoc("bare", chair.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commitRevision(ctx, db, rev(d.ID, chair.ID, "v2"), 1, ev("revision.commit")); err != nil {
		t.Fatal(err)
	}

	empty, err := db.ListProposals(ctx, d.ID, "")
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("ListProposals with none = %#v, %v; want an empty, non-nil list", empty, err)
	}

	before := time.Now().Add(-time.Second)
	var created []drafting.Proposal
	for i, base := range []int64{1, 2, 2} {
		in := proposal(d.ID, base, member.ID, string(rune('a'+i)))
		in.State, in.Number, in.ClosedBy = "bogus", 99, chair.ID // the store sets these
		var p drafting.Proposal
		e := drafting.NewEvent("proposal.create", &member, d.ID, time.Now(), map[string]string{"base": fmt.Sprint(base)})
		appendedWant(t, db, "CreateProposal", func() (drafting.Event, error) {
			var err error
			p, err = createProposal(ctx, db, in, e)
			// The store records the number it gave, in a copy of the data.
			want := e
			want.Data = map[string]string{"base": fmt.Sprint(base), "number": fmt.Sprint(p.Number)}
			return want, err
		})
		if len(e.Data) != 1 {
			t.Errorf("CreateProposal changed the caller's event data: %v", e.Data)
		}
		if p.CreatedAt.Before(before) || p.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v", p.CreatedAt)
		}
		want := proposal(d.ID, base, member.ID, string(rune('a'+i)))
		want.Number, want.State, want.AuthorLogin, want.CreatedAt = int64(i+1), drafting.ProposalOpen, "member", p.CreatedAt
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("CreateProposal %d (-want +got):\n%s", i+1, diff)
		}
		created = append(created, p)
	}
	// Numbers are per document.
	po, err := createProposal(ctx, db, proposal(other.ID, 1, member.ID, "x"), ev("proposal.create"))
	if err != nil || po.Number != 1 {
		t.Errorf("first proposal of another document: %+v, %v; want number 1", po, err)
	}

	for name, tc := range map[string]struct {
		p    drafting.Proposal
		kind drafting.Kind
	}{
		"base 0":             {proposal(d.ID, 0, member.ID, "z"), drafting.KindNotFound},
		"base past the head": {proposal(d.ID, 3, member.ID, "z"), drafting.KindNotFound},
		"negative base":      {proposal(d.ID, -1, member.ID, "z"), drafting.KindNotFound},
		"no revisions":       {proposal(bare.ID, 1, member.ID, "z"), drafting.KindNotFound},
		"unknown document":   {proposal("no-such-document", 1, member.ID, "z"), drafting.KindNotFound},
		"unknown author":     {proposal(d.ID, 1, member.ID+1000, "z"), drafting.KindNotFound},
		"bad sha256":         {drafting.Proposal{DocumentID: d.ID, Base: 1, AuthorID: member.ID, SHA256: "NOT-HEX"}, drafting.KindInvalid},
		"negative size":      {drafting.Proposal{DocumentID: d.ID, Base: 1, AuthorID: member.ID, SHA256: sum("z"), Size: -1}, drafting.KindInvalid},
	} {
		refused(t, raw, tc.kind, "CreateProposal with "+name, func() error {
			_, err := createProposal(ctx, db, tc.p, ev("proposal.create"))
			return err
		})
	}

	for _, want := range created {
		got, err := db.Proposal(ctx, d.ID, want.Number)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Proposal %d (-created +read):\n%s", want.Number, diff)
		}
	}
	_, err = db.Proposal(ctx, d.ID, 4)
	wantKind(t, err, drafting.KindNotFound)

	// Close 1 as withdrawn by its author, 2 as rejected by the chair.
	at := time.Date(2011, 11, 30, 17, 30, 0, 123456789, time.FixedZone("MSK", 3*60*60))
	var withdrawn drafting.Proposal
	e := ev("proposal.withdraw")
	appended(t, db, e, "CloseProposal", func() (err error) {
		withdrawn, err = closeProposal(ctx, db, d.ID, 1, drafting.ProposalWithdrawn, member.ID, "", at, e)
		return err
	})
	want := created[0]
	want.State, want.ClosedBy, want.ClosedByLogin, want.ClosedAt = drafting.ProposalWithdrawn, member.ID, "member",
		at.UTC().Truncate(time.Microsecond)
	if diff := cmp.Diff(want, withdrawn); diff != "" {
		t.Errorf("CloseProposal withdrawn (-want +got):\n%s", diff)
	}
	if got, _ := db.Proposal(ctx, d.ID, 1); !cmp.Equal(withdrawn, got) {
		t.Errorf("withdrawn proposal read back as %+v, want %+v", got, withdrawn)
	}
	rejected, err := closeProposal(ctx, db, d.ID, 2, drafting.ProposalRejected, chair.ID, "не по существу", at, ev("proposal.reject"))
	if err != nil || rejected.State != drafting.ProposalRejected || rejected.CloseReason != "не по существу" || rejected.ClosedByLogin != "chair" {
		t.Errorf("CloseProposal rejected: %+v, %v", rejected, err)
	}
	for name, tc := range map[string]struct {
		n     int64
		state string
		by    int64
		kind  drafting.Kind
	}{
		// The update matches only an open row: the backstop behind
		// drafting's check, under the document's lock, that it is open.
		"withdrawn again":  {1, drafting.ProposalRejected, chair.ID, drafting.KindConflict},
		"rejected again":   {2, drafting.ProposalWithdrawn, member.ID, drafting.KindConflict},
		"missing":          {9, drafting.ProposalRejected, chair.ID, drafting.KindNotFound},
		"closed as merged": {3, drafting.ProposalMerged, chair.ID, drafting.KindInvalid},
		"closed as open":   {3, drafting.ProposalOpen, chair.ID, drafting.KindInvalid},
		"unknown closer":   {3, drafting.ProposalRejected, chair.ID + 1000, drafting.KindNotFound},
	} {
		refused(t, raw, tc.kind, "CloseProposal "+name, func() error {
			_, err := closeProposal(ctx, db, d.ID, tc.n, tc.state, tc.by, "", at, ev("proposal.close"))
			return err
		})
	}
	// The command line closes as nobody.
	cli, err := closeProposal(ctx, db, other.ID, 1, drafting.ProposalRejected, 0, "cli", time.Time{}, ev("proposal.reject"))
	if err != nil || cli.ClosedBy != 0 || cli.ClosedByLogin != "" || cli.ClosedAt.IsZero() {
		t.Errorf("CloseProposal by the command line: %+v, %v", cli, err)
	}

	numbers := func(state string) []int64 {
		t.Helper()
		list, err := db.ListProposals(ctx, d.ID, state)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, p := range list {
			out = append(out, p.Number)
		}
		return out
	}
	for state, want := range map[string][]int64{
		"":                         {3, 2, 1},
		drafting.ProposalOpen:      {3},
		drafting.ProposalWithdrawn: {1},
		drafting.ProposalRejected:  {2},
		drafting.ProposalMerged:    {},
	} {
		if diff := cmp.Diff(want, numbers(state)); diff != "" {
			t.Errorf("ListProposals(%q) (-want +got):\n%s", state, diff)
		}
	}
	if list, err := db.ListProposals(ctx, d.ID, ""); err == nil && len(list) == 3 {
		if diff := cmp.Diff(withdrawn, list[2]); diff != "" {
			t.Errorf("ListProposals row (-want +got):\n%s", diff)
		}
	}
	mustChain(t, db)
}

func testMerge(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	chair := mustUser(t, db, "chair")
	member := mustUser(t, db, "member")
	d, err := db.CreateDocument(ctx, newDoc("draft", chair.ID), ptr(rev("", chair.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"p1", "p2", "p3", "p4"} {
		if _, err := createProposal(ctx, db, proposal(d.ID, 1, member.ID, text), ev("proposal.create")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := closeProposal(ctx, db, d.ID, 4, drafting.ProposalRejected, chair.ID, "", time.Now(), ev("proposal.reject")); err != nil {
		t.Fatal(err)
	}
	merge := func(n int64, text string) drafting.Revision {
		r := rev(d.ID, member.ID, text)
		r.Proposal, r.MergedBy, r.Decision = n, chair.ID, drafting.DecisionAccepted
		return r
	}

	var merged drafting.Revision
	e := ev("proposal.merge")
	appended(t, db, e, "CommitMerge", func() (err error) {
		merged, err = commitMerge(ctx, db, merge(1, "p1"), 1, e)
		return err
	})
	want := merge(1, "p1")
	want.Number, want.Parent, want.AuthorLogin, want.MergedByLogin, want.CreatedAt = 2, 1, "member", "chair", merged.CreatedAt
	if diff := cmp.Diff(want, merged); diff != "" {
		t.Errorf("CommitMerge (-want +got):\n%s", diff)
	}
	if got, err := db.Revision(ctx, d.ID, 2); err != nil || !cmp.Equal(merged, got) {
		t.Errorf("merged revision read back: %v (-merged +read):\n%s", err, cmp.Diff(merged, got))
	}
	p, err := db.Proposal(ctx, d.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != drafting.ProposalMerged || p.MergedRevision != 2 || p.ClosedBy != chair.ID ||
		p.ClosedByLogin != "chair" || !p.ClosedAt.Equal(merged.CreatedAt) {
		t.Errorf("merged proposal: %+v", p)
	}

	for name, tc := range map[string]struct {
		r       drafting.Revision
		base    int64
		kind    drafting.Kind
		details map[string]any
	}{
		"merged again":       {merge(1, "again"), 2, drafting.KindConflict, nil},
		"rejected proposal":  {merge(4, "p4"), 2, drafting.KindConflict, nil},
		"closed, stale base": {merge(4, "p4"), 1, drafting.KindConflict, map[string]any{"head": int64(2)}},
		"unknown decision":   {func() drafting.Revision { r := merge(2, "p2"); r.Decision = "maybe"; return r }(), 2, drafting.KindInvalid, nil},
		"stale base":         {merge(2, "p2"), 1, drafting.KindConflict, map[string]any{"head": int64(2)}},
		"base ahead":         {merge(2, "p2"), 5, drafting.KindConflict, map[string]any{"head": int64(2)}},
		"missing proposal":   {merge(9, "p9"), 2, drafting.KindNotFound, nil},
		"no proposal":        {merge(0, "p0"), 2, drafting.KindInvalid, nil},
		"unknown document":   {drafting.Revision{DocumentID: "nope", AuthorID: member.ID, SHA256: sum("x"), Proposal: 2}, 2, drafting.KindNotFound, nil},
		"unknown merger":     {drafting.Revision{DocumentID: d.ID, AuthorID: member.ID, SHA256: sum("x"), Proposal: 2, MergedBy: chair.ID + 1000}, 2, drafting.KindNotFound, nil},
		"bad sha256":         {drafting.Revision{DocumentID: d.ID, AuthorID: member.ID, SHA256: "NOT-HEX", Proposal: 2, MergedBy: chair.ID}, 2, drafting.KindInvalid, nil},
		"negative base":      {merge(2, "p2"), -1, drafting.KindInvalid, nil},
	} {
		err := refused(t, raw, tc.kind, "CommitMerge "+name, func() error {
			_, err := commitMerge(ctx, db, tc.r, tc.base, ev("proposal.merge"))
			return err
		})
		if diff := cmp.Diff(tc.details, drafting.ErrorDetails(err)); tc.details != nil && diff != "" {
			t.Errorf("CommitMerge %s: details (-want +got):\n%s", name, diff)
		}
	}

	// A merge by the command line names no merger.
	cli := merge(3, "p3")
	cli.MergedBy = 0
	r3, err := commitMerge(ctx, db, cli, 2, ev("proposal.merge"))
	if err != nil || r3.Number != 3 || r3.Proposal != 3 || r3.MergedBy != 0 || r3.MergedByLogin != "" {
		t.Errorf("CommitMerge by the command line: %+v, %v", r3, err)
	}
	if p3, err := db.Proposal(ctx, d.ID, 3); err != nil || p3.State != drafting.ProposalMerged || p3.ClosedBy != 0 || p3.MergedRevision != 3 {
		t.Errorf("proposal merged by the command line: %+v, %v", p3, err)
	}
	// Plain revisions still carry no proposal.
	r4, err := commitRevision(ctx, db, rev(d.ID, chair.ID, "v4"), 3, ev("revision.commit"))
	if err != nil || r4.Proposal != 0 || r4.MergedBy != 0 {
		t.Errorf("CommitRevision after merges: %+v, %v", r4, err)
	}
	mustChain(t, db)
}

func testApprovalsAndAdoptions(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	anna := mustUser(t, db, "anna")
	boris := mustUser(t, db, "boris")
	vera := mustUser(t, db, "vera")
	doc := newDoc("quorum", anna.ID)
	doc.ApprovalsRequired = 2
	d, err := db.CreateDocument(ctx, doc, ptr(rev("", anna.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	approval := func(n int64, text string, chair int64) drafting.Approval {
		return drafting.Approval{DocumentID: d.ID, Revision: n, SHA256: sum(text), ChairID: chair, Note: "согласовано",
			CreatedAt: now()}
	}

	var first drafting.Approval
	e := ev("approval.create")
	appended(t, db, e, "InsertApproval", func() (err error) {
		first, err = createApproval(ctx, db, approval(1, "v1", anna.ID), e)
		return err
	})
	want := approval(1, "v1", anna.ID)
	want.ChairLogin, want.CreatedAt = "anna", first.CreatedAt
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("InsertApproval (-want +got):\n%s", diff)
	}
	// One approval per chair and revision is the schema's too.
	refused(t, raw, drafting.KindConflict, "a second approval by one chair", func() error {
		_, err := createApproval(ctx, db, approval(1, "v1", anna.ID), ev("approval.create"))
		return err
	})
	second, err := createApproval(ctx, db, approval(1, "v1", boris.ID), ev("approval.create"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.Approvals(ctx, d.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Approval{first, second}, list); diff != "" {
		t.Errorf("Approvals (-want +got):\n%s", diff)
	}
	if _, err := commitRevision(ctx, db, rev(d.ID, anna.ID, "v2"), 1, ev("revision.commit")); err != nil {
		t.Fatal(err)
	}
	none, err := db.Approvals(ctx, d.ID, 2)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("Approvals of a new revision = %#v, %v; want an empty, non-nil list", none, err)
	}
	for name, tc := range map[string]struct {
		a    drafting.Approval
		kind drafting.Kind
	}{
		"a missing revision": {approval(3, "v3", vera.ID), drafting.KindNotFound},
		"revision 0":         {approval(0, "v1", vera.ID), drafting.KindNotFound},
		"a missing document": {drafting.Approval{DocumentID: "nope", Revision: 1, SHA256: sum("v1"), ChairID: vera.ID, CreatedAt: now()}, drafting.KindNotFound},
		"an unknown chair":   {approval(2, "v2", vera.ID+1000), drafting.KindNotFound},
		"a malformed hash":   {drafting.Approval{DocumentID: d.ID, Revision: 2, SHA256: "NOT-HEX", ChairID: vera.ID, CreatedAt: now()}, drafting.KindInvalid},
		"no time":            {drafting.Approval{DocumentID: d.ID, Revision: 2, SHA256: sum("v2"), ChairID: vera.ID}, drafting.KindInvalid},
	} {
		refused(t, raw, tc.kind, "InsertApproval of "+name, func() error {
			return db.InDocument(ctx, tc.a.DocumentID, func(tx drafting.DocumentTx) error {
				_, err := tx.InsertApproval(ctx, tc.a)
				return err
			})
		})
	}

	adopt := func(n int64, stage, text string) drafting.Adoption {
		return drafting.Adoption{DocumentID: d.ID, Revision: n, SHA256: sum(text), Size: int64(len(text)), Stage: stage,
			Note: "принят", OverrideReason: "нет", ChairID: vera.ID}
	}
	var basis drafting.Adoption
	e = drafting.NewEvent("adoption.create", &vera, d.ID, time.Now(), map[string]string{"stage": drafting.StageBasis})
	appendedWant(t, db, "InsertAdoption", func() (drafting.Event, error) {
		var err error
		basis, err = createAdoption(ctx, db, adopt(1, drafting.StageBasis, "v1"), e)
		want := e
		want.Data = map[string]string{"stage": drafting.StageBasis, "adoption": fmt.Sprint(basis.ID)}
		return want, err
	})
	wantAdoption := adopt(1, drafting.StageBasis, "v1")
	wantAdoption.ID, wantAdoption.ChairLogin, wantAdoption.CreatedAt = basis.ID, "vera", basis.CreatedAt
	if diff := cmp.Diff(wantAdoption, basis); diff != "" || basis.ID == 0 || basis.CreatedAt.IsZero() {
		t.Errorf("InsertAdoption (-want +got):\n%s", diff)
	}
	for name, tc := range map[string]struct {
		a    drafting.Adoption
		kind drafting.Kind
	}{
		"a missing revision": {adopt(7, drafting.StageFinal, "v7"), drafting.KindNotFound},
		"a missing document": {drafting.Adoption{DocumentID: "nope", Revision: 1, SHA256: sum("v1"), Stage: drafting.StageFinal, ChairID: vera.ID}, drafting.KindNotFound},
		"an unknown chair":   {drafting.Adoption{DocumentID: d.ID, Revision: 1, SHA256: sum("v1"), Stage: drafting.StageFinal, ChairID: vera.ID + 1000}, drafting.KindNotFound},
		"an unknown stage":   {adopt(1, "draft", "v1"), drafting.KindInvalid},
		"a malformed hash":   {drafting.Adoption{DocumentID: d.ID, Revision: 1, SHA256: "NOT-HEX", Stage: drafting.StageFinal, ChairID: vera.ID}, drafting.KindInvalid},
	} {
		refused(t, raw, tc.kind, "InsertAdoption of "+name, func() error {
			_, err := createAdoption(ctx, db, tc.a, ev("adoption.create"))
			return err
		})
	}
	final, err := createAdoption(ctx, db, adopt(2, drafting.StageFinal, "v2"), ev("adoption.create"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.DocumentBySlug(ctx, "quorum"); err != nil || got.State != drafting.StateFinal {
		t.Errorf("state after a final adoption: %q, %v", got.State, err)
	}

	adoptions, err := db.Adoptions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Adoption{basis, final}, adoptions); diff != "" {
		t.Errorf("Adoptions (-want +got):\n%s", diff)
	}
	if none, err := db.Adoptions(ctx, "nope"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("Adoptions of an unknown document = %#v, %v; want an empty, non-nil list", none, err)
	}

	// A reopening names the final adoption it reopens, and is kept.
	reopen := drafting.Reopening{Adoption: final.ID, Reason: "поправки секции", ActorID: anna.ID, At: now()}
	var reopened drafting.Reopening
	if err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
		var err error
		if reopened, err = tx.InsertReopening(ctx, reopen); err != nil {
			return err
		}
		if err := tx.SetState(ctx, drafting.StateBasis); err != nil {
			return err
		}
		if tx.Document().State != drafting.StateBasis {
			t.Errorf("the unit of work's document after SetState: %q", tx.Document().State)
		}
		_, err = tx.AppendEvent(ctx, ev("document.reopen"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reopen.ID, reopen.DocumentID, reopen.ActorLogin = reopened.ID, d.ID, "anna"
	if rs, err := db.Reopenings(ctx, d.ID); err != nil || !cmp.Equal([]drafting.Reopening{reopen}, rs) {
		t.Errorf("Reopenings: %v (-want +got):\n%s", err, cmp.Diff([]drafting.Reopening{reopen}, rs))
	}
	for name, r := range map[string]drafting.Reopening{
		"no reason":          {Adoption: final.ID, ActorID: anna.ID, At: now()},
		"a missing adoption": {Adoption: final.ID + 100, Reason: "x", ActorID: anna.ID, At: now()},
		"no time":            {Adoption: final.ID, Reason: "x", ActorID: anna.ID},
	} {
		err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
			_, err := tx.InsertReopening(ctx, r)
			return err
		})
		if err == nil {
			t.Errorf("a reopening with %s was stored", name)
		}
	}
	if err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error { return tx.SetState(ctx, "closed") }); drafting.ErrorKind(err) != drafting.KindInvalid {
		t.Errorf("an unknown state: %v", err)
	}
	if got, _ := db.DocumentBySlug(ctx, "quorum"); got.State != drafting.StateBasis {
		t.Errorf("state after reopening: %q", got.State)
	}

	// The outbox: both pending, then one archived, idempotently.
	pending, err := db.PendingArchives(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Adoption{basis, final}, pending); diff != "" {
		t.Errorf("PendingArchives (-want +got):\n%s", diff)
	}
	at := time.Date(2011, 12, 1, 9, 0, 0, 987654321, time.UTC)
	if err := db.MarkArchived(ctx, basis.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkArchived(ctx, basis.ID, at.Add(time.Hour)); err != nil {
		t.Errorf("marking an archived adoption again: %v", err)
	}
	refused(t, raw, drafting.KindNotFound, "MarkArchived of a missing adoption", func() error {
		return db.MarkArchived(ctx, final.ID+100, at)
	})
	refused(t, raw, drafting.KindInvalid, "MarkArchived with no time", func() error {
		return db.MarkArchived(ctx, final.ID, time.Time{})
	})
	pending, err = db.PendingArchives(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Adoption{final}, pending); diff != "" {
		t.Errorf("PendingArchives after one is archived (-want +got):\n%s", diff)
	}
	adoptions, err = db.Adoptions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := adoptions[0].ArchivedAt; !got.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("archived at %v, want the first mark's %v", got, at)
	}
	if err := db.MarkArchived(ctx, final.ID, now()); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.PendingArchives(ctx); err != nil || pending == nil || len(pending) != 0 {
		t.Errorf("PendingArchives with none = %#v, %v; want an empty, non-nil list", pending, err)
	}
	testStatements(t, db, raw, d.ID, basis, final)
	mustChain(t, db)
}

// testStatements (issue 16): adoption statements are recorded once per
// adoption and per number, listed by number, pending until their copy is
// marked, and never rewritten.
func testStatements(t *testing.T, db *sqlstore.DB, raw *sql.DB, docID string, basis, final drafting.Adoption) {
	ctx := context.Background()
	if p, err := db.PendingStatements(ctx); err != nil || len(p) != 2 {
		t.Fatalf("PendingStatements before signing: %d, %v; want both archived adoptions", len(p), err)
	}
	signed := now()
	st1 := drafting.AdoptionStatement{AdoptionID: basis.ID, DocumentID: docID, Number: 1, Statement: []byte("{\"a\":1}\n"),
		Signature: []byte("sig1"), SHA256: sum("s1"), Key: "SHA256:k", SignedAt: signed, SignedLater: true}
	st2 := drafting.AdoptionStatement{AdoptionID: final.ID, DocumentID: docID, Number: 2, Statement: []byte("{\"a\":2}\n"),
		Signature: []byte("sig2"), SHA256: sum("s2"), Previous: st1.SHA256, Key: "SHA256:k", SignedAt: signed}
	for _, st := range []drafting.AdoptionStatement{st1, st2} {
		if err := db.InsertStatement(ctx, st, ev("adoption.signed")); err != nil {
			t.Fatal(err)
		}
	}
	dup := st1
	dup.Number = 3
	dup.Previous = st2.SHA256
	refused(t, raw, drafting.KindConflict, "a second statement of one adoption", func() error { return db.InsertStatement(ctx, dup, ev("adoption.signed")) })
	dup = st2
	dup.AdoptionID, dup.Number = basis.ID+final.ID+100, 5
	refused(t, raw, drafting.KindNotFound, "a statement of a missing adoption", func() error { return db.InsertStatement(ctx, dup, ev("adoption.signed")) })
	dup = st1
	dup.Previous = st2.SHA256
	refused(t, raw, drafting.KindInvalid, "a first statement with a previous one", func() error {
		dup.AdoptionID = final.ID
		return db.InsertStatement(ctx, dup, ev("adoption.signed"))
	})
	got, err := db.Statements(ctx, docID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.AdoptionStatement{st1, st2}, got); diff != "" {
		t.Errorf("Statements (-want +got):\n%s", diff)
	}
	if err := db.MarkStatementArchived(ctx, basis.ID, now()); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkStatementArchived(ctx, basis.ID, now()); err != nil {
		t.Errorf("marking a copied statement again: %v", err)
	}
	refused(t, raw, drafting.KindNotFound, "MarkStatementArchived of a missing statement", func() error {
		return db.MarkStatementArchived(ctx, final.ID+100, now())
	})
	if p, err := db.PendingStatements(ctx); err != nil || len(p) != 1 || p[0].ID != final.ID {
		t.Errorf("PendingStatements after one copy: %v, %v; want the final adoption", p, err)
	}
	for _, q := range []string{"UPDATE adoption_statements SET key = 'SHA256:other'", "DELETE FROM adoption_statements"} {
		if _, err := raw.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: not refused", q)
		}
	}
}
