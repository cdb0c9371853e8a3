package drafting_test

import (
	"context"
	"testing"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

// TestCarelessInputRefused: a blank commit (or a blank first revision) was
// stored as a revision deleting everything, and a vote with no count above
// zero was recorded as 0/0/0. Both are refused, nothing is stored, and the
// legitimate forms (a document without a text, a decision without a vote)
// still work.
func TestCarelessInputRefused(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	chair := stack.MustUser(t, svc, "chair", false)
	member := stack.MustUser(t, svc, "member", false)
	refused := func(what string, want drafting.Reason, err error) {
		t.Helper()
		if got := drafting.ErrorReason(err); got != want || drafting.ErrorKind(err) != drafting.KindInvalid {
			t.Errorf("%s: %q (%v), want %q", what, got, err, want)
		}
	}

	blank := "  \n\n\t \n"
	_, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "blank", Title: "Пустой", Text: &blank})
	refused("a blank first revision", drafting.ReasonEmptyText, err)
	// No text at all is a document without revisions, as the pages make it.
	v, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ"})
	if err != nil || v.Head != nil {
		t.Fatalf("a document without a text: %+v %v", v, err)
	}
	stack.MustRole(t, svc, "chair", "chair", "doc")
	stack.MustRole(t, svc, "member", "member", "doc")
	for _, text := range []string{"", " ", "\n\n", " \t\r\n "} {
		_, err := svc.Documents.Commit(ctx, &chair, "doc", 0, []byte(text), "пусто")
		refused("a blank commit "+text, drafting.ReasonEmptyText, err)
	}
	if d, _ := svc.Documents.Get(ctx, &chair, "doc"); d.Head != nil {
		t.Fatalf("a blank commit was stored: %+v", d.Head)
	}
	text := "1. Принять за основу.\n\n2. Создать центр.\n"
	if _, err := svc.Documents.Commit(ctx, &chair, "doc", 0, []byte(text), "первый"); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		if _, err := svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка",
			Text: []byte("1. Принять за основу.\n\n2. Создать центр " + []string{"развития", "инжиниринга"}[i] + ".\n")}); err != nil {
			t.Fatal(err)
		}
	}
	none := &drafting.Vote{}
	_, err = svc.Proposals.Merge(ctx, &chair, "doc", 1, drafting.MergeInput{Head: 1, Vote: none})
	refused("a merge with an empty vote", drafting.ReasonOutOfRange, err)
	_, _, err = svc.Proposals.Decide(ctx, &chair, "doc", 2, drafting.DecideInput{Decision: drafting.DecisionRejected, Reason: "нет", Vote: none})
	refused("a rejection with an empty vote", drafting.ReasonOutOfRange, err)
	if f := drafting.ErrorDetails(err)["field"]; f != "vote" {
		t.Errorf("empty vote details: %v", drafting.ErrorDetails(err))
	}
	_, err = svc.Adoptions.Adopt(ctx, &chair, "doc", 1, drafting.AdoptInput{Stage: drafting.StageBasis, Vote: none})
	refused("an adoption with an empty vote", drafting.ReasonOutOfRange, err)
	// A vote with one count, or no vote at all, is recorded.
	r, err := svc.Proposals.Merge(ctx, &chair, "doc", 1, drafting.MergeInput{Head: 1, Vote: &drafting.Vote{Abstained: 1}})
	if err != nil || r.Number != 2 {
		t.Fatalf("a merge with a vote: %+v %v", r, err)
	}
	if p, _, err := svc.Proposals.Decide(ctx, &chair, "doc", 2, drafting.DecideInput{Decision: drafting.DecisionRejected, Reason: "нет"}); err != nil || p.Vote != nil {
		t.Fatalf("a rejection without a vote: %+v %v", p, err)
	}
}
