package drafting_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/reliability"
	"redline/internal/testenv/stack"
)

// fataler is what checkInvariants needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// checkInvariants checks what must hold after any sequence of workflow
// steps; with replay, the invariant checker also replays the whole audit
// log (the state machine does it at the end of each run, the steps being
// checked one by one above it).
func checkInvariants(t fataler, ctx context.Context, st *stack.Stack, svc *drafting.Service, d drafting.Document, replay bool) {
	t.Helper()
	var revs []drafting.Revision
	if err := st.DB.AllRevisions(ctx, func(r drafting.Revision) error {
		if r.DocumentID == d.ID {
			revs = append(revs, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hashes := map[int64]string{}
	for i, r := range revs {
		if r.Number != int64(i+1) || r.Parent != int64(i) {
			t.Fatalf("head chain not linear at %d: number %d parent %d", i+1, r.Number, r.Parent)
		}
		hashes[r.Number] = r.SHA256
	}
	for n := range hashes {
		as, err := st.DB.Approvals(ctx, d.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.SHA256 != hashes[n] {
				t.Fatalf("approval of revision %d names hash %s, not the revision's %s", n, a.SHA256, hashes[n])
			}
		}
	}
	ads, err := st.DB.Adoptions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(svc).ProcessOutbox(ctx); err != nil {
		t.Fatalf("outbox: %v", err)
	}
	for _, a := range ads {
		as, err := st.DB.Approvals(ctx, d.ID, a.Revision)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) < d.ApprovalsRequired {
			t.Fatalf("adoption of revision %d with %d approvals, %d required", a.Revision, len(as), d.ApprovalsRequired)
		}
		if a.SHA256 != hashes[a.Revision] {
			t.Fatalf("adoption names hash %s, revision %d has %s", a.SHA256, a.Revision, hashes[a.Revision])
		}
		arch := st.Blobs.(drafting.Archiver)
		b, err := arch.GetArchive(ctx, drafting.ArchiveKey(a.DocumentID, a.SHA256))
		if err != nil || shaHex(b) != a.SHA256 {
			t.Fatalf("adopted revision %d is not in the archive with its hash: %v", a.Revision, err)
		}
	}
	// Adoptions only move forward: revisions never go back, a basis is
	// only ever the first adoption, and an adoption after one as a whole
	// follows a recorded reopening of it.
	reopened := map[int64]bool{}
	rs, err := st.DB.Reopenings(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		reopened[r.Adoption] = true
	}
	for i := 1; i < len(ads); i++ {
		prev, a := ads[i-1], ads[i]
		switch {
		case a.Revision < prev.Revision:
			t.Fatalf("adoption %d of revision %d after revision %d", a.ID, a.Revision, prev.Revision)
		case a.Stage == drafting.StageBasis:
			t.Fatalf("adoption %d as a basis after adoption %d (%s)", a.ID, prev.ID, prev.Stage)
		case prev.Stage == drafting.StageFinal && !reopened[prev.ID]:
			t.Fatalf("adoption %d after the final adoption %d with no reopening", a.ID, prev.ID)
		}
	}
	// The public page shows the newest adoption.
	if len(ads) > 0 {
		pub, err := svc.Adoptions.Public(ctx, nil, d.Slug)
		if err != nil || pub.Current.ID != ads[len(ads)-1].ID {
			t.Fatalf("public page shows adoption %d (%v), the newest is %d", pub.Current.ID, err, ads[len(ads)-1].ID)
		}
	}
	rep, err := drafting.NewOperator(svc).Verify(ctx, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if p.Kind != "orphan" && p.Kind != "unarchived" {
			t.Fatalf("verify: %s %s %v", p.Kind, p.Key, p.Err)
		}
	}
	// The invariant checker replays the audit log: a final document changed
	// only after a recorded reopening, every adoption's quorum counted only
	// chairs enabled at its moment (by the log, where the step's own check
	// used the test's model), the stored state is the log's.
	if !replay {
		return
	}
	crep, err := reliability.Check(ctx, st.DB, st.Blobs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(crep.Violations) > 0 {
		t.Fatalf("invariants: %v", crep.Violations)
	}
}

// procedureModel is what the state-machine test expects, kept apart from
// the service: the document's state, who is a chair and whose account is
// disabled.
type procedureModel struct {
	state    drafting.State
	chairs   map[string]bool
	disabled map[string]bool
}

// TestWorkflowStateMachine drives random sequences of propose, commit,
// merge, approve, adopt, withdraw, reject and comment by random roles, and
// an administrator's reopening, removal and reappointment of chairs, and
// disabling and enabling of their accounts, and checks after every step the
// invariants, that the document's state is the model's, and that an
// adoption counted only chairs current and enabled at its moment.
func TestWorkflowStateMachine(t *testing.T) {
	done := map[string]int{} // successful steps, for the log
	defer func() { t.Logf("steps that succeeded: %v", done) }()
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		st := stack.New(t, "sqlite+disk")
		svc := st.Service(t, drafting.Options{})
		admin := stack.MustUser(t, svc, "admin", true)
		users := map[string]drafting.User{}
		for _, u := range []string{"c1", "c2", "m1", "m2", "o1", "x1"} {
			users[u] = stack.MustUser(t, svc, u, false)
		}
		required := rapid.IntRange(1, 2).Draw(rt, "approvals_required")
		text := "1. Первый пункт проекта.\n\n2. Второй пункт проекта.\n\n3. Третий пункт проекта.\n"
		v, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text, ApprovalsRequired: required})
		if err != nil {
			rt.Fatal(err)
		}
		d := v.Document
		for u, role := range map[string]string{"c1": "chair", "c2": "chair", "m1": "member", "m2": "member", "o1": "observer"} {
			stack.MustRole(t, svc, u, role, "doc")
		}
		logins := []string{"c1", "c2", "m1", "m2", "o1", "x1"}
		texts := map[int64]string{1: text}
		head := int64(1)
		model := procedureModel{state: drafting.StateDrafting, chairs: map[string]bool{"c1": true, "c2": true}, disabled: map[string]bool{}}
		for step := 0; step < 25; step++ {
			who := users[rapid.SampledFrom(logins).Draw(rt, "who")]
			// Approvals, adoptions and reopenings are drawn more often, and
			// mostly by chairs and of the head, so that runs reach the final
			// state and go past it.
			action := rapid.SampledFrom([]string{"propose", "commit", "merge", "approve", "approve", "approve", "adopt",
				"adopt", "adopt", "withdraw", "reject", "comment", "reopen", "reopen", "remove chair", "appoint chair",
				"disable chair", "enable chair"}).Draw(rt, "action")
			if (action == "approve" || action == "adopt") && rapid.Bool().Draw(rt, "a chair") {
				who = users[rapid.SampledFrom([]string{"c1", "c2"}).Draw(rt, "chair")]
			}
			atHead := func() int64 {
				if rapid.IntRange(0, 3).Draw(rt, "older") > 0 {
					return head
				}
				return rapid.Int64Range(1, head).Draw(rt, "revision")
			}
			before := model.state
			var err error
			switch action {
			case "propose":
				base := rapid.Int64Range(1, head).Draw(rt, "base")
				_, err = svc.Proposals.Propose(ctx, &who, "doc", drafting.NewProposal{Base: base, Title: "Правка",
					Text: []byte(editText(texts[base], rapid.IntRange(0, 2).Draw(rt, "para"), fmt.Sprintf("правка %d", step)))})
			case "commit":
				base := head
				if rapid.Bool().Draw(rt, "stale") {
					base = rapid.Int64Range(0, head).Draw(rt, "base")
				}
				nt := editText(texts[head], rapid.IntRange(0, 2).Draw(rt, "para"), fmt.Sprintf("коммит %d", step))
				var r drafting.Revision
				r, err = svc.Documents.Commit(ctx, &who, "doc", base, []byte(nt), "")
				if err == nil {
					head, texts[r.Number] = r.Number, nt
				}
			case "merge":
				n := rapid.Int64Range(1, 6).Draw(rt, "proposal")
				seen := head
				if rapid.Bool().Draw(rt, "stale") {
					seen = rapid.Int64Range(1, head).Draw(rt, "head")
				}
				var r drafting.Revision
				r, err = svc.Proposals.Merge(ctx, &who, "doc", n, drafting.MergeInput{Head: seen})
				if err == nil {
					_, b, _ := svc.Documents.Text(ctx, &admin, "doc", r.Number)
					head, texts[r.Number] = r.Number, string(b)
				}
			case "approve":
				n := atHead()
				sum := shaHex([]byte(texts[n]))
				if rapid.Bool().Draw(rt, "wrong hash") {
					sum = strings.Repeat("a", 64)
				}
				_, err = svc.Adoptions.Approve(ctx, &who, "doc", n, sum, "")
			case "adopt":
				n := atHead()
				stage := rapid.SampledFrom([]string{"basis", "final"}).Draw(rt, "stage")
				in := drafting.AdoptInput{Stage: stage}
				if rapid.IntRange(0, 3).Draw(rt, "no override") > 0 {
					in.OverrideReason = "замечания учтены"
				}
				var a drafting.Adoption
				a, err = svc.Adoptions.Adopt(ctx, &who, "doc", n, in)
				if err == nil {
					if n != head || model.state == drafting.StateFinal || (stage == drafting.StageBasis && model.state != drafting.StateDrafting) {
						rt.Fatalf("step %d: adopted revision %d (%s) with head %d in state %s", step, n, stage, head, model.state)
					}
					// Count the approvals of the adopted hash by the model's
					// chairs, enabled now.
					as, aerr := st.DB.Approvals(ctx, d.ID, n)
					if aerr != nil {
						rt.Fatal(aerr)
					}
					counted := map[int64]bool{}
					for _, ap := range as {
						if ap.SHA256 == a.SHA256 && model.chairs[ap.ChairLogin] && !model.disabled[ap.ChairLogin] {
							counted[ap.ChairID] = true
						}
					}
					if len(counted) < required {
						rt.Fatalf("step %d: adoption of revision %d counted %d current chairs' approvals, %d required", step, n, len(counted), required)
					}
					model.state = drafting.State(stage)
				}
			case "comment":
				_, err = svc.Comments.Add(ctx, &who, "doc", drafting.NewComment{Revision: head, Body: fmt.Sprintf("замечание %d", step)})
			case "reopen":
				actor := who
				if rapid.IntRange(0, 3).Draw(rt, "not as admin") > 0 {
					actor = admin
				}
				_, err = svc.Documents.Reopen(ctx, &actor, "doc", "поправки после принятия")
				if err == nil {
					if model.state != drafting.StateFinal || !actor.Admin {
						rt.Fatalf("step %d: %s reopened a document in state %s", step, actor.Login, model.state)
					}
					model.state = drafting.StateBasis
				}
			case "remove chair", "appoint chair":
				c := rapid.SampledFrom([]string{"c1", "c2"}).Draw(rt, "chair")
				if action == "remove chair" {
					err = svc.Members.Remove(ctx, &admin, "doc", c)
					if err == nil {
						delete(model.chairs, c)
					}
				} else {
					_, err = svc.Members.Set(ctx, &admin, "doc", c, drafting.RoleChair)
					if err == nil {
						model.chairs[c] = true
					}
				}
			case "disable chair", "enable chair":
				c := rapid.SampledFrom([]string{"c1", "c2"}).Draw(rt, "chair")
				var u drafting.User
				u, err = svc.Accounts.SetDisabled(ctx, &admin, c, action == "disable chair")
				if err == nil {
					model.disabled[c] = u.Disabled
					// The actor's copy follows the account, as a new request's
					// identification would.
					users[c] = u
				}
			case "withdraw":
				_, err = svc.Proposals.Withdraw(ctx, &who, "doc", rapid.Int64Range(1, 6).Draw(rt, "proposal"))
			case "reject":
				_, err = svc.Proposals.Reject(ctx, &who, "doc", rapid.Int64Range(1, 6).Draw(rt, "proposal"), "причина")
			}
			if err != nil {
				switch drafting.ErrorKind(err) {
				case drafting.KindForbidden, drafting.KindConflict, drafting.KindNotFound, drafting.KindInvalid,
					drafting.KindUnauthenticated: // a disabled chair
				default:
					rt.Fatalf("step %d %s by %s: %v", step, action, who.Login, err)
				}
				if r := drafting.ErrorReason(err); r == drafting.ReasonInternal || r.Kind() != drafting.ErrorKind(err) {
					rt.Fatalf("step %d %s by %s: reason %q for %v", step, action, who.Login, r, err)
				}
			}
			switch action {
			case "propose", "commit", "merge", "approve", "comment":
				if err == nil && before == drafting.StateFinal {
					rt.Fatalf("step %d: %s by %s changed a final document", step, action, who.Login)
				}
				if err == nil {
					done[action]++
				}
			case "adopt", "reopen":
				if err == nil {
					done[action+" "+string(model.state)]++
				}
			}
			// A final document changes only after a recorded reopening: its
			// head never moves while it is final.
			if got, gerr := svc.Documents.Get(ctx, &admin, "doc"); gerr != nil || got.State != model.state {
				rt.Fatalf("step %d %s: state %s (%v), the model's %s", step, action, got.State, gerr, model.state)
			} else if model.state == drafting.StateFinal && got.Head.Number != head {
				rt.Fatalf("step %d %s: the head moved to %d in a final document", step, action, got.Head.Number)
			}
			checkInvariants(rt, ctx, st, svc, d, false)
		}
		checkInvariants(rt, ctx, st, svc, d, true)
	})
}

