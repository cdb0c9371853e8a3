package outline

// issue 14 (reading aids): labels inside sentences — "после пункта 11",
// "пункты 3, 11, 16" — and the wording of a move.

import (
	"strconv"
	"strings"
	"unicode"
)

// genitive is the Russian genitive of the words labels use, and of the
// division words a heading's number carries ("Статья 5" → "Статьи 5").
var genitive = map[string]string{
	"пункт": "пункта", "подпункт": "подпункта", "раздел": "раздела", "абзац": "абзаца",
	"преамбула": "преамбулы", "статья": "статьи", "часть": "части", "глава": "главы",
}

// Genitive renders the label as the object of "после" (after): in Russian
// in the genitive case, "пункта 11", "преамбулы, абзаца 2", "Статьи 5,
// пункта 1"; in English as Format does.
func (l Label) Genitive(lang string) string {
	if lang != "ru" {
		return l.Format(lang)
	}
	if l.Blank {
		return "пустых строк в начале текста"
	}
	var parts []string
	if l.Preamble {
		parts = append(parts, "преамбулы")
	}
	for _, p := range l.Parts {
		var s string
		switch p.Kind {
		case PartItem:
			s = "пункта " + p.Text
		case PartSubItem:
			s = "подпункта " + p.Text
		case PartSection:
			s = "раздела " + p.Text
		case PartTitle:
			s = "«" + p.Text + "»"
		default:
			s = genitiveWord(p.Text)
		}
		if p.Occurrence > 0 {
			s += " (вхождение " + strconv.Itoa(p.Occurrence) + ")"
		}
		parts = append(parts, s)
	}
	if l.Para > 0 {
		parts = append(parts, "абзаца "+strconv.Itoa(l.Para))
	}
	return strings.Join(parts, ", ")
}

// genitiveWord puts the first word of s in the genitive when it is a word
// labels know, keeping its capital.
func genitiveWord(s string) string {
	w, rest, _ := strings.Cut(s, " ")
	g, ok := genitive[strings.ToLower(w)]
	if !ok {
		return s
	}
	if r := []rune(w); len(r) > 0 && unicode.IsUpper(r[0]) {
		gr := []rune(g)
		gr[0] = unicode.ToUpper(gr[0])
		g = string(gr)
	}
	if rest == "" {
		return g
	}
	return g + " " + rest
}

// MoveNote words a move the way people say it: "перенесён: пункт 16 →
// после пункта 11" ("moved: item 16 → after item 11"), where moved is the
// paragraph's label where it was and after the label of the paragraph it
// now follows; nil after means it now opens the text ("→ в начало текста",
// "→ to the start").
func MoveNote(lang string, moved Label, after *Label) string {
	if lang != "ru" {
		if after == nil {
			return "moved: " + moved.Format("en") + " → to the start"
		}
		return "moved: " + moved.Format("en") + " → after " + after.Format("en")
	}
	if after == nil {
		return "перенесён: " + moved.Format("ru") + " → в начало текста"
	}
	return "перенесён: " + moved.Format("ru") + " → после " + after.Genitive("ru")
}

// plainItem reports whether l names a top-level numbered item and nothing
// more ("пункт 11"), the labels List gathers under one word.
func plainItem(l Label) bool {
	return !l.Blank && !l.Preamble && l.Para == 0 && len(l.Parts) == 1 &&
		l.Parts[0].Kind == PartItem && l.Parts[0].Occurrence == 0
}

// List names several paragraphs in one phrase, in their order: plain items
// gathered under one word ("пункты 3, 11, 16", "items 3, 11, 16"; "пункт
// 11" alone), any other label as Format renders it, the groups separated
// by semicolons ("преамбула, абзац 2; пункты 3, 11").
func List(lang string, ls []Label) string {
	one, many := "item", "items"
	if lang == "ru" {
		one, many = "пункт", "пункты"
	}
	var groups []string
	var nums []string
	flush := func() {
		switch len(nums) {
		case 0:
			return
		case 1:
			groups = append(groups, one+" "+nums[0])
		default:
			groups = append(groups, many+" "+strings.Join(nums, ", "))
		}
		nums = nil
	}
	for _, l := range ls {
		if plainItem(l) {
			nums = append(nums, l.Parts[0].Text)
			continue
		}
		flush()
		groups = append(groups, l.Format(lang))
	}
	flush()
	return strings.Join(groups, "; ")
}
