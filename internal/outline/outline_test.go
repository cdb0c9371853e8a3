package outline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"redline/internal/textdiff"
)

type want struct {
	kind  Kind
	level int
	key   string
	ru    string
	en    string
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{{
		name: "preamble and arabic items with a dot",
		text: "Участники конференции обсудили практику.\n\nИ приняли следующий документ.\n\n1. Первый пункт.\n\n2. Второй пункт.\n",
		want: []want{
			{KindPreamble, 0, "preamble/¶1", "преамбула, абзац 1", "preamble, paragraph 1"},
			{KindPreamble, 0, "preamble/¶2", "преамбула, абзац 2", "preamble, paragraph 2"},
			{KindItem, 1, "1", "пункт 1", "item 1"},
			{KindItem, 1, "2", "пункт 2", "item 2"},
		},
	}, {
		name: "items with a parenthesis",
		text: "1) first;\n\n2) second.",
		want: []want{
			{KindItem, 1, "1)", "пункт 1)", "item 1)"},
			{KindItem, 1, "2)", "пункт 2)", "item 2)"},
		},
	}, {
		name: "multi-level numbers and Cyrillic letters",
		text: "11. Рекомендуется:\n\nа) первое;\n\nб) второе.\n\n11.1. Уточнение.\n\n11.2 Без точки.\n\n12. Последний.",
		want: []want{
			{KindItem, 1, "11", "пункт 11", "item 11"},
			{KindSubItem, 2, "11/а)", "пункт 11, подпункт а)", "item 11, subitem а)"},
			{KindSubItem, 2, "11/б)", "пункт 11, подпункт б)", "item 11, subitem б)"},
			{KindSubItem, 2, "11.1", "пункт 11.1", "item 11.1"},
			{KindSubItem, 2, "11.2", "пункт 11.2", "item 11.2"},
			{KindItem, 1, "12", "пункт 12", "item 12"},
		},
	}, {
		name: "Roman sections: headings and items",
		text: "I. Общие положения\n\n1. Текст.\n\nII. Рекомендации\n\n2. Текст.",
		want: []want{
			{KindHeading, 1, "I", "раздел I", "section I"},
			{KindItem, 1, "1", "пункт 1", "item 1"},
			{KindHeading, 1, "II", "раздел II", "section II"},
			{KindItem, 1, "2", "пункт 2", "item 2"},
		},
	}, {
		name: "Roman items",
		text: "I. Участники отмечают важность кластеров.\n\nII. Участники считают:\n\n1) первое;\n\n2) второе.\n\nIII. Итог",
		want: []want{
			// Sentences, not titles: items.
			{KindItem, 1, "I", "пункт I", "item I"},
			{KindItem, 1, "II", "пункт II", "item II"},
			{KindSubItem, 2, "II/1)", "пункт II, подпункт 1)", "item II, subitem 1)"},
			{KindSubItem, 2, "II/2)", "пункт II, подпункт 2)", "item II, subitem 2)"},
			// A one-line title: a section heading.
			{KindHeading, 1, "III", "раздел III", "section III"},
		},
	}, {
		name: "articles with items restarting in each",
		text: "Статья 5. Участники\n\n1. Первый.\n\n2. Второй.\n\nСтатья 6\n\n1. Первый.\n\nЧасть 2 статьи 6 признать утратившей силу.",
		want: []want{
			{KindHeading, 1, "Статья 5", "Статья 5", "Статья 5"},
			{KindItem, 1, "Статья 5/1", "Статья 5, пункт 1", "Статья 5, item 1"},
			{KindItem, 1, "2", "пункт 2", "item 2"},
			{KindHeading, 1, "Статья 6", "Статья 6", "Статья 6"},
			{KindItem, 1, "Статья 6/1", "Статья 6, пункт 1", "Статья 6, item 1"},
			// A sentence about a part, not a heading: the item's second paragraph.
			{KindPlain, 0, "Статья 6/1/¶2", "Статья 6, пункт 1, абзац 2", "Статья 6, item 1, paragraph 2"},
		},
	}, {
		name: "English articles, Latin letters and lower Roman numerals",
		text: "Article 1 — Scope\n\nThis Charter applies to members.\n\n1. The parties shall:\n\n(a) meet;\n\n(b) report;\n\n(c) publish:\n\n(i) the text;\n\n(ii) the votes.\n\n(d) close.",
		want: []want{
			{KindHeading, 1, "Article 1", "Article 1", "Article 1"},
			{KindPlain, 0, "Article 1/¶1", "Article 1, абзац 1", "Article 1, paragraph 1"},
			{KindItem, 1, "1", "пункт 1", "item 1"},
			{KindSubItem, 2, "1/(a)", "пункт 1, подпункт (a)", "item 1, subitem (a)"},
			{KindSubItem, 2, "1/(b)", "пункт 1, подпункт (b)", "item 1, subitem (b)"},
			// "(c)" follows "(b)": a letter, though it is also a Roman 100.
			{KindSubItem, 2, "1/(c)", "пункт 1, подпункт (c)", "item 1, subitem (c)"},
			{KindSubItem, 3, "1/(c)/(i)", "пункт 1, подпункт (c), подпункт (i)", "item 1, subitem (c), subitem (i)"},
			{KindSubItem, 3, "1/(c)/(ii)", "пункт 1, подпункт (c), подпункт (ii)", "item 1, subitem (c), subitem (ii)"},
			{KindSubItem, 2, "1/(d)", "пункт 1, подпункт (d)", "item 1, subitem (d)"},
		},
	}, {
		name: "Markdown headings and repeated numbers",
		text: "# Итоговый документ\n\nВступление.\n\n## Рекомендации\n\n5. Первый.\n\n5. Опечатка в номере.",
		want: []want{
			{KindHeading, 1, "«Итоговый документ»", "«Итоговый документ»", "“Итоговый документ”"},
			{KindPlain, 0, "«Итоговый документ»/¶1", "«Итоговый документ», абзац 1", "“Итоговый документ”, paragraph 1"},
			{KindHeading, 2, "«Рекомендации»", "«Рекомендации»", "“Рекомендации”"},
			{KindItem, 1, "5", "пункт 5", "item 5"},
			{KindItem, 1, "5#2", "пункт 5 (вхождение 2)", "item 5 (occurrence 2)"},
		},
	}, {
		name: "no numbering at all",
		text: "\n\nПервый абзац.\nВторая строка.\n\nВторой абзац.",
		want: []want{
			{KindBlank, 0, "blank", "пустые строки в начале текста", "blank lines at the start"},
			{KindPlain, 0, "¶1", "абзац 1", "paragraph 1"},
			{KindPlain, 0, "¶2", "абзац 2", "paragraph 2"},
		},
	}, {
		name: "numbers that are not items",
		text: "1.5 млн рублей выделено.\n\n2011 год.\n\nА. С. Пушкин.\n\n3D-печать.",
		want: []want{
			{KindPlain, 0, "¶1", "абзац 1", "paragraph 1"},
			{KindPlain, 0, "¶2", "абзац 2", "paragraph 2"},
			{KindPlain, 0, "¶3", "абзац 3", "paragraph 3"},
			{KindPlain, 0, "¶4", "абзац 4", "paragraph 4"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []want
			for _, p := range Parse(tt.text) {
				got = append(got, want{p.Kind, p.Level, p.Label.Key(), p.Label.Format("ru"), p.Label.Format("en")})
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestNumbersAndText(t *testing.T) {
	text := "  12. Пункт с отступом\n\nСтатья 5. Название статьи\n\n## 3. Раздел\n\nIV. Заключительные положения"
	ps := Parse(text)
	got := make([][4]string, len(ps))
	for i, p := range ps {
		got[i] = [4]string{p.Num, p.Marker, p.Title, p.Text(text)}
	}
	want := [][4]string{
		{"12", "12.", "", "Пункт с отступом"},
		{"Статья 5", "Статья 5.", "Название статьи", "Название статьи"},
		{"3", "3.", "Раздел", "Раздел"},
		{"IV", "IV.", "Заключительные положения", "Заключительные положения"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers and text (-want +got):\n%s", diff)
	}
	// Three heading styles met one after the other nest.
	if ps[1].Parent != -1 || ps[2].Parent != 1 || ps[3].Parent != 2 {
		t.Errorf("parents: %d %d %d", ps[1].Parent, ps[2].Parent, ps[3].Parent)
	}
}

// TestEveryLabelIsUnique: in any text, labels are unique (as keys and as
// Russian and English sentences), indexes agree with the redline's, and
// every parent comes before its children.
func TestEveryLabelIsUnique(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := rapid.OneOf(genDocument(), rapid.String()).Draw(t, "text")
		checkOutline(t, text)
	})
}

func checkOutline(t interface{ Fatalf(string, ...any) }, text string) {
	ps := Parse(text)
	spans := textdiff.Paragraphs(text)
	if len(ps) != len(spans) {
		t.Fatalf("%d paragraphs, textdiff has %d", len(ps), len(spans))
	}
	seen := map[string]int{}
	for i, p := range ps {
		if p.Index != i || p.Start != spans[i].Start || p.End != spans[i].End {
			t.Fatalf("paragraph %d is %d [%d,%d), textdiff says [%d,%d)", i, p.Index, p.Start, p.End, spans[i].Start, spans[i].End)
		}
		if p.Parent >= i {
			t.Fatalf("paragraph %d has parent %d", i, p.Parent)
		}
		if p.TextStart < p.Start || p.TextStart > p.End {
			t.Fatalf("paragraph %d: text starts at %d outside [%d,%d]", i, p.TextStart, p.Start, p.End)
		}
		for _, s := range []string{"k" + p.Label.Key(), "r" + p.Label.Format("ru"), "e" + p.Label.Format("en")} {
			if len(s) == 1 {
				t.Fatalf("paragraph %d (%q) has an empty label", i, text[p.Start:p.End])
			}
			if j, dup := seen[s]; dup {
				t.Fatalf("paragraphs %d (%q) and %d (%q) share the label %q", j, text[ps[j].Start:ps[j].End], i, text[p.Start:p.End], s[1:])
			}
			seen[s] = i
		}
	}
}

// genDocument generates a resolution-like text: a preamble, items in the
// numbering styles used in Russian and English documents, sub-items,
// headings, stray unnumbered paragraphs, repeated and restarted numbers.
func genDocument() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		words := []string{"участники", "конференции", "кластер", "поддержка", "Москвы", "members", "shall", "report", "the", "text"}
		sentence := func(label string) string {
			n := rapid.IntRange(1, 8).Draw(t, label)
			var w []string
			for range n {
				w = append(w, rapid.SampledFrom(words).Draw(t, label+"w"))
			}
			return strings.Join(w, " ") + rapid.SampledFrom([]string{".", ";", ":", ""}).Draw(t, label+"end")
		}
		var paras []string
		for range rapid.IntRange(0, 3).Draw(t, "preamble") {
			paras = append(paras, sentence("pre"))
		}
		top := rapid.SampledFrom([]string{"%d.", "%d)", "(%d)", "%s.", "Статья %d.", "Article %d —"}).Draw(t, "top")
		sub := rapid.SampledFrom([]string{"%c)", "(%c)", "%d.%d.", "%d.%d", "%s)"}).Draw(t, "sub")
		letters := rapid.SampledFrom([]string{"абвгдежзик", "abcdefghij"}).Draw(t, "letters")
		romans := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
		lower := []string{"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
		n := 1
		for range rapid.IntRange(0, 12).Draw(t, "items") {
			switch rapid.IntRange(0, 9).Draw(t, "what") {
			case 0:
				paras = append(paras, rapid.SampledFrom([]string{"## Раздел", "# Section", "Раздел " + romans[n%10], "V. Заключительные положения"}).Draw(t, "heading"))
				if rapid.Bool().Draw(t, "restart") {
					n = 1
				}
			case 1:
				paras = append(paras, sentence("plain"))
			case 2:
				n = rapid.IntRange(1, 5).Draw(t, "jump") // repeated numbers
			default:
				var num string
				switch {
				case strings.Contains(top, "%s"):
					num = fmt.Sprintf(top, romans[(n-1)%10])
				default:
					num = fmt.Sprintf(top, n)
				}
				paras = append(paras, num+" "+sentence("item"))
				for k := range rapid.IntRange(0, 4).Draw(t, "subs") {
					var s string
					switch {
					case strings.Contains(sub, "%c"):
						s = fmt.Sprintf(sub, []rune(letters)[k])
					case strings.Contains(sub, "%s"):
						s = fmt.Sprintf(sub, lower[k])
					default:
						s = fmt.Sprintf(sub, n, k+1)
					}
					paras = append(paras, s+" "+sentence("sub"))
				}
				n++
			}
		}
		sep := rapid.SampledFrom([]string{"\n\n", "\n\n\n", "\r\n\r\n", "\n \n"}).Draw(t, "sep")
		return rapid.SampledFrom([]string{"", "\n\n"}).Draw(t, "lead") + strings.Join(paras, sep)
	})
}

func FuzzParse(f *testing.F) {
	f.Add("Преамбула.\n\n1. Пункт:\n\nа) первый;\n\n1.1. Второй.\n\nСтатья 5. Название\n\n## Title\n\nIV. Раздел")
	f.Add("(c)\n\n(b)\n\n(c)\n\ni)\n\nh)\n\ni)")
	f.Add("\n\n\xff1. x")
	f.Fuzz(func(t *testing.T, text string) {
		checkOutline(t, text)
	})
}
