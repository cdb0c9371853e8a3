package reliability_test

import (
	"context"
	"errors"
	"testing"

	"redline/internal/drafting"
	"redline/internal/reliability"
	"redline/internal/testenv/stack"
)

// TestCheckClean: the history the service made, acknowledged, checks clean.
func TestCheckClean(t *testing.T) {
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			rep := w.check()
			if len(rep.Violations) > 0 {
				t.Fatalf("violations in a clean history: %v", rep.Violations)
			}
			if rep.Revisions != 3 || rep.Approvals != 1 || rep.Adoptions != 1 || rep.Comments != 1 || rep.Proposals != 1 || rep.Acks != 7 {
				t.Fatalf("checked too little: %+v", rep)
			}
		})
	}
}

// TestCheckCatches breaks a clean history on purpose, one way per case, in
// ways the service never would (raw SQL with the integrity triggers out of
// the way, raw blob writes), and requires the checker to report it.
func TestCheckCatches(t *testing.T) {
	cases := []struct {
		name   string
		want   string
		break_ func(w *world)
		store  func(w *world) reliability.Store // a fake store, where the real one cannot hold the state
	}{
		{name: "blob deleted", want: reliability.InvBlobMissing, break_: func(w *world) {
			w.removeBlob(drafting.BlobKey(w.doc.ID, sum(w.texts[1])), false)
		}},
		{name: "blob altered", want: reliability.InvBlobCorrupt, break_: func(w *world) {
			key := drafting.BlobKey(w.doc.ID, sum(w.texts[1]))
			b := w.readBlob(key)
			b[3] ^= 0x01
			w.overwriteBlob(key, false, b)
		}},
		{name: "revision number gap", want: reliability.InvHeadChain, break_: func(w *world) {
			w.sqlExec([]string{"revisions"}, `INSERT INTO revisions (document_id, number, parent, author_id, message, sha256, size, created_at)
SELECT document_id, 5, 4, author_id, message, sha256, size, created_at FROM revisions WHERE document_id = ? AND number = 3`, w.doc.ID)
		}},
		// FAKE STORE: both databases refuse parent <> number-1 with a CHECK
		// constraint, so this state is shown to the checker by a store that
		// rewrites revision 2's parent as it is read.
		{name: "revision parent forked (fake store)", want: reliability.InvHeadChain, store: func(w *world) reliability.Store {
			return forkedStore{w.db}
		}},
		{name: "audit event rewritten", want: reliability.InvAuditChain, break_: func(w *world) {
			w.sqlExec([]string{"events"}, `UPDATE events SET data = '{"forged":"yes"}' WHERE seq = 2`)
		}},
		{name: "audit event dropped at the tail", want: reliability.InvEventMissing, break_: func(w *world) {
			w.sqlExec([]string{"events"}, `DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)`)
		}},
		{name: "acknowledged revision missing", want: reliability.InvAckLost, break_: func(w *world) {
			w.sqlExec([]string{"revisions"}, `DELETE FROM revisions WHERE document_id = ? AND number = 3`, w.doc.ID)
		}},
		{name: "acknowledged revision never stored", want: reliability.InvAckLost, break_: func(w *world) {
			w.ack(reliability.Ack{Op: reliability.OpCommit, Doc: "doc", Number: 4, SHA256: sum("lost")})
		}},
		{name: "acknowledged revision holds another text", want: reliability.InvAckLost, break_: func(w *world) {
			w.ack(reliability.Ack{Op: reliability.OpCommit, Doc: "doc", Number: 2, SHA256: sum("other")})
		}},
		{name: "approval names another hash", want: reliability.InvApprovalHash, break_: func(w *world) {
			w.sqlExec(nil, `INSERT INTO approvals (document_id, revision, chair_id, sha256, note, created_at)
SELECT document_id, 2, ?, ?, '', created_at FROM revisions WHERE document_id = ? AND number = 3`,
				w.users["chair"].ID, sum(w.texts[2]), w.doc.ID)
		}},
		{name: "approval by a non-chair", want: reliability.InvApprovalRole, break_: func(w *world) {
			w.sqlExec(nil, `INSERT INTO approvals (document_id, revision, chair_id, sha256, note, created_at)
SELECT document_id, 2, ?, ?, '', created_at FROM revisions WHERE document_id = ? AND number = 3`,
				w.users["member"].ID, sum(w.texts[1]), w.doc.ID)
		}},
		{name: "acknowledged approval missing", want: reliability.InvAckLost, break_: func(w *world) {
			w.sqlExec([]string{"approvals"}, `DELETE FROM approvals WHERE document_id = ?`, w.doc.ID)
		}},
		{name: "adoption without quorum", want: reliability.InvAdoptionQuorum, break_: func(w *world) {
			w.sqlExec(nil, `INSERT INTO adoptions (document_id, revision, sha256, size, stage, note, override_reason, chair_id, created_at)
SELECT document_id, number, sha256, size, 'basis', '', '', ?, created_at FROM revisions WHERE document_id = ? AND number = 2`,
				w.users["chair"].ID, w.doc.ID)
		}},
		{name: "adoption of an older revision", want: reliability.InvAdoptionOrder, break_: func(w *world) {
			w.rawAdoption(2, drafting.StageFinal)
		}},
		{name: "basis after basis", want: reliability.InvAdoptionOrder, break_: func(w *world) {
			w.rawAdoption(3, drafting.StageBasis)
		}},
		{name: "final after final, no reopening", want: reliability.InvAdoptionOrder, break_: func(w *world) {
			w.rawAdoption(3, drafting.StageFinal)
			w.rawAdoption(3, drafting.StageFinal)
		}},
		{name: "commit after final, no reopening", want: reliability.InvClosedChange, break_: func(w *world) {
			w.rawAdoption(3, drafting.StageFinal)
			w.rawCommit(w.texts[2] + "\nПосле принятия.\n")
		}},
		{name: "stored state is not the log's", want: reliability.InvDocumentState, break_: func(w *world) {
			w.sqlExec(nil, `UPDATE documents SET state = 'final' WHERE id = ?`, w.doc.ID)
		}},
		{name: "quorum counted a removed chair", want: reliability.InvAdoptionQuorum, break_: func(w *world) {
			admin := w.users["admin"]
			w.rawCommit(w.texts[2] + "\nЕщё пункт.\n")
			chair := w.users["chair"]
			if _, err := w.svc.Adoptions.Approve(context.Background(), &chair, "doc", 4, sum(w.texts[3]), ""); err != nil {
				w.t.Fatal(err)
			}
			if err := w.svc.Members.Remove(context.Background(), &admin, "doc", "chair"); err != nil {
				w.t.Fatal(err)
			}
			w.rawAdoption(4, drafting.StageFinal)
		}},
		{name: "quorum counted a disabled chair", want: reliability.InvAdoptionQuorum, break_: func(w *world) {
			admin := w.users["admin"]
			w.rawCommit(w.texts[2] + "\nЕщё пункт.\n")
			chair := w.users["chair"]
			if _, err := w.svc.Adoptions.Approve(context.Background(), &chair, "doc", 4, sum(w.texts[3]), ""); err != nil {
				w.t.Fatal(err)
			}
			if _, err := w.svc.Accounts.SetDisabled(context.Background(), &admin, "chair", true); err != nil {
				w.t.Fatal(err)
			}
			w.rawAdoption(4, drafting.StageFinal)
		}},
		{name: "acknowledged reopening missing", want: reliability.InvAckLost, break_: func(w *world) {
			w.ack(reliability.Ack{Op: reliability.OpReopen, Doc: "doc", Adoption: 1})
		}},
		{name: "adoption without archive copy", want: reliability.InvArchivePending, break_: func(w *world) {
			w.sqlExec([]string{"adoptions"}, `UPDATE adoptions SET archived_at = NULL`)
		}},
		{name: "archive copy deleted", want: reliability.InvArchiveMissing, break_: func(w *world) {
			w.removeBlob(drafting.ArchiveKey(w.doc.ID, sum(w.texts[2])), true)
		}},
		{name: "archive copy altered", want: reliability.InvArchiveCorrupt, break_: func(w *world) {
			w.overwriteBlob(drafting.ArchiveKey(w.doc.ID, sum(w.texts[2])), true, []byte("подменённый текст"))
		}},
		{name: "acknowledged adoption missing", want: reliability.InvAckLost, break_: func(w *world) {
			w.sqlExec([]string{"adoptions"}, `DELETE FROM adoptions WHERE document_id = ?`, w.doc.ID)
		}},
		{name: "acknowledged comment missing", want: reliability.InvAckLost, break_: func(w *world) {
			w.sqlExec([]string{"comments"}, `DELETE FROM comments WHERE document_id = ?`, w.doc.ID)
		}},
		{name: "acknowledged comment never stored", want: reliability.InvAckLost, break_: func(w *world) {
			w.ack(reliability.Ack{Op: reliability.OpComment, Doc: "doc", Number: 2, Comment: 999})
		}},
		{name: "comment anchor quotes other text", want: reliability.InvCommentAnchor, break_: func(w *world) {
			w.rawComment(2, &drafting.Anchor{Start: 0, End: 5, Quote: "Чужой"}, "Цитата не из текста.")
		}},
		{name: "acknowledged on a missing document", want: reliability.InvAckLost, break_: func(w *world) {
			w.ack(reliability.Ack{Op: reliability.OpCommit, Doc: "nowhere", Number: 1, SHA256: sum("x")})
		}},
	}
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					w := newWorld(t, backend)
					var store reliability.Store = w.db
					if tc.break_ != nil {
						tc.break_(w)
					}
					if tc.store != nil {
						store = tc.store(w)
					}
					rep, err := reliability.Check(context.Background(), store, w.blobs, w.acks.Acks())
					if err != nil {
						t.Fatal(err)
					}
					if !rep.Has(tc.want) {
						t.Fatalf("checker missed %s; it reported %v", tc.want, rep.Violations)
					}
					t.Logf("caught: %v", rep.Violations)
				})
			}
		})
	}
}

