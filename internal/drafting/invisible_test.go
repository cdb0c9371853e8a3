package drafting_test

import (
	"context"
	"testing"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

// TestInvisibleTextIsBlank: a text or a reason of only invisible characters
// (U+200B zero width space, U+2060 word joiner, U+FEFF) passed for one: a
// zero width space as override_reason adopted a revision over open threads,
// one as a reopening's reason showed "Причина: " with nothing after it on
// the public page, and a merge with the chair's text "\u200b" replaced the
// whole document, and an item "replaced" by one kept only its number.
// They are blank now (missing_field, empty_text), and a
// reason with a text-direction override (U+202E), which reads otherwise than
// it is written, is refused as a title's is (invalid_text).
func TestInvisibleTextIsBlank(t *testing.T) {
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) { invisibleTextIsBlank(t, backend) })
	}
}

func invisibleTextIsBlank(t *testing.T, backend string) {
	ctx := context.Background()
	st := stack.New(t, backend)
	svc := st.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	chair := stack.MustUser(t, svc, "chair", false)
	member := stack.MustUser(t, svc, "member", false)
	refused := func(what string, want drafting.Reason, err error) {
		t.Helper()
		if got := drafting.ErrorReason(err); got != want {
			t.Errorf("%s: %q (%v), want %q", what, got, err, want)
		}
	}
	const zw = "\u200b\u2060\ufeff \u200b"
	const rlo = "\u202eнаоборот"

	_, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "unseen", Title: zw})
	refused("an invisible title", drafting.ReasonMissingField, err)
	blankText := zw + "\n"
	_, err = svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "unseen", Title: "Документ", Text: &blankText})
	refused("an invisible first revision", drafting.ReasonEmptyText, err)

	text := text3(para1, para2, para3)
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	stack.MustRole(t, svc, "chair", "chair", "doc")
	stack.MustRole(t, svc, "member", "member", "doc")

	_, err = svc.Documents.Commit(ctx, &chair, "doc", 1, []byte(zw), "пусто")
	refused("an invisible commit", drafting.ReasonEmptyText, err)
	_, err = svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка", Text: []byte(zw)})
	refused("an invisible proposal", drafting.ReasonEmptyText, err)
	for _, ch := range []drafting.ItemChange{{Op: drafting.ChangeReplace, Item: "2", Text: zw},
		{Op: drafting.ChangeInsertAfter, Item: "2", Text: zw}} {
		_, err = svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка",
			Changes: []drafting.ItemChange{ch}})
		refused("an invisible "+ch.Op+" of an item", drafting.ReasonEmptyText, err)
	}
	_, err = svc.Comments.Add(ctx, &member, "doc", drafting.NewComment{Revision: 1, Body: zw})
	refused("an invisible comment", drafting.ReasonMissingField, err)

	p, err := svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 1, Title: "Правка",
		Text: []byte(text3(para1, para2+" В том числе стартапы.", para3))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Proposals.Merge(ctx, &chair, "doc", p.Number, drafting.MergeInput{Head: 1, Text: []byte(zw)})
	refused("a merge with an invisible text", drafting.ReasonEmptyText, err)
	_, err = svc.Proposals.Reject(ctx, &chair, "doc", p.Number, zw)
	refused("a rejection with an invisible reason", drafting.ReasonMissingField, err)
	_, err = svc.Proposals.Reject(ctx, &chair, "doc", p.Number, rlo)
	refused("a rejection with a direction override", drafting.ReasonInvalidText, err)

	thread, err := svc.Comments.Add(ctx, &member, "doc", drafting.NewComment{Revision: 1, Body: "Замечание"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Comments.Hide(ctx, &chair, "doc", thread.ID, zw)
	refused("hiding with an invisible reason", drafting.ReasonMissingField, err)

	d, err := svc.Documents.Get(ctx, &chair, "doc")
	if err != nil {
		t.Fatal(err)
	}
	if d.Head.Number != 1 {
		t.Fatalf("something was committed: head %d", d.Head.Number)
	}
	if _, err := svc.Adoptions.Approve(ctx, &chair, "doc", 1, d.Head.SHA256, ""); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Adoptions.Adopt(ctx, &chair, "doc", 1, drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: zw})
	refused("an adoption over an open thread with an invisible override", drafting.ReasonOpenThreads, err)
	_, err = svc.Adoptions.Adopt(ctx, &chair, "doc", 1, drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: rlo})
	refused("an adoption with a direction override in its reason", drafting.ReasonInvalidText, err)
	if _, err := svc.Adoptions.Adopt(ctx, &chair, "doc", 1, drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "учтено"}); err != nil {
		t.Fatal(err)
	}

	_, err = svc.Documents.Reopen(ctx, &admin, "doc", zw)
	refused("a reopening with an invisible reason", drafting.ReasonMissingField, err)
	_, err = svc.Documents.Reopen(ctx, &admin, "doc", rlo)
	refused("a reopening with a direction override", drafting.ReasonInvalidText, err)
	if d, _ := svc.Documents.Get(ctx, &admin, "doc"); d.State != drafting.StateFinal {
		t.Fatalf("a refused reopening reopened: %s", d.State)
	}
	// What is visible still passes, around invisible characters too.
	r, err := svc.Documents.Reopen(ctx, &admin, "doc", "\u200bПоправки секции")
	if err != nil || r.Reason != "\u200bПоправки секции" {
		t.Fatalf("a visible reason: %+v %v", r, err)
	}
}
