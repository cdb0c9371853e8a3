package httpapi_test

// issue 14: a move in the JSON redline is named by labels and in words.

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMoveByLabelOverHTTP(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	items := []string{
		"Участники конференции отмечают рост числа инновационных кластеров в городе Москве за последние годы.",
		"Рекомендуется создать центр кластерного развития при Департаменте науки и промышленной политики.",
		"Поддержать пилотный кластер малых и средних предприятий в области информационных технологий.",
		"Подготовить дорожную карту развития кластеров на период до 2015 года с ежегодным пересмотром.",
		"Участники предлагают ежегодно проводить мониторинг развития кластеров и публиковать его результаты.",
	}
	text := func(order ...int) string {
		var b strings.Builder
		b.WriteString("Итоговый документ\n")
		for n, i := range order {
			b.WriteString("\n" + itoa(n+1) + ". " + items[i] + "\n")
		}
		return b.String()
	}
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": text(0, 1, 2, 3, 4), "message": "пять пунктов"}), 201)
	// Item 5 goes after item 2 (and becomes item 3); then it opens the text.
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": text(0, 1, 4, 2, 3), "message": "п. 5 → после п. 2"}), 201)
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 3,
		"text": "1. " + items[4] + "\n\nИтоговый документ\n\n2. " + items[0] + "\n\n3. " + items[1] + "\n\n4. " + items[2] + "\n\n5. " + items[3] + "\n", "message": "в начало"}), 201)
	type move struct {
		OldLabel   string  `json:"old_label"`
		NewLabel   string  `json:"new_label"`
		AfterLabel *string `json:"after_label"`
		Note       string  `json:"note"`
	}
	moves := func(from, to string) []move {
		t.Helper()
		var d struct {
			Paragraphs []struct {
				Kind string `json:"kind"`
				Move *move  `json:"move"`
			} `json:"paragraphs"`
		}
		r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff?from="+from+"&to="+to, nil), 200)
		if err := json.Unmarshal(r.Body, &d); err != nil {
			t.Fatal(err)
		}
		var out []move
		for _, p := range d.Paragraphs {
			if p.Move != nil {
				out = append(out, *p.Move)
			}
		}
		return out
	}
	ms := moves("2", "3")
	if len(ms) != 2 {
		t.Fatalf("%d move halves, want 2: %+v", len(ms), ms)
	}
	for _, m := range ms {
		if m.OldLabel != "пункт 5" || m.NewLabel != "пункт 3" || m.AfterLabel == nil || *m.AfterLabel != "пункт 2" ||
			m.Note != "перенесён: пункт 5 → после пункта 2" {
			t.Errorf("move: %+v", m)
		}
	}
	ms = moves("3", "4")
	if len(ms) == 0 {
		t.Fatal("no move to the start")
	}
	for _, m := range ms {
		if m.AfterLabel != nil || m.Note != "перенесён: пункт 3 → в начало текста" {
			t.Errorf("move to the start: after %v, note %q", m.AfterLabel, m.Note)
		}
	}
}
