package drafting_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

// The roles the table test acts as: everyone a document knows, and nobody.
var procedureRoles = []string{drafting.RolePublic, drafting.RoleObserver, drafting.RoleMember, drafting.RoleChair, drafting.RoleAdmin}

// byRole is what the authorizer answers for each role, whatever the state:
// "" allowed, else the reason. It is written out here, not derived from the
// code under test.
var byRole = map[drafting.Action]map[string]drafting.Reason{
	drafting.ActionCommit:        chairOnly,
	drafting.ActionPropose:       {drafting.RoleObserver: drafting.ReasonRoleForbidden, drafting.RoleAdmin: drafting.ReasonRoleForbidden},
	drafting.ActionMerge:         chairOnly,
	drafting.ActionReject:        chairOnly,
	drafting.ActionWithdraw:      {drafting.RoleObserver: drafting.ReasonNotTheAuthor, drafting.RoleAdmin: drafting.ReasonRoleForbidden},
	drafting.ActionComment:       readers,
	drafting.ActionEditComment:   readers,
	drafting.ActionResolveThread: readers,
	drafting.ActionHideComment:   chairOnly,
	drafting.ActionApprove:       chairOnly,
	drafting.ActionAdoptBasis:    chairOnly,
	drafting.ActionAdoptFinal:    chairOnly,
	drafting.ActionReopen: {drafting.RoleObserver: drafting.ReasonNotAnAdmin, drafting.RoleMember: drafting.ReasonNotAnAdmin,
		drafting.RoleChair: drafting.ReasonNotAnAdmin},
}

var (
	chairOnly = map[string]drafting.Reason{drafting.RoleObserver: drafting.ReasonNotAChair,
		drafting.RoleMember: drafting.ReasonNotAChair, drafting.RoleAdmin: drafting.ReasonNotAChair}
	readers = map[string]drafting.Reason{drafting.RoleAdmin: drafting.ReasonRoleForbidden}
)

// byState is what the procedure answers in each state to a role that may
// take the action: "" allowed, else the reason.
var byState = map[drafting.State]map[drafting.Action]drafting.Reason{
	drafting.StateDrafting: {drafting.ActionReopen: drafting.ReasonNotClosed},
	drafting.StateBasis:    {drafting.ActionReopen: drafting.ReasonNotClosed, drafting.ActionAdoptBasis: drafting.ReasonStageOrder},
	drafting.StateFinal: {
		drafting.ActionCommit: drafting.ReasonDocumentClosed, drafting.ActionPropose: drafting.ReasonDocumentClosed,
		drafting.ActionMerge: drafting.ReasonDocumentClosed, drafting.ActionComment: drafting.ReasonDocumentClosed,
		drafting.ActionEditComment: drafting.ReasonDocumentClosed, drafting.ActionApprove: drafting.ReasonDocumentClosed,
		drafting.ActionAdoptBasis: drafting.ReasonStageOrder, drafting.ActionAdoptFinal: drafting.ReasonDocumentClosed,
	},
}

// expected is the answer for role taking action in state.
func expected(state drafting.State, action drafting.Action, role string) drafting.Reason {
	if role == drafting.RolePublic {
		return drafting.ReasonSignIn
	}
	if r := byRole[action][role]; r != "" {
		return r
	}
	return byState[state][action]
}

const (
	para1 = "1. Участники конференции рекомендуют создать центр кластерного развития."
	para2 = "2. Поддержать малый и средний бизнес в составе кластеров."
	para3 = "3. Опубликовать итоги мониторинга в открытом доступе."
)

func text3(p1, p2, p3 string) string { return p1 + "\n\n" + p2 + "\n\n" + p3 + "\n" }

// procedureFixture is a document in a given state with everything each
// action needs: the users of every role, a proposal of the member's and one
// of the chair's, a thread of each commenter's, and a head the chair has
// not approved (but in final, where the head is the adopted one).
type procedureFixture struct {
	t         testing.TB
	ctx       context.Context
	svc       *drafting.Service
	slug      string
	users     map[string]*drafting.User // by role; public is nil
	proposals map[string]int64          // by role: member, chair
	merge     int64                     // a member's proposal for the chair to merge
	threads   map[string]int64          // by role: observer, member, chair
}

// procedureWorld is one backend with the users every fixture shares.
type procedureWorld struct {
	svc   *drafting.Service
	users map[string]*drafting.User
	n     int
}

