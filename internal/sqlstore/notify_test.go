package sqlstore_test

// --- issue 17 ---

import (
	"context"
	"fmt"
	"testing"

	"redline/internal/drafting"
	"redline/internal/notify"
	"redline/internal/notify/notifytest"
)

// TestNotifyStore runs notify's Store conformance suite on both dialects.
func TestNotifyStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) notify.Store {
				db, _, _ := b.open(t)
				for i := 1; i <= 3; i++ {
					if u := mustUser(t, db, fmt.Sprintf("u%d", i)); u.ID != int64(i) {
						t.Fatalf("user %d has ID %d", i, u.ID)
					}
				}
				return db.Notifications()
			})
		})
	}
}

// TestNotifyDirectory: who may read a document with their choices (the
// defaults until they choose), without the disabled; a proposal's author;
// the people of a thread; unsubscribing turns topics off; the signing key
// is made once.
func TestNotifyDirectory(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db, _, _ := b.open(t)
			ctx := context.Background()
			n := db.Notifications()
			chair, anna, boris := mustUser(t, db, "chair"), mustUser(t, db, "anna"), mustUser(t, db, "boris")
			d, err := db.CreateDocument(ctx, newDoc("notify", chair.ID), nil, ev("document.create"))
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []drafting.User{chair, anna, boris} {
				err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
					return tx.SetRole(ctx, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: drafting.RoleMember, GrantedAt: now()})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := n.SetAddress(ctx, anna.ID, "anna@example.org", "en-GB"); err != nil {
				t.Fatal(err)
			}
			if err := n.SetSettings(ctx, anna.ID, d.ID, notify.AllTopics, true); err != nil {
				t.Fatal(err)
			}
			rs, err := n.Recipients(ctx, d.ID)
			if err != nil || len(rs) != 3 {
				t.Fatalf("Recipients = %v, %v", rs, err)
			}
			if r := rs[1]; r.Login != "anna" || r.Email != "anna@example.org" || r.Lang != "en" || r.Topics != notify.AllTopics || !r.Mail {
				t.Errorf("anna = %+v", r)
			}
			if r := rs[2]; r.Topics != notify.DefaultTopics || !r.Mail || r.Email != "" || r.Lang != "ru" {
				t.Errorf("boris (no choices) = %+v", r)
			}
			if err := n.Unsubscribe(ctx, anna.ID, d.ID, notify.Revisions); err != nil {
				t.Fatal(err)
			}
			if r, ok, err := n.Recipient(ctx, d.ID, anna.ID); err != nil || !ok || r.Topics != notify.AllTopics&^notify.Revisions {
				t.Errorf("anna after unsubscribing from revisions: %+v %v %v", r, ok, err)
			}
			if err := db.SetUserDisabled(ctx, boris.ID, true, ev("user.disable")); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := n.Recipient(ctx, d.ID, boris.ID); err != nil || ok {
				t.Errorf("a disabled account is a recipient: %v %v", ok, err)
			}
			if _, err := n.Document(ctx, "nope"); err != notify.ErrNotFound {
				t.Errorf("Document of nothing: %v", err)
			}
			k1, err := n.Key(ctx)
			if err != nil || len(k1) != 32 {
				t.Fatalf("Key = %x, %v", k1, err)
			}
			if k2, _ := n.Key(ctx); string(k2) != string(k1) {
				t.Error("the key changed")
			}
		})
	}
}
