package office

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Random Russian texts and random edits of them, for the property tests and
// the real-client tests.

var ruWords = strings.Fields(`конференция участники кластер инновационный развитие города Москвы поддержка
государственной программы научных организаций предприятий промышленных создание институтов механизм
финансирование малого бизнеса технологий проект региональный решение рекомендовать отметить обеспечить
налоговых льгот инфраструктуры технопарков особой экономической зоны правительству предложить рассмотреть
Минэкономразвития «Сколково» 2012 2013 году 15 процентов млрд рублей и в на по для с о`)

var seps = []string{"\n\n", "\n\n", "\n\n\n", "\n \n", "\n\n\n\n"}

// genParagraph draws one paragraph: words, sometimes a line break, sometimes
// a list number.
func genParagraph(t *rapid.T, label string) string {
	n := rapid.IntRange(1, 14).Draw(t, label+"-words")
	var b strings.Builder
	for i := range n {
		w := rapid.SampledFrom(ruWords).Draw(t, label+"-word")
		if i == 0 {
			r, size := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[size:]
		} else if rapid.IntRange(0, 11).Draw(t, label+"-break") == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(w)
		if rapid.IntRange(0, 7).Draw(t, label+"-punct") == 0 {
			b.WriteString(rapid.SampledFrom([]string{",", ";", ":", " —"}).Draw(t, label+"-mark"))
		}
	}
	b.WriteString(rapid.SampledFrom([]string{".", ".", ";", ":"}).Draw(t, label+"-end"))
	return b.String()
}

type genDoc struct {
	paras    []string
	numbered []bool
	style    string
}

func (d *genDoc) text(t *rapid.T, label string) string {
	var b strings.Builder
	b.WriteString(rapid.SampledFrom([]string{"", "", "\n", "\n\n"}).Draw(t, label+"-lead"))
	num := 0
	for i, p := range d.paras {
		if i > 0 {
			b.WriteString(rapid.SampledFrom(seps).Draw(t, label+"-sep"))
		}
		if d.numbered[i] {
			num++
			b.WriteString(marker(d.style, num) + " ")
		}
		b.WriteString(p)
	}
	b.WriteString(rapid.SampledFrom([]string{"", "\n", "\n\n"}).Draw(t, label+"-final"))
	return b.String()
}

func marker(style string, n int) string {
	switch style {
	case "а)":
		return formatNum(n, numLowerCyrillic) + ")"
	case "I.":
		return toRoman(n) + "."
	case "1.1.":
		return "1." + strconv.Itoa(n) + "."
	}
	return strconv.Itoa(n) + "."
}

func genDocument(t *rapid.T) *genDoc {
	n := rapid.IntRange(1, 9).Draw(t, "paragraphs")
	d := &genDoc{style: rapid.SampledFrom([]string{"1.", "а)", "I.", "1.1."}).Draw(t, "style")}
	all := rapid.Bool().Draw(t, "numbered")
	for i := range n {
		d.paras = append(d.paras, genParagraph(t, "p"+strconv.Itoa(i)))
		d.numbered = append(d.numbered, all && rapid.IntRange(0, 4).Draw(t, "unnumbered") > 0)
	}
	return d
}