func newProcedureWorld(t testing.TB, backend string) *procedureWorld {
	st := stack.New(t, backend)
	svc := st.Service(t, drafting.Options{})
	w := &procedureWorld{svc: svc, users: map[string]*drafting.User{drafting.RolePublic: nil}}
	for _, role := range []string{drafting.RoleObserver, drafting.RoleMember, drafting.RoleChair, drafting.RoleAdmin} {
		u := stack.MustUser(t, svc, "u-"+role, role == drafting.RoleAdmin)
		w.users[role] = &u
	}
	return w
}

// must is v, or a panic with err: for the fixtures' steps, which must not
// fail (the test binary reports the panic and the step's error).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// fixture makes a new document in state.
func (w *procedureWorld) fixture(t testing.TB, state drafting.State) *procedureFixture {
	t.Helper()
	ctx := context.Background()
	w.n++
	f := &procedureFixture{t: t, ctx: ctx, svc: w.svc, slug: fmt.Sprintf("doc-%s-%d", state, w.n), users: w.users,
		proposals: map[string]int64{}, threads: map[string]int64{}}
	admin, chair, member := w.users[drafting.RoleAdmin], w.users[drafting.RoleChair], w.users[drafting.RoleMember]
	text := text3(para1, para2, para3)
	must(w.svc.Documents.Create(ctx, admin, drafting.NewDocument{Slug: f.slug, Title: "Итоговый документ", Text: &text}))
	for _, role := range []string{drafting.RoleObserver, drafting.RoleMember, drafting.RoleChair} {
		must(w.svc.Members.Set(ctx, admin, f.slug, w.users[role].Login, role))
	}
	for _, role := range []string{drafting.RoleMember, drafting.RoleChair} {
		p := must(w.svc.Proposals.Propose(ctx, w.users[role], f.slug, drafting.NewProposal{Base: 1, Title: "Правка " + role,
			Text: []byte(text3(para1+" Правка "+role+".", para2, para3))}))
		f.proposals[role] = p.Number
	}
	f.merge = must(w.svc.Proposals.Propose(ctx, member, f.slug, drafting.NewProposal{Base: 1, Title: "К слиянию",
		Text: []byte(text3(para1, para2+" В том числе стартапы.", para3))})).Number
	for _, role := range []string{drafting.RoleObserver, drafting.RoleMember, drafting.RoleChair} {
		c := must(w.svc.Comments.Add(ctx, w.users[role], f.slug, drafting.NewComment{Revision: 1, Body: "Замечание: " + role}))
		f.threads[role] = c.ID
	}
	switch state {
	case drafting.StateBasis:
		f.adopt(1, drafting.StageBasis)
		// A new head, not approved yet; it edits another paragraph than the
		// proposals, so they still merge cleanly.
		must(w.svc.Documents.Commit(ctx, chair, f.slug, 1, []byte(text3(para1, para2, para3+" Ежегодно.")), ""))
	case drafting.StateFinal:
		f.adopt(1, drafting.StageFinal)
	}
	if got := must(w.svc.Documents.Get(ctx, admin, f.slug)).State; got != state {
		t.Fatalf("fixture in state %s, want %s", got, state)
	}
	return f
}

// adopt approves revision n (when the chair has not) and adopts it, giving
// a reason for the fixtures' open threads.
func (f *procedureFixture) adopt(n int64, stage string) {
	f.t.Helper()
	chair := f.users[drafting.RoleChair]
	r := must(f.svc.Documents.Revision(f.ctx, chair, f.slug, n))
	st := must(f.svc.Adoptions.Status(f.ctx, chair, f.slug, n))
	if !st.Approved {
		must(f.svc.Adoptions.Approve(f.ctx, chair, f.slug, n, r.SHA256, ""))
	}
	must(f.svc.Adoptions.Adopt(f.ctx, chair, f.slug, n, drafting.AdoptInput{Stage: stage, OverrideReason: "замечания учтены"}))
}

// approveHead has the chair approve the head, unless they have or the
// document is closed.
func (f *procedureFixture) approveHead() {
	chair := f.users[drafting.RoleChair]
	h := f.head()
	if st := must(f.svc.Adoptions.Status(f.ctx, chair, f.slug, h.Number)); st.Approve.Allowed {
		must(f.svc.Adoptions.Approve(f.ctx, chair, f.slug, h.Number, h.SHA256, ""))
	}
}

