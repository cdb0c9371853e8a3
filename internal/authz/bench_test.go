package authz

import (
	"context"
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"redline/internal/drafting"
	"redline/policies"
)

const (
	benchDocs  = 200
	benchUsers = 20 // per document: 1 chair, 9 members, 10 observers
)

func benchDocID(i int) string { return fmt.Sprintf("%032x", i+1) }

// benchSource: 200 documents × 20 users, 4 000 g lines; users are distinct
// per document.
func benchSource() *memSource {
	s := newSource()
	for d := range benchDocs {
		for u := range benchUsers {
			role := drafting.RoleObserver
			switch {
			case u == 0:
				role = drafting.RoleChair
			case u < 10:
				role = drafting.RoleMember
			}
			s.roles[assignKey{benchDocID(d), int64(d*benchUsers + u + 1)}] = role
		}
	}
	return s
}

type benchReq struct {
	sub      drafting.Subject
	doc      string
	obj, act string
}

// benchRequests mixes users on their own documents, on others, anonymous
// callers and an admin, over every pair.
func benchRequests() []benchReq {
	var reqs []benchReq
	for i := range 1024 {
		d := i % benchDocs
		p := pairs[i%len(pairs)]
		var sub drafting.Subject
		switch i % 4 {
		case 0, 1:
			sub = drafting.Subject{UserID: int64(d*benchUsers + i%benchUsers + 1)}
		case 2:
			sub = drafting.Subject{UserID: int64(((d+1)%benchDocs)*benchUsers + 1)} // chair elsewhere
		case 3:
			if i%8 == 3 {
				sub = drafting.Subject{UserID: 999999, Admin: true}
			}
		}
		reqs = append(reqs, benchReq{sub, benchDocID(d), p.Object, p.Action})
	}
	return reqs
}

func BenchmarkAllow(b *testing.B) {
	e, _ := mustNew(b, benchSource())
	reqs := benchRequests()

	b.Run("cached", func(b *testing.B) {
		for _, r := range reqs {
			e.Allow(r.sub, r.doc, r.obj, r.act)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r := reqs[i%len(reqs)]
			e.Allow(r.sub, r.doc, r.obj, r.act)
			i++
		}
	})
	b.Run("cached-parallel", func(b *testing.B) {
		for _, r := range reqs {
			e.Allow(r.sub, r.doc, r.obj, r.act)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				r := reqs[i%len(reqs)]
				e.Allow(r.sub, r.doc, r.obj, r.act)
				i++
			}
		})
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r := reqs[i%len(reqs)]
			if _, err := e.decide(r.sub, r.doc, r.obj, r.act); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	// Casbin's own SyncedCachedEnforcer on the same model and rules, for
	// comparison; not used because of how it clears its cache on reload.
	b.Run("casbin-cached", func(b *testing.B) {
		m, err := model.NewModelFromString(policies.Model)
		if err != nil {
			b.Fatal(err)
		}
		ce, err := casbin.NewSyncedCachedEnforcer(m, e.adapter)
		if err != nil {
			b.Fatal(err)
		}
		args := make([][]any, len(reqs))
		for i, r := range reqs {
			global := ""
			if r.sub.Admin {
				global = drafting.RoleAdmin
			}
			args[i] = []any{subject(r.sub), global, r.doc, r.obj, r.act}
			if _, err := ce.Enforce(args[i]...); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := ce.Enforce(args[i%len(args)]...); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkReload is how long a reload of 4 000 g lines takes, most of it
// under the write lock, when every Allow waits.
func BenchmarkReload(b *testing.B) {
	e, _ := mustNew(b, benchSource())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Reload(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
