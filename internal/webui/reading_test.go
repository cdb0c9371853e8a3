package webui

import (
	"strings"
	"testing"

	"redline/internal/textdiff"
)

var readingItems = []string{
	"Участники конференции отмечают рост числа инновационных кластеров в городе Москве за последние годы.",
	"Рекомендуется создать центр кластерного развития при Департаменте науки и промышленной политики.",
	"Поддержать пилотный кластер малых и средних предприятий в области информационных технологий.",
	"Подготовить дорожную карту развития кластеров на период до 2015 года с ежегодным пересмотром.",
	"Участники предлагают ежегодно проводить мониторинг развития кластеров и публиковать его результаты.",
	"Рабочей группе поручается доработать проект итогового документа с учётом высказанных замечаний.",
}

func numbered(order ...int) string {
	var ps []string
	for n, i := range order {
		ps = append(ps, string(rune('1'+n))+". "+readingItems[i])
	}
	return "Итоговый документ\n\n" + strings.Join(ps, "\n\n") + "\n"
}

// TestRedlineWithoutOutlines: a redline laid out without the document at
// hand (a public page, a preview) still names moves and items by label,
// in the language of its text, and folds the unchanged run.
func TestRedlineWithoutOutlines(t *testing.T) {
	r := newRedline(textdiff.Diff(numbered(0, 1, 2, 3, 4, 5), numbered(0, 4, 1, 2, 3, 5), textdiff.Options{}))
	var moves []string
	for _, p := range r.Paras {
		if p.Move != nil {
			moves = append(moves, p.Move.Label+" → "+p.Move.AfterFor("ru"))
		}
	}
	if strings.Join(moves, "|") != "пункт 5 → пункта 1|пункт 5 → пункта 1" {
		t.Errorf("moves: %q", moves)
	}
	if r.ChangedSet.Text != "пункт 5" || r.ChangedSet.Form != "one" {
		t.Errorf("changed: %+v", r.ChangedSet)
	}
	if len(r.Blocks) == 0 || r.Blocks[0].Fold {
		t.Errorf("blocks: %+v", r.Blocks)
	}
	if got := textLanguage("Item 1. The participants"); got != "en" {
		t.Errorf("English text read as %s", got)
	}
	if got := textLanguage(numbered(0)); got != "ru" {
		t.Errorf("Russian text read as %s", got)
	}
}

func TestBigDeletion(t *testing.T) {
	full := numbered(0, 1, 2, 3, 4, 5)
	tests := []struct {
		name string
		to   string
		big  bool
	}{
		{"two items of six", numbered(0, 1, 2, 3), false},
		{"five items of six", numbered(0), true},
		{"everything", "", true},
		{"a move is no deletion", numbered(5, 4, 3, 2, 1, 0), false},
	}
	for _, tt := range tests {
		d := bigDeletion(textdiff.Diff(full, tt.to, textdiff.Options{}))
		if (d != nil) != tt.big {
			t.Errorf("%s: %+v", tt.name, d)
		}
		if d != nil && (d.Percent <= 50 || d.Percent > 100 || d.Deleted > d.Total) {
			t.Errorf("%s: %+v", tt.name, d)
		}
	}
}