func (f *procedureFixture) head() drafting.Revision {
	f.t.Helper()
	return *must(f.svc.Documents.Get(f.ctx, f.users[drafting.RoleAdmin], f.slug)).Head
}

// act takes action as role through the service, as a handler would.
func (f *procedureFixture) act(action drafting.Action, role string) error {
	ctx, svc, slug, u := f.ctx, f.svc, f.slug, f.users[role]
	head := f.head()
	own := func(m map[string]int64, fallback string) int64 {
		if n, ok := m[role]; ok {
			return n
		}
		return m[fallback]
	}
	var err error
	switch action {
	case drafting.ActionCommit:
		_, err = svc.Documents.Commit(ctx, u, slug, head.Number, []byte(text3(para1, para2, para3+" Правка.")), "")
	case drafting.ActionPropose:
		_, err = svc.Proposals.Propose(ctx, u, slug, drafting.NewProposal{Base: head.Number, Title: "Ещё правка",
			Text: []byte(text3(para1, para2+" Ещё.", para3))})
	case drafting.ActionMerge:
		_, err = svc.Proposals.Merge(ctx, u, slug, f.merge, drafting.MergeInput{Head: head.Number})
	case drafting.ActionReject:
		_, err = svc.Proposals.Reject(ctx, u, slug, f.proposals[drafting.RoleMember], "не по существу")
	case drafting.ActionWithdraw:
		_, err = svc.Proposals.Withdraw(ctx, u, slug, own(f.proposals, drafting.RoleMember))
	case drafting.ActionComment:
		_, err = svc.Comments.Add(ctx, u, slug, drafting.NewComment{Revision: head.Number, Body: "Ещё замечание."})
	case drafting.ActionEditComment:
		_, err = svc.Comments.Edit(ctx, u, slug, own(f.threads, drafting.RoleMember), "Исправленное замечание.")
	case drafting.ActionResolveThread:
		_, err = svc.Comments.Resolve(ctx, u, slug, own(f.threads, drafting.RoleMember), true)
	case drafting.ActionHideComment:
		_, err = svc.Comments.Hide(ctx, u, slug, f.threads[drafting.RoleMember], "не по теме")
	case drafting.ActionApprove:
		_, err = svc.Adoptions.Approve(ctx, u, slug, head.Number, head.SHA256, "")
	case drafting.ActionAdoptBasis, drafting.ActionAdoptFinal:
		stage := drafting.StageBasis
		if action == drafting.ActionAdoptFinal {
			stage = drafting.StageFinal
		}
		_, err = svc.Adoptions.Adopt(ctx, u, slug, head.Number, drafting.AdoptInput{Stage: stage, OverrideReason: "замечания учтены"})
	case drafting.ActionReopen:
		_, err = svc.Documents.Reopen(ctx, u, slug, "поправки секции")
	default:
		f.t.Fatalf("no way to take %s", action)
	}
	return err
}

// itemReason reports whether a reason is about the item acted on (whose
// proposal or comment it is) rather than the role or the state, which
// Service.Decide does not know.
func itemReason(r drafting.Reason) bool { return r == drafting.ReasonNotTheAuthor }

