package drafting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

var words = []string{"кластер", "центр", "развитие", "поддержка", "город", "программа", "малый", "бизнес",
	"инновации", "технопарк", "проект", "рекомендация", "дорожная", "карта", "власть", "наука"}

// commentDoc is a document under test with its paragraphs kept as a model.
type commentDoc struct {
	paras []string
}

func (d *commentDoc) text() string { return strings.Join(d.paras, "\n\n") + "\n" }

// runeIndex is the code-point offset of byte offset i in s.
func runeIndex(s string, i int) int { return len([]rune(s[:i])) }

func anchorOf(text, quote string) *drafting.Anchor {
	i := strings.Index(text, quote)
	if i < 0 || strings.Count(text, quote) != 1 {
		return nil
	}
	runes := []rune(text)
	start := runeIndex(text, i)
	end := start + len([]rune(quote))
	return &drafting.Anchor{Start: start, End: end, Quote: quote,
		Prefix: string(runes[max(0, start-32):start]), Suffix: string(runes[end:min(len(runes), end+32)])}
}

// TestCommentAnchorsProperty: random documents, comments and edit scripts
// over many revisions. No comment is lost; a comment whose unique quote is
// untouched stays anchored at the right place; one whose quote was edited or
// deleted is outdated and keeps its quote and revision; one whose paragraph
// moved is moved, found at its new place.
func TestCommentAnchorsProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		st := stack.New(t, "sqlite+disk")
		svc := st.Service(t, drafting.Options{})
		admin := stack.MustUser(t, svc, "admin", true)
		chair := stack.MustUser(t, svc, "chair", false)
		doc := &commentDoc{}
		n := rapid.IntRange(3, 6).Draw(rt, "paragraphs")
		for i := 0; i < n; i++ {
			var ws []string
			for j := 0; j < 6; j++ {
				ws = append(ws, rapid.SampledFrom(words).Draw(rt, "word"))
			}
			// A paragraph-unique tag makes every paragraph distinct.
			doc.paras = append(doc.paras, fmt.Sprintf("Пункт-%d %s.", i, strings.Join(ws, " ")))
		}
		text := doc.text()
		if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
			rt.Fatal(err)
		}
		stack.MustRole(t, svc, "chair", "chair", "doc")

		type tracked struct {
			id       int64
			quote    string
			revision int64
			status   string // expected: anchored, moved, outdated
		}
		var all []*tracked
		head := int64(1)
		serial := 0
		for step := 0; step < 6; step++ {
			// Comment on a tagged quote in a random paragraph.
			for k := rapid.IntRange(0, 2).Draw(rt, "comments"); k > 0; k-- {
				p := rapid.IntRange(0, len(doc.paras)-1).Draw(rt, "para")
				tag := strings.Fields(doc.paras[p])[0]
				cur := doc.text()
				a := anchorOf(cur, tag)
				if a == nil {
					continue
				}
				c, err := svc.Comments.Add(ctx, &chair, "doc", drafting.NewComment{Revision: head, Body: "замечание", Anchor: a})
				if err != nil {
					rt.Fatal(err)
				}
				all = append(all, &tracked{id: c.ID, quote: tag, revision: head, status: "anchored"})
			}
			// Edit: change a paragraph's tag (its comments become outdated),
			// move a paragraph (moved), or append a paragraph (nothing).
			switch rapid.IntRange(0, 2).Draw(rt, "edit") {
			case 0:
				p := rapid.IntRange(0, len(doc.paras)-1).Draw(rt, "edited")
				old := strings.Fields(doc.paras[p])[0]
				serial++
				doc.paras[p] = strings.Replace(doc.paras[p], old, fmt.Sprintf("Изменено-%d-%d", step, serial), 1)
				for _, c := range all {
					if c.quote == old {
						c.status = "outdated"
					}
				}
			case 1:
				// Move a paragraph to the end, far enough that the move is
				// unambiguous (swapping neighbours could read either way).
				if len(doc.paras) < 4 {
					continue
				}
				from := rapid.IntRange(0, len(doc.paras)-3).Draw(rt, "from")
				para := doc.paras[from]
				doc.paras = append(append(append([]string{}, doc.paras[:from]...), doc.paras[from+1:]...), para)
				tag := strings.Fields(para)[0]
				for _, c := range all {
					if c.quote == tag && c.status == "anchored" {
						c.status = "moved"
					}
				}
			case 2:
				serial++
				doc.paras = append(doc.paras, fmt.Sprintf("Добавлено-%d-%d %s.", step, serial, rapid.SampledFrom(words).Draw(rt, "w")))
			}
			r, err := svc.Documents.Commit(ctx, &chair, "doc", head, []byte(doc.text()), "")
			if err != nil {
				rt.Fatal(err)
			}
			head = r.Number
			l, err := svc.Comments.List(ctx, &chair, "doc", head, drafting.CommentFilter{})
			if err != nil {
				rt.Fatal(err)
			}
			if len(l.Comments) != len(all) {
				rt.Fatalf("revision %d lists %d comments, %d were made", head, len(l.Comments), len(all))
			}
			got := map[int64]drafting.ListedComment{}
			for _, c := range l.Comments {
				got[c.ID] = c
			}
			cur := []rune(doc.text())
			for _, c := range all {
				g := got[c.id]
				if g.Status != c.status {
					rt.Fatalf("comment on %q (revision %d): %s, want %s", c.quote, c.revision, g.Status, c.status)
				}
				if g.Status == "outdated" {
					if g.Anchor == nil || g.Anchor.Quote != c.quote || g.Revision != c.revision {
						rt.Fatalf("outdated comment lost its original quote or revision: %+v", g)
					}
					continue
				}
				if g.Mapped == nil || g.Mapped.End > len(cur) || string(cur[g.Mapped.Start:g.Mapped.End]) != c.quote {
					rt.Fatalf("comment on %q is %s but not at its place: %+v", c.quote, g.Status, g.Mapped)
				}
			}
		}
	})
}