// editText changes paragraph para of a three-paragraph text.
func editText(text string, para int, words string) string {
	ps := strings.Split(strings.TrimRight(text, "\n"), "\n\n")
	if para >= len(ps) {
		para = len(ps) - 1
	}
	ps[para] += " " + words
	return strings.Join(ps, "\n\n") + "\n"
}

// TestWorkflowConcurrency: 16 goroutines merge, approve and adopt on one
// document at once, on PostgreSQL and MinIO; the invariants hold, and an
// approval of a hash that was just superseded gets 409.
func TestWorkflowConcurrency(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "postgres+minio")
	svc := st.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	text := "1. Первый пункт.\n\n2. Второй пункт.\n\n3. Третий пункт.\n\n4. Четвёртый пункт.\n"
	v, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text, ApprovalsRequired: 2})
	if err != nil {
		t.Fatal(err)
	}
	chairs := make([]drafting.User, 4)
	for i := range chairs {
		chairs[i] = stack.MustUser(t, svc, fmt.Sprintf("chair%d", i), false)
		stack.MustRole(t, svc, chairs[i].Login, "chair", "doc")
	}
	member := stack.MustUser(t, svc, "member", false)
	stack.MustRole(t, svc, "member", "member", "doc")
	for i := 0; i < 12; i++ {
		if _, err := svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка",
			Text: []byte(editText(text, i%4, fmt.Sprintf("дополнение %d", i)))}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		supersededSeen int
		unexpected     []error
	)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chair := chairs[g%len(chairs)]
			for i := 0; i < 8; i++ {
				h, err := st.DB.Head(ctx, v.ID)
				if err != nil {
					mu.Lock()
					unexpected = append(unexpected, err)
					mu.Unlock()
					return
				}
				var opErr error
				switch (g + i) % 3 {
				case 0:
					_, opErr = svc.Proposals.Merge(ctx, &chair, "doc", int64(1+(g*8+i)%12), drafting.MergeInput{Head: h.Number})
				case 1:
					_, opErr = svc.Adoptions.Approve(ctx, &chair, "doc", h.Number, h.SHA256, "")
					if opErr != nil && drafting.ErrorKind(opErr) == drafting.KindConflict {
						if now, _ := st.DB.Head(ctx, v.ID); now.Number != h.Number {
							mu.Lock()
							supersededSeen++
							mu.Unlock()
						}
					}
				case 2:
					_, opErr = svc.Adoptions.Adopt(ctx, &chair, "doc", h.Number, drafting.AdoptInput{Stage: "basis"})
				}
				if opErr != nil {
					switch drafting.ErrorKind(opErr) {
					case drafting.KindConflict, drafting.KindForbidden:
					default:
						mu.Lock()
						unexpected = append(unexpected, opErr)
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range unexpected {
		t.Error(err)
	}
	checkInvariants(t, ctx, st, svc, v.Document, true)
	t.Logf("approvals refused because the head had moved: %d", supersededSeen)

	// Deterministically: a chair approving a hash just superseded gets 409.
	h, _ := st.DB.Head(ctx, v.ID)
	if _, err := svc.Documents.Commit(ctx, &chairs[0], "doc", h.Number, []byte(text+"\n5. Ещё пункт.\n"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Adoptions.Approve(ctx, &chairs[1], "doc", h.Number, h.SHA256, ""); drafting.ErrorKind(err) != drafting.KindConflict {
		t.Fatalf("approving a superseded revision: %v", err)
	}
}

// failingArchive makes the archive copy fail, as a crash between the
// adoption's commit and the copy would leave it.
type failingArchive struct {
	drafting.BlobStore
}

func (failingArchive) Archive(context.Context, string, []byte, string) error {
	return errors.New("injected: the process died before the archive copy")
}

func (f failingArchive) GetArchive(ctx context.Context, key string) ([]byte, error) {
	return f.BlobStore.(drafting.Archiver).GetArchive(ctx, key)
}

// TestArchiveOnMinIO: an adoption whose archive copy failed is committed and
// waits in the outbox; a restarted service makes the copy; the object is
// under legal hold in the archive bucket and deleting it is refused.
func TestArchiveOnMinIO(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "postgres+minio")
	broken := stack.Stack{DB: st.DB, Blobs: failingArchive{st.Blobs}}
	svc := broken.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	text := "1. Принять за основу проект итогового документа.\n"
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	stack.MustRole(t, svc, "admin", "chair", "doc")
	r, _ := svc.Documents.Revision(ctx, &admin, "doc", 1)
	if _, err := svc.Adoptions.Approve(ctx, &admin, "doc", 1, r.SHA256, ""); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Adoptions.Adopt(ctx, &admin, "doc", 1, drafting.AdoptInput{Stage: "basis"})
	if err != nil {
		t.Fatalf("adoption with a failing archive copy: %v", err)
	}
	if !a.ArchivedAt.IsZero() {
		t.Fatal("the failed copy was marked done")
	}
	if p, _ := st.DB.PendingArchives(ctx); len(p) != 1 {
		t.Fatalf("%d pending archive copies, want 1", len(p))
	}

	restarted := st.Service(t, drafting.Options{})
	if n, err := drafting.NewOperator(restarted).ProcessOutbox(ctx); err != nil || n != 1 {
		t.Fatalf("outbox after restart: %d %v", n, err)
	}
	if p, _ := st.DB.PendingArchives(ctx); len(p) != 0 {
		t.Fatalf("%d pending after the outbox ran", len(p))
	}
	m := st.Blobs.(*blobstore.MinIO)
	key := drafting.ArchiveKey(a.DocumentID, a.SHA256)
	held, err := m.ArchiveStatus(ctx, key)
	if err != nil || !held {
		t.Fatalf("archived text under legal hold: %v %v", held, err)
	}
	if err := rawRemoveArchived(ctx, st, key); err == nil {
		t.Fatal("deleting the archived text was allowed")
	}
	_, b, err := restarted.Adoptions.AdoptedText(ctx, nil, "doc", 0)
	if err != nil || string(b) != text {
		t.Fatalf("public text from the archive: %q %v", b, err)
	}
}

// TestVerifyKnowsProposalTexts: proposal texts share the blob key space with
// revisions; verify must not call them orphans, and --gc must not remove them.
func TestVerifyKnowsProposalTexts(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	member := stack.MustUser(t, svc, "member", false)
	text := "1. Первый пункт.\n"
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	stack.MustRole(t, svc, "member", "member", "doc")
	if _, err := svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка", Text: []byte("1. Первый пункт, изменённый.\n")}); err != nil {
		t.Fatal(err)
	}
	rep, err := drafting.NewOperator(svc).Verify(ctx, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Removed != 0 {
		t.Fatalf("verify --gc on a proposal's text: %+v, removed %d", rep.Problems, rep.Removed)
	}
	if _, _, err := svc.Proposals.Text(ctx, &member, "doc", 1); err != nil {
		t.Fatalf("the proposal's text after gc: %v", err)
	}
}
