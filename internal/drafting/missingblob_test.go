package drafting_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync/atomic"
	"testing"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

// hidingBlobs answers "no such object" for the next hide reads of any
// text, as distributed MinIO may while it heals after nodes came back.
type hidingBlobs struct {
	drafting.Blobs
	hide  atomic.Int64
	reads atomic.Int64
}

func (h *hidingBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	h.reads.Add(1)
	if h.hide.Add(-1) >= 0 {
		return nil, drafting.Wrap(drafting.KindNotFound, "get blob", "not found", fmt.Errorf("get %s: %w", key, fs.ErrNotExist))
	}
	return h.Blobs.Get(ctx, key)
}

// TestMissingTextRetriedThenUnavailable (issue 18): a revision's text the
// blob store once says it does not have is asked for again and served; one
// it keeps saying it does not have is unavailable (503 with Retry-After),
// not an internal error, and verify still reports it missing.
func TestMissingTextRetriedThenUnavailable(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "sqlite+disk")
	hb := &hidingBlobs{Blobs: st.Blobs}
	hidden := &stack.Stack{DB: st.DB, Blobs: hb}
	svc := hidden.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	text := "1. Первый пункт.\n"
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		t.Fatal(err)
	}

	hb.hide.Store(1)
	before := hb.reads.Load()
	_, b, err := svc.Documents.Text(ctx, &admin, "doc", 1)
	if err != nil || string(b) != text {
		t.Fatalf("a text missing once: %q %v", b, err)
	}
	if n := hb.reads.Load() - before; n != 2 {
		t.Fatalf("%d reads of a text missing once, want 2", n)
	}

	hb.hide.Store(2)
	before = hb.reads.Load()
	_, _, err = svc.Documents.Text(ctx, &admin, "doc", 1)
	if drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("a text missing twice: %v (kind %s), want unavailable", err, drafting.ErrorKind(err))
	}
	if n := hb.reads.Load() - before; n != 2 {
		t.Fatalf("%d reads of a text missing twice, want 2 (one retry)", n)
	}

	hb.hide.Store(1 << 30)
	rep, err := drafting.NewOperator(svc).Verify(ctx, false, nil)
	hb.hide.Store(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != "missing" {
		t.Fatalf("verify of a missing text: %+v", rep.Problems)
	}
}
