package textdiff

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var corpusDir = flag.String("corpus", "", "directory to write the benchmark corpus to (base.txt, a.txt … d.txt, base4.txt, b4.txt, d4.txt)")

// corpusWords is the vocabulary of generated resolutions: the words of a
// Russian conference resolution, so that token statistics (word length,
// repetition, Cyrillic share) are those of the real thing.
var corpusWords = strings.Fields(`кластер кластера кластеров кластерам кластерной кластерная инновационный
инновационного инновационных инновационной инновационная инновации инноваций поддержка поддержки
поддержку государственный государственной государственных государственная развитие развития
развитию город города городе Москва Москвы Москве московских предприятие предприятия предприятий
предприятиями технология технологии технологий технологическим программа программы программ
программах научный научных научной научные организация организаций организациям организации
участники участников конференции конференция рекомендовать рекомендует обеспечить создать разработать
предусмотреть рассмотреть концепция концепцию концепции инфраструктура инфраструктуры малого среднего
бизнеса предпринимательства кадров подготовка подготовки экономики экономика промышленных промышленности
федеральных федеральными органов органами органы власти исполнительной законодательной мирового уровня
материалов проекты проектов проектам совместных образовательных высших учебных заведений институтов
итоговый итогового документ документа проект рабочей группе обсуждения основу принимают считают
важным необходимо необходимость следует уделить внимание особое отмечают целесообразным отметить
финансирования финансирование бюджета бюджетных средств механизмов механизмы механизм налоговых льгот
стимулирования спроса продукции рынка рынков экспорта участия участие взаимодействия сотрудничества
кооперации координации мониторинга оценки эффективности результатов показателей целевых приоритетных
направлений направления сферы области информационных биотехнологий микроэлектроники медицины энергетики
транспорта строительства технопарков бизнес-инкубаторов центров коллективного пользования
интеллектуальной собственности коммерциализации исследований разработок патентов лицензий стандартов
молодых учёных специалистов инженеров студентов аспирантов вузов академии наук территории площадок
зон особых экономических условий среды качества жизни населения граждан общества
в и на с по для до от о об при за из к не также а но или как что это который которые его их всех`)

// corpusGen generates Russian resolutions deterministically.
type corpusGen struct{ r *rand.Rand }

func newCorpusGen(seed uint64) *corpusGen {
	return &corpusGen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *corpusGen) word() string { return corpusWords[g.r.IntN(len(corpusWords))] }

