package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkCommitRevision measures one metadata commit (lock the document,
// read the head, insert the row, commit) on a growing chain.
func BenchmarkCommitRevision(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			db, _, _ := be.open(b)
			u := mustUser(b, db, "bench")
			d, err := db.CreateDocument(ctx, newDoc("bench", u.ID), nil, ev("document.create"))
			if err != nil {
				b.Fatal(err)
			}
			r := rev(d.ID, u.ID, "benchmark text")
			var base int64
			for b.Loop() {
				if _, err := commitRevision(ctx, db, r, base, ev("revision.commit")); err != nil {
					b.Fatal(err)
				}
				base++
			}
		})
	}
}

// BenchmarkHead measures reading a document's head, the read every commit
// and page view starts with.
func BenchmarkHead(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			db, _, _ := be.open(b)
			u := mustUser(b, db, "bench")
			d, err := db.CreateDocument(ctx, newDoc("bench", u.ID), nil, ev("document.create"))
			if err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				if _, err := commitRevision(ctx, db, rev(d.ID, u.ID, fmt.Sprint(i)), int64(i), ev("revision.commit")); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				h, err := db.Head(ctx, d.ID)
				if err != nil || h.Number != 100 {
					b.Fatalf("head %d, %v", h.Number, err)
				}
			}
		})
	}
}