// BenchmarkListComments lists 1 000 comments made across 50 revisions of a
// 200 KB document, on SQLite and on PostgreSQL. The first listing maps every
// anchor through the 49 redlines; later ones come from the caches.
func BenchmarkListComments(b *testing.B) {
	for _, backend := range stack.Backends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			st := stack.New(b, backend)
			svc := st.Service(b, drafting.Options{})
			admin := stack.MustUser(b, svc, "admin", true)
			chair := stack.MustUser(b, svc, "chair", false)
			var paras []string
			for i := 0; len(strings.Join(paras, "\n\n")) < 200<<10; i++ {
				paras = append(paras, fmt.Sprintf("%d. Пункт-%d: рекомендовать органам власти содействовать развитию инновационного кластера и технопарка.", i+1, i))
			}
			text := strings.Join(paras, "\n\n") + "\n"
			if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
				b.Fatal(err)
			}
			stack.MustRole(b, svc, "chair", "chair", "doc")
			head := int64(1)
			for rev := 1; rev <= 50; rev++ {
				for k := 0; k < 20; k++ {
					p := (rev*37 + k*101) % len(paras)
					tag := fmt.Sprintf("Пункт-%d:", p)
					a := anchorOf(text, tag)
					if a == nil {
						continue
					}
					if _, err := svc.Comments.Add(ctx, &chair, "doc", drafting.NewComment{Revision: head, Body: "замечание", Anchor: a}); err != nil {
						b.Fatal(err)
					}
				}
				if rev == 50 {
					break
				}
				p := (rev * 53) % len(paras)
				paras[p] = strings.Replace(paras[p], "содействовать", fmt.Sprintf("содействовать (ред. %d)", rev), 1)
				text = strings.Join(paras, "\n\n") + "\n"
				r, err := svc.Documents.Commit(ctx, &chair, "doc", head, []byte(text), "")
				if err != nil {
					b.Fatal(err)
				}
				head = r.Number
			}
			start := time.Now()
			l, err := svc.Comments.List(ctx, &chair, "doc", head, drafting.CommentFilter{})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: first listing (maps every anchor through 49 redlines): %s", backend, time.Since(start).Round(time.Millisecond))
			if len(l.Comments) != 1000 {
				b.Fatalf("%d comments", len(l.Comments))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := svc.Comments.List(ctx, &chair, "doc", head, drafting.CommentFilter{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