// TestProcedureTable walks every (state, action, role) through the real
// service on SQLite and a blob folder, and on PostgreSQL and MinIO, and
// checks the answer and its reason, and that Service.Decide (what the pages
// ask) says the same. Each (state, action) gets a fresh document; the roles
// act on it refused ones first, so that a refusal never meets what an
// allowed act changed. The states run side by side, each on its own store.
// The examples the procedure was rebuilt for follow, as named rows.
func TestProcedureTable(t *testing.T) {
	for _, backend := range stack.Backends {
		for _, state := range drafting.States() {
			t.Run(backend+"/"+string(state), func(t *testing.T) {
				t.Parallel()
				w := newProcedureWorld(t, backend)
				checked := 0
				for _, action := range drafting.Actions() {
					f := w.fixture(t, state)
					if action == drafting.ActionAdoptBasis || action == drafting.ActionAdoptFinal {
						f.approveHead() // the quorum, so the answer is the role's and the state's
					}
					roles := slices.Clone(procedureRoles)
					slices.SortStableFunc(roles, func(a, b string) int {
						return boolInt(expected(state, action, a) == "") - boolInt(expected(state, action, b) == "")
					})
					for _, role := range roles {
						want := expected(state, action, role)
						dec := w.svc.Decide(f.ctx, f.users[role], f.slug, action)
						if !itemReason(want) && (dec.Allowed != (want == "") || dec.Reason != want) {
							t.Errorf("%s/%s/%s: Decide = %+v, want %q", state, action, role, dec, want)
						}
						err := f.act(action, role)
						if got := drafting.ErrorReason(err); got != want {
							t.Errorf("%s/%s/%s: %q (%v), want %q", state, action, role, got, err, want)
						}
						if want != "" && drafting.ErrorKind(err) != want.Kind() {
							t.Errorf("%s/%s/%s: kind %s, want %s", state, action, role, drafting.ErrorKind(err), want.Kind())
						}
						checked++
					}
				}
				if want := len(drafting.Actions()) * len(procedureRoles); checked != want {
					t.Fatalf("checked %d combinations, want %d", checked, want)
				}
			})
		}
	}
	t.Run("examples", procedureExamples)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// procedureExamples are the rows of the table for the cases the procedure
// was rebuilt for, on both backends: adoptions only move forward, a final
// document is closed until a recorded reopening, only current chairs count
// toward the quorum, and a merge with the chair's text credits both people.
func procedureExamples(t *testing.T) {
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			w := newProcedureWorld(t, backend)
			ctx := context.Background()
			chair, member, admin := w.users[drafting.RoleChair], w.users[drafting.RoleMember], w.users[drafting.RoleAdmin]
			refused := func(what string, want drafting.Reason, err error) {
				t.Helper()
				if got := drafting.ErrorReason(err); got != want {
					t.Errorf("%s: %q (%v), want %q", what, got, err, want)
				}
			}

			t.Run("final then basis, an older final, a commit after final", func(t *testing.T) {
				f := w.fixture(t, drafting.StateBasis) // revision 1 adopted as a basis, head 2
				f.adopt(2, drafting.StageFinal)
				refused("basis after final", drafting.ReasonStageOrder, f.act(drafting.ActionAdoptBasis, drafting.RoleChair))
				_, err := w.svc.Adoptions.Adopt(ctx, chair, f.slug, 1, drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "x"})
				refused("an older revision as final", drafting.ReasonDocumentClosed, err)
				refused("a commit after final", drafting.ReasonDocumentClosed, f.act(drafting.ActionCommit, drafting.RoleChair))
				refused("a merge after final", drafting.ReasonDocumentClosed, f.act(drafting.ActionMerge, drafting.RoleChair))
				refused("a comment after final", drafting.ReasonDocumentClosed, f.act(drafting.ActionComment, drafting.RoleMember))
				pub := must(w.svc.Adoptions.Public(ctx, nil, f.slug))
				if pub.Current.Revision != 2 || pub.Current.Stage != drafting.StageFinal || pub.Amended != nil {
					t.Errorf("public after final: %+v, amended %v", pub.Current, pub.Amended)
				}

				// Reopened with a reason: amendments again, shown on the
				// public page; a later final adoption supersedes.
				must(w.svc.Documents.Reopen(ctx, admin, f.slug, "поправки секции по транспорту"))
				pub = must(w.svc.Adoptions.Public(ctx, nil, f.slug))
				if pub.Amended == nil || pub.Amended.Reason != "поправки секции по транспорту" || pub.Current.Revision != 2 {
					t.Errorf("public after reopening: current %d, amended %+v", pub.Current.Revision, pub.Amended)
				}
				refused("reopening an open document", drafting.ReasonNotClosed, f.act(drafting.ActionReopen, drafting.RoleAdmin))
				refused("basis after a reopening", drafting.ReasonStageOrder, f.act(drafting.ActionAdoptBasis, drafting.RoleChair))
				_, err = w.svc.Adoptions.Adopt(ctx, chair, f.slug, 1, drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "x"})
				refused("an older revision after a reopening", drafting.ReasonNotHead, err)
				must(w.svc.Documents.Commit(ctx, chair, f.slug, 2, []byte(text3(para1, para2+" Транспорт.", para3+" Ежегодно.")), ""))
				f.adopt(3, drafting.StageFinal)
				pub = must(w.svc.Adoptions.Public(ctx, nil, f.slug))
				if pub.Current.Revision != 3 || pub.Amended != nil || len(pub.Reopenings) != 1 {
					t.Errorf("public after the new final: current %d, amended %v, %d reopenings", pub.Current.Revision, pub.Amended, len(pub.Reopenings))
				}
			})

			t.Run("removed and disabled chairs' approvals do not count", func(t *testing.T) {
				for _, how := range []string{"removed", "disabled"} {
					second := stack.MustUser(t, w.svc, "second-"+how, false)
					third := stack.MustUser(t, w.svc, "third-"+how, false)
					// Two approvals required, three chairs.
					slug := "quorum-" + how
					text := text3(para1, para2, para3)
					must(w.svc.Documents.Create(ctx, admin, drafting.NewDocument{Slug: slug, Title: "Кворум", Text: &text, ApprovalsRequired: 2}))
					for _, u := range []drafting.User{*chair, second, third} {
						must(w.svc.Members.Set(ctx, admin, slug, u.Login, drafting.RoleChair))
					}
					head := must(w.svc.Documents.Revision(ctx, chair, slug, 1))
					must(w.svc.Adoptions.Approve(ctx, &second, slug, 1, head.SHA256, ""))
					why := drafting.ReasonChairRemoved
					if how == "removed" {
						must(0, w.svc.Members.Remove(ctx, admin, slug, second.Login))
					} else {
						why = drafting.ReasonChairDisabled
						must(w.svc.Accounts.SetDisabled(ctx, admin, second.Login, true))
					}
					must(w.svc.Adoptions.Approve(ctx, chair, slug, 1, head.SHA256, ""))
					st := must(w.svc.Adoptions.Status(ctx, chair, slug, 1))
					if st.Counted != 1 || st.Reached || len(st.Approvals) != 2 || st.Approvals[0].Counts || st.Approvals[0].Why != why {
						t.Errorf("%s: status %+v", how, st.Quorum)
					}
					if st.AdoptBasis.Allowed || st.AdoptBasis.Reason != drafting.ReasonQuorumNotReached {
						t.Errorf("%s: the pages would offer adoption: %+v", how, st.AdoptBasis)
					}
					_, err := w.svc.Adoptions.Adopt(ctx, chair, slug, 1, drafting.AdoptInput{Stage: drafting.StageBasis})
					refused(how+" chair's approval", drafting.ReasonQuorumNotReached, err)
					if d := drafting.ErrorDetails(err); d["approvals"] != 1 || d["required"] != 2 {
						t.Errorf("%s: details %v", how, d)
					}
					// A third, current chair makes the quorum.
					must(w.svc.Adoptions.Approve(ctx, &third, slug, 1, head.SHA256, ""))
					a := must(w.svc.Adoptions.Adopt(ctx, chair, slug, 1, drafting.AdoptInput{Stage: drafting.StageBasis}))
					if a.Revision != 1 {
						t.Errorf("%s: adopted %+v", how, a)
					}
				}
			})

			t.Run("the head, the hash, one approval per chair, open threads", func(t *testing.T) {
				f := w.fixture(t, drafting.StateDrafting)
				r1 := must(w.svc.Documents.Revision(ctx, chair, f.slug, 1))
				_, err := w.svc.Documents.Commit(ctx, chair, f.slug, 0, []byte("x"), "")
				refused("a stale base", drafting.ReasonStaleBase, err)
				if drafting.ErrorDetails(err)["head"] != int64(1) {
					t.Errorf("stale base details: %v", drafting.ErrorDetails(err))
				}
				_, err = w.svc.Adoptions.Approve(ctx, chair, f.slug, 1, strings.Repeat("a", 64), "")
				refused("a wrong hash", drafting.ReasonHashMismatch, err)
				must(w.svc.Adoptions.Approve(ctx, chair, f.slug, 1, r1.SHA256, ""))
				_, err = w.svc.Adoptions.Approve(ctx, chair, f.slug, 1, r1.SHA256, "")
				refused("a second approval", drafting.ReasonAlreadyApproved, err)
				_, err = w.svc.Adoptions.Adopt(ctx, chair, f.slug, 1, drafting.AdoptInput{Stage: drafting.StageBasis})
				refused("open threads", drafting.ReasonOpenThreads, err)
				events := must(w.svc.Documents.Events(ctx, chair, f.slug, 0, 1000))
				if last := events[len(events)-1]; last.Kind != "adoption.refused" || last.Data["reason"] != "open_threads" {
					t.Errorf("the refusal was not recorded: %+v", last)
				}
				must(w.svc.Documents.Commit(ctx, chair, f.slug, 1, []byte(text3(para1, para2, para3+" Ежегодно.")), ""))
				_, err = w.svc.Adoptions.Approve(ctx, chair, f.slug, 1, r1.SHA256, "")
				refused("approving a superseded revision", drafting.ReasonNotHead, err)
				_, err = w.svc.Adoptions.Adopt(ctx, chair, f.slug, 1, drafting.AdoptInput{Stage: drafting.StageBasis, OverrideReason: "x"})
				refused("adopting a superseded revision", drafting.ReasonNotHead, err)
				_, err = w.svc.Documents.Commit(ctx, chair, f.slug, 2, []byte("a\x00b"), "")
				refused("a NUL in the text", drafting.ReasonInvalidText, err)
			})

			t.Run("merge credit", func(t *testing.T) {
				f := w.fixture(t, drafting.StateDrafting)
				p := must(w.svc.Proposals.Get(ctx, chair, f.slug, f.merge))
				// Without a conflict, the chair's own text is recorded as
				// merged with changes, crediting both.
				changed := text3(para1, para2+" В том числе стартапы и университеты.", para3)
				r := must(w.svc.Proposals.Merge(ctx, chair, f.slug, f.merge, drafting.MergeInput{Head: 1, Text: []byte(changed)}))
				if r.AuthorID != member.ID || r.MergedBy != chair.ID || r.MergedByLogin != chair.Login ||
					r.Decision != drafting.DecisionAcceptedWithChanges || r.Proposal != p.Number {
					t.Errorf("merged with the chair's text: %+v", r)
				}
				if got := must(w.svc.Proposals.Get(ctx, chair, f.slug, f.merge)); got.Decision != drafting.DecisionAcceptedWithChanges || got.MergedRevision != 2 {
					t.Errorf("the proposal after the merge: %+v", got)
				}
				// The chair's text identical to the plain merge is a plain merge.
				plain := must(w.svc.Proposals.Get(ctx, chair, f.slug, f.proposals[drafting.RoleMember]))
				_, ptext, err := w.svc.Proposals.Text(ctx, chair, f.slug, plain.Number)
				if err != nil {
					t.Fatal(err)
				}
				// Its base (1) is not the head (2): the clean three-way merge
				// applies its edit of paragraph 1 onto the head.
				clean := text3(para1+" Правка member.", para2+" В том числе стартапы и университеты.", para3)
				if !strings.Contains(string(ptext), "Правка member") {
					t.Fatalf("proposal text %q", ptext)
				}
				r = must(w.svc.Proposals.Merge(ctx, chair, f.slug, plain.Number, drafting.MergeInput{Head: 2, Text: []byte(clean)}))
				if r.Decision != drafting.DecisionAccepted || r.AuthorID != member.ID || r.MergedBy != chair.ID {
					t.Errorf("a supplied text equal to the clean merge: %+v", r)
				}
				// A conflict without a text commits nothing and says so.
				conflicting := must(w.svc.Proposals.Propose(ctx, member, f.slug, drafting.NewProposal{Base: 1, Title: "Иначе",
					Text: []byte(text3(para1, para2+" Только крупный бизнес.", para3))}))
				_, err = w.svc.Proposals.Merge(ctx, chair, f.slug, conflicting.Number, drafting.MergeInput{Head: 3})
				refused("a conflicting merge", drafting.ReasonMergeConflict, err)
				if cs, _ := drafting.ErrorDetails(err)["conflicts"].([]drafting.MergeConflict); len(cs) == 0 {
					t.Errorf("conflict details: %v", drafting.ErrorDetails(err))
				}
				_, err = w.svc.Proposals.Merge(ctx, chair, f.slug, f.merge, drafting.MergeInput{Head: 3})
				refused("merging a merged proposal", drafting.ReasonProposalClosed, err)
				_, err = w.svc.Proposals.Merge(ctx, chair, f.slug, conflicting.Number, drafting.MergeInput{Head: 2})
				refused("a merge on a stale head", drafting.ReasonStaleBase, err)
			})
		})
	}
}