// editDocument applies 1 to 4 random edits: words changed, paragraphs
// inserted, deleted, moved, split and joined, line breaks added and
// removed. Numbers follow the paragraphs, so inserting one renumbers the rest.
func editDocument(t *rapid.T, d *genDoc) *genDoc {
	e := &genDoc{paras: append([]string(nil), d.paras...), numbered: append([]bool(nil), d.numbered...), style: d.style}
	edits := rapid.IntRange(1, 4).Draw(t, "edits")
	for range edits {
		i := rapid.IntRange(0, len(e.paras)-1).Draw(t, "at")
		switch rapid.SampledFrom([]string{"word", "word", "insert", "delete", "move", "split", "join", "break", "line to paragraph", "paragraph to line"}).Draw(t, "edit") {
		case "word":
			ws := strings.Split(e.paras[i], " ")
			k := rapid.IntRange(0, len(ws)-1).Draw(t, "word")
			switch rapid.IntRange(0, 2).Draw(t, "how") {
			case 0:
				ws[k] = rapid.SampledFrom(ruWords).Draw(t, "new word")
			case 1:
				ws = append(ws[:k], append([]string{rapid.SampledFrom(ruWords).Draw(t, "added word")}, ws[k:]...)...)
			default:
				if len(ws) > 1 {
					ws = append(ws[:k], ws[k+1:]...)
				}
			}
			e.paras[i] = strings.Join(ws, " ")
		case "insert":
			e.paras = append(e.paras[:i], append([]string{genParagraph(t, "new")}, e.paras[i:]...)...)
			e.numbered = append(e.numbered[:i], append([]bool{e.numbered[i]}, e.numbered[i:]...)...)
		case "delete":
			if len(e.paras) > 1 {
				e.paras = append(e.paras[:i], e.paras[i+1:]...)
				e.numbered = append(e.numbered[:i], e.numbered[i+1:]...)
			}
		case "move":
			j := rapid.IntRange(0, len(e.paras)-1).Draw(t, "to")
			p, n := e.paras[i], e.numbered[i]
			e.paras = append(e.paras[:i], e.paras[i+1:]...)
			e.numbered = append(e.numbered[:i], e.numbered[i+1:]...)
			e.paras = append(e.paras[:j], append([]string{p}, e.paras[j:]...)...)
			e.numbered = append(e.numbered[:j], append([]bool{n}, e.numbered[j:]...)...)
		case "split":
			if k := strings.LastIndex(e.paras[i], " "); k > 0 {
				a, b := e.paras[i][:k], e.paras[i][k+1:]
				e.paras[i] = a
				e.paras = append(e.paras[:i+1], append([]string{b}, e.paras[i+1:]...)...)
				e.numbered = append(e.numbered[:i+1], append([]bool{false}, e.numbered[i+1:]...)...)
			}
		case "join":
			if i+1 < len(e.paras) {
				e.paras[i] += " " + e.paras[i+1]
				e.paras = append(e.paras[:i+1], e.paras[i+2:]...)
				e.numbered = append(e.numbered[:i+1], e.numbered[i+2:]...)
			}
		case "line to paragraph":
			if k := strings.Index(e.paras[i], "\n"); k > 0 {
				a, b := e.paras[i][:k], e.paras[i][k+1:]
				e.paras[i] = a
				e.paras = append(e.paras[:i+1], append([]string{b}, e.paras[i+1:]...)...)
				e.numbered = append(e.numbered[:i+1], append([]bool{false}, e.numbered[i+1:]...)...)
			}
		case "paragraph to line":
			if i+1 < len(e.paras) && !e.numbered[i+1] {
				e.paras[i] += "\n" + e.paras[i+1]
				e.paras = append(e.paras[:i+1], e.paras[i+2:]...)
				e.numbered = append(e.numbered[:i+1], e.numbered[i+2:]...)
			}
		case "break":
			if strings.Contains(e.paras[i], "\n") {
				e.paras[i] = strings.Replace(e.paras[i], "\n", " ", 1)
			} else if k := strings.Index(e.paras[i], " "); k > 0 {
				e.paras[i] = e.paras[i][:k] + "\n" + e.paras[i][k+1:]
			}
		}
	}
	return e
}

// paragraphsOf splits a Redline text into its paragraphs, each with the
// spaces at its line ends removed: what a word processor shows.
func paragraphsOf(text string) []string {
	var out, cur []string
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimRight(line, " \t\r")
		if strings.TrimSpace(l) == "" {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, "\n"))
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// squash normalises white space: every run becomes one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func squashAll(ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if s := squash(p); s != "" {
			out = append(out, s)
		}
	}
	return out
}