func (g *corpusGen) sentence(b *strings.Builder, minW, maxW int) {
	n := minW + g.r.IntN(maxW-minW+1)
	for i := range n {
		w := g.word()
		if i == 0 {
			r := []rune(w)
			w = strings.ToUpper(string(r[:1])) + string(r[1:])
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if i < n-1 && g.r.IntN(8) == 0 {
			b.WriteString(",")
		}
	}
}

// resolution generates a resolution of about size bytes: a title, a
// preamble, then sections headed by Roman numerals holding numbered
// paragraphs of one to five sentences, some with lettered sub-items.
func (g *corpusGen) resolution(size int) string {
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteString("ПРОЕКТ\n\nИТОГОВЫЙ ДОКУМЕНТ\nконференции «Государственная поддержка инновационных кластеров в городе Москве»\n\nМосква, 30 ноября 2011 года\n\n")
	g.sentence(&b, 30, 60)
	b.WriteString(".\n\n")
	section, item := 0, 0
	for b.Len() < size {
		if item == 0 || g.r.IntN(25) == 0 {
			section++
			b.WriteString(toRoman(section) + ". ")
			b.WriteString(strings.ToUpper(g.word() + " " + g.word() + " " + g.word()))
			b.WriteString("\n\n")
		}
		item++
		fmt.Fprintf(&b, "%d. ", item)
		for s := range 1 + g.r.IntN(5) {
			if s > 0 {
				b.WriteByte(' ')
			}
			g.sentence(&b, 8, 25)
			b.WriteByte('.')
		}
		if g.r.IntN(6) == 0 {
			b.WriteString(" Рекомендовать:")
			subs := 2 + g.r.IntN(4)
			for k := range subs {
				b.WriteString("\n" + string([]rune("абвгдежз")[k]) + ") ")
				g.sentence(&b, 6, 15)
				if k < subs-1 {
					b.WriteByte(';')
				} else {
					b.WriteByte('.')
				}
			}
		}
		b.WriteString("\n\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// paragraphs splits a generated text into paragraphs (it uses exactly "\n\n").
func paragraphs(s string) []string { return strings.Split(s, "\n\n") }

// editWords makes n word edits in paragraph p: a word replaced, inserted or
// deleted (never the list number, which is the first word).
func (g *corpusGen) editWords(p string, n int) string {
	ws := strings.Split(p, " ")
	for range n {
		if len(ws) < 3 {
			break
		}
		k := 1 + g.r.IntN(len(ws)-1)
		switch g.r.IntN(3) {
		case 0:
			ws[k] = g.word()
		case 1:
			ws = slices.Insert(ws, k, g.word())
		case 2:
			ws = slices.Delete(ws, k, k+1)
		}
	}
	return strings.Join(ws, " ")
}

// benchCase is one revision of the benchmark corpus.
type benchCase struct {
	name, what string
	text       string
}

// corpus is the benchmark corpus: a base resolution of size bytes and its
// revisions (a) a few scattered word edits, (b) about 10% of paragraphs
// changed, (c) paragraphs reordered, (d) an entirely different text.
func corpus(seed uint64, size int) (base string, cases []benchCase) {
	g := newCorpusGen(seed)
	base = g.resolution(size)
	ps := paragraphs(base)

	a := slices.Clone(ps)
	for range 12 {
		k := 4 + g.r.IntN(len(a)-4)
		a[k] = g.editWords(a[k], 1)
	}

	b := slices.Clone(ps)
	for k := 4; k < len(b); k++ {
		if g.r.IntN(10) == 0 {
			b[k] = g.editWords(b[k], 1+g.r.IntN(3))
		}
	}

	// (c): 5% of the paragraphs taken out and put back elsewhere, unchanged.
	c := slices.Clone(ps)
	for range len(c) / 20 {
		from := 4 + g.r.IntN(len(c)-4)
		p := c[from]
		c = slices.Delete(c, from, from+1)
		to := 4 + g.r.IntN(len(c)-4)
		c = slices.Insert(c, to, p)
	}

	d := newCorpusGen(seed + 1000).resolution(size)
	return base, []benchCase{
		{"a", "a few scattered word edits", strings.Join(a, "\n\n")},
		{"b", "about 10% of paragraphs changed", strings.Join(b, "\n\n")},
		{"c", "paragraphs reordered", strings.Join(c, "\n\n")},
		{"d", "an entirely different text", d},
	}
}

var (
	corpusOnce  sync.Once
	corpusBase  string
	corpusCases []benchCase
)

func corpus1MB() (string, []benchCase) {
	corpusOnce.Do(func() { corpusBase, corpusCases = corpus(2011, 1<<20) })
	return corpusBase, corpusCases
}

// TestBenchCorpus generates the benchmark corpus, checks that each revision
// is the kind of change it claims to be and that Diff handles it in time
// without degrading, and with -corpus DIR writes it for scripts/bench-diff.sh.
func TestBenchCorpus(t *testing.T) {
	base, cases := corpus1MB()
	if n := len(base); n < 1<<20 || n > 1<<20+8192 {
		t.Fatalf("base is %d bytes, want about 1 MiB", n)
	}
	// A gross guard only: what is degraded is decided by work, not time.
	limit := 20 * time.Second * raceSlowdown
	for _, c := range cases {
		start := time.Now()
		r := Diff(base, c.text, raceOptions(ModeWord))
		took := time.Since(start)
		checkResult(t, base, c.text, r)
		if took > limit {
			t.Errorf("%s (%s): Diff took %v", c.name, c.what, took)
		}
		if r.Degraded {
			t.Errorf("%s (%s): degraded: %s", c.name, c.what, r.DegradedReason)
		}
		s := r.Stats
		t.Logf("%s (%s): %v, %+v", c.name, c.what, took.Round(time.Millisecond), s)
		np := len(paragraphs(base))
		switch c.name {
		case "a":
			if s.ParagraphsChanged < 8 || s.ParagraphsChanged > 12 || s.ParagraphsAdded+s.ParagraphsRemoved+s.ParagraphsMoved != 0 {
				t.Errorf("a: want about 12 changed paragraphs and nothing else, got %+v", s)
			}
		case "b":
			if s.ParagraphsChanged < np/14 || s.ParagraphsChanged > np/7 || s.ParagraphsAdded+s.ParagraphsRemoved != 0 {
				t.Errorf("b: want about 10%% of %d paragraphs changed, got %+v", np, s)
			}
		case "c":
			if s.ParagraphsMoved < np/25 || s.ParagraphsAdded+s.ParagraphsRemoved+s.ParagraphsChanged != 0 || s.WordsInserted != 0 {
				t.Errorf("c: want about %d pure moves, got %+v", np/20, s)
			}
		case "d":
			if s.ParagraphsAdded < np/2 || s.ParagraphsRemoved < np/2 {
				t.Errorf("d: want most paragraphs replaced, got %+v", s)
			}
		}
	}
	if *corpusDir == "" {
		return
	}
	base4, cases4 := corpus(2012, 4<<20)
	files := map[string]string{"base.txt": base, "base4.txt": base4, "b4.txt": cases4[1].text, "d4.txt": cases4[3].text}
	for _, c := range cases {
		files[c.name+".txt"] = c.text
	}
	if err := os.MkdirAll(*corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(*corpusDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkDiff1MB measures what `redline diff --format unified` does on the
// corpus: Diff, then the unified rendering.
func BenchmarkDiff1MB(b *testing.B) {
	base, cases := corpus1MB()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(base) + len(c.text)))
			for b.Loop() {
				r := Diff(base, c.text, Options{})
				if err := WriteUnified(io.Discard, r, "a", "b"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// wordList is a Hunspell-like dictionary of n lines ("word/FLAGS") and a
// revision of it that rewrites runs of lines, as the big corpus's releases
// do: a text without blank lines, diffed line by line and then word by word
// inside each stretch of changed lines.
func wordList(n int) (old, new string) {
	rng := rand.New(rand.NewPCG(12, 34))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyzéèàç"
		var sb strings.Builder
		for range 4 + rng.IntN(8) {
			sb.WriteRune([]rune(letters)[rng.IntN(30)])
		}
		return sb.String()
	}
	var a, b strings.Builder
	for i := 0; i < n; i++ {
		w := word()
		line := fmt.Sprintf("%s/%c%c\n", w, 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		a.WriteString(line)
		switch r := rng.IntN(10); {
		case r < 4: // flags changed
			fmt.Fprintf(&b, "%s/%c%c\n", w, 'A'+rng.IntN(26), 'a'+rng.IntN(26))
		case r < 5: // replaced
			fmt.Fprintf(&b, "%s/%c\n", word(), 'A'+rng.IntN(26))
		default:
			b.WriteString(line)
		}
	}
	return a.String(), b.String()
}

// BenchmarkDiffWordList is BenchmarkDiff1MB on a word list of about 1 MB
// with half its lines changed (see wordList).
func BenchmarkDiffWordList(b *testing.B) {
	old, new := wordList(80_000)
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		r := Diff(old, new, Options{})
		if err := WriteUnified(io.Discard, r, "a", "b"); err != nil {
			b.Fatal(err)
		}
	}
}
