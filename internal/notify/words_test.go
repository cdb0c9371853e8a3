package notify

import (
	"regexp"
	"slices"
	"testing"
)

var verbs = regexp.MustCompile(`%[-+# 0-9.\[\]]*[a-zA-Z%]`)

func TestWordsComplete(t *testing.T) {
	for key, ru := range words["ru"] {
		en, ok := words["en"][key]
		if !ok {
			t.Errorf("%q has no English sentence", key)
			continue
		}
		if a, b := verbs.FindAllString(ru, -1), verbs.FindAllString(en, -1); !slices.Equal(a, b) {
			t.Errorf("%q: Russian takes %v, English %v", key, a, b)
		}
	}
	for key := range words["en"] {
		if _, ok := words["ru"][key]; !ok {
			t.Errorf("%q has no Russian sentence", key)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int64]string{
		1: "новое событие", 2: "новых события", 4: "новых события", 5: "новых событий", 11: "новых событий",
		12: "новых событий", 14: "новых событий", 21: "новое событие", 22: "новых события", 25: "новых событий",
		101: "новое событие", 111: "новых событий", 112: "новых событий", 0: "новых событий",
	} {
		if got := plural("ru", n, "event"); got != want {
			t.Errorf("ru %d: %q, want %q", n, got, want)
		}
	}
	if plural("en", 1, "event") != "update" || plural("en", 2, "event") != "updates" {
		t.Error("English plural")
	}
}