// TestCorruptTextIsAnErrorOnRead: a flipped byte in a stored text makes the
// read fail (never returning the bytes) and verify report it, on disk and
// on MinIO (a raw overwrite in the versioned drafts bucket).
func TestCorruptTextIsAnErrorOnRead(t *testing.T) {
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			key := drafting.BlobKey(w.doc.ID, sum(w.texts[1]))
			b := w.readBlob(key)
			b[len(b)/2] ^= 0x20
			w.overwriteBlob(key, false, b)
			chair := w.users["chair"]
			_, text, err := w.svc.Documents.Text(context.Background(), &chair, "doc", 2)
			if err == nil || text != nil {
				t.Fatalf("corrupt text read as data: %q, %v", text, err)
			}
			if !errors.Is(err, drafting.ErrCorrupt) && drafting.ErrorKind(err) != drafting.KindInternal {
				t.Fatalf("corrupt text: %v", err)
			}
			rep, err := drafting.NewOperator(w.svc).Verify(context.Background(), false, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Bad() {
				t.Fatalf("verify missed the flipped byte: %+v", rep.Problems)
			}
		})
	}
}

// forkedStore is a FAKE: it reports revision 2 with parent 0, a fork no
// real database here can hold (CHECK parent = number - 1).
type forkedStore struct{ reliability.Store }

func (s forkedStore) AllRevisions(ctx context.Context, fn func(drafting.Revision) error) error {
	return s.Store.AllRevisions(ctx, func(r drafting.Revision) error {
		if r.Number == 2 {
			r.Parent = 0
		}
		return fn(r)
	})
}
