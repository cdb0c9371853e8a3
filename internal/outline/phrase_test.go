package outline

import "testing"

func TestGenitiveAndMoveNote(t *testing.T) {
	text := "Участники конференции.\n\nИ ещё.\n\nСтатья 5. Цели\n\n1. Первый.\n\nа) подпункт;\n\nВторой абзац первого.\n\n## Рекомендации\n\n2. Второй."
	ps := Parse(text)
	want := []string{"преамбулы, абзаца 1", "преамбулы, абзаца 2", "Статьи 5", "пункта 1", "пункта 1, подпункта а)", "пункта 1, подпункта а), абзаца 2", "«Рекомендации»", "пункта 2"}
	if len(ps) != len(want) {
		t.Fatalf("%d paragraphs, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		if got := p.Label.Genitive("ru"); got != want[i] {
			t.Errorf("paragraph %d (%s): genitive %q, want %q", i, p.Label.Format("ru"), got, want[i])
		}
		if got, en := p.Label.Genitive("en"), p.Label.Format("en"); got != en {
			t.Errorf("paragraph %d: English %q, want Format's %q", i, got, en)
		}
	}
	item := func(n string) Label { return Label{Parts: []Part{{Kind: PartItem, Text: n}}} }
	tests := []struct {
		lang  string
		after *Label
		want  string
	}{
		{"ru", &[]Label{item("11")}[0], "перенесён: пункт 16 → после пункта 11"},
		{"en", &[]Label{item("11")}[0], "moved: item 16 → after item 11"},
		{"ru", &ps[1].Label, "перенесён: пункт 16 → после преамбулы, абзаца 2"},
		{"en", &ps[1].Label, "moved: item 16 → after preamble, paragraph 2"},
		{"ru", nil, "перенесён: пункт 16 → в начало текста"},
		{"en", nil, "moved: item 16 → to the start"},
	}
	for _, tt := range tests {
		if got := MoveNote(tt.lang, item("16"), tt.after); got != tt.want {
			t.Errorf("MoveNote(%s): %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	ps := Parse("Преамбула.\n\nВторой абзац.\n\n3. Три.\n\nа) подпункт.\n\n11. Одиннадцать.\n\n16. Шестнадцать.")
	ls := func(is ...int) []Label {
		var out []Label
		for _, i := range is {
			out = append(out, ps[i].Label)
		}
		return out
	}
	tests := []struct {
		ls     []Label
		ru, en string
	}{
		{ls(2, 4, 5), "пункты 3, 11, 16", "items 3, 11, 16"},
		{ls(4), "пункт 11", "item 11"},
		{ls(1, 2, 4), "преамбула, абзац 2; пункты 3, 11", "preamble, paragraph 2; items 3, 11"},
		{ls(2, 3, 5), "пункт 3; пункт 3, подпункт а); пункт 16", "item 3; item 3, subitem а); item 16"},
		{nil, "", ""},
	}
	for _, tt := range tests {
		if got := List("ru", tt.ls); got != tt.ru {
			t.Errorf("ru: %q, want %q", got, tt.ru)
		}
		if got := List("en", tt.ls); got != tt.en {
			t.Errorf("en: %q, want %q", got, tt.en)
		}
	}
}
