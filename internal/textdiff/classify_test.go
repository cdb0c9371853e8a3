package textdiff

import "testing"

// TestClassifyMergeInsideParagraph pins the corpus classifier on the
// minimal forms of five clean merges the hunt corpus (scripts/corpus-hunt.sh)
// flagged as wrong at paragraph level: in each, C undid one of B's edits to
// a paragraph while keeping or making other edits to it, so C's paragraph is
// in neither A nor B as a whole, but word by word (line by line) the merge is
// B's text where C has A's again, touching nothing C changed; Merge3 merges
// the disjoint edits as diff3 does (git merge-file gives the same text for
// the multi-line ones). The classifier must accept those and still reject a
// merge with a word from none of the inputs, a dropped change of C, or a
// repeated word.
func TestClassifyMergeInsideParagraph(t *testing.T) {
	undone := []struct {
		name, a, b, c, want string
	}{
		{
			// Open Terms Archive, Facebook privacy policy (French).
			name: "C reverts B's verb and rewrites the tail",
			a:    "Intro.\n\nComment nous montrons les publicités et autres contenus commerciaux ou sponsorisés.\n\nFin.\n",
			b:    "Intro.\n\nComment nous affichons les publicités et autres contenus commerciaux ou sponsorisés.\n\nFin.\n",
			c:    "Intro.\n\nComment nous montrons les publicités (si nous vous en montrons).\n\nFin.\n",
			want: "Intro.\n\nComment nous affichons les publicités (si nous vous en montrons).\n\nFin.\n",
		},
		{
			// ru.javascript.info, recursion: B translated an image's
			// text, C went back to the English one and changed the file.
			name: "C reverts B's translation and changes the link",
			a:    "Список:\n\n![linked list](linked-list.png)\n\nДалее.\n",
			b:    "Список:\n\n![связанный список](linked-list.png)\n\nДалее.\n",
			c:    "Список:\n\n![linked list](linked-list.svg)\n\nДалее.\n",
			want: "Список:\n\n![связанный список](linked-list.svg)\n\nДалее.\n",
		},
		{
			// ru.javascript.info, array methods: C keeps B's rewording
			// but one word.
			name: "C keeps B's edits of a sentence but one",
			a:    "Начало.\n\nНо если объект имеет специальное свойство, то он обрабатывается `concat` как массив: вместо него добавляются его элементы.\n",
			b:    "Начало.\n\nНо если объект, подобный массиву, имеет специальное свойство, то он обрабатывается как массив с помощью `concat`: вместо этого добавляются его элементы:\n",
			c:    "Начало.\n\nНо если объект, подобный массиву, имеет специальное свойство, то он обрабатывается как массив с помощью `concat`: вместо него добавляются его элементы:\n",
			want: "Начало.\n\nНо если объект, подобный массиву, имеет специальное свойство, то он обрабатывается как массив с помощью `concat`: вместо этого добавляются его элементы:\n",
		},
		{
			// ru.javascript.info, object methods: a code block merged
			// line by line.
			name: "C reverts B's line and edits another",
			a:    "Пример:\n\n// сначала объявляем\nfunction sayHi() {\n  alert(\"Привет!\");\n};\n\nКонец.\n",
			b:    "Пример:\n\n// сначала объявляем\nfunction sayHi() {\n  alert(\"Привет!\");\n}\n\nКонец.\n",
			c:    "Пример:\n\n// во-первых, объявляем\nfunction sayHi() {\n  alert(\"Привет!\");\n};\n\nКонец.\n",
			want: "Пример:\n\n// во-первых, объявляем\nfunction sayHi() {\n  alert(\"Привет!\");\n}\n\nКонец.\n",
		},
		{
			// Open Terms Archive, Wikimedia terms of use: a list of
			// languages.
			name: "C drops B's list item and keeps B's other edit",
			a:    "Languages:\n\n* [Bahasa Melayu](ms)\n* [Cymraeg](cy)\n* [polski](pl \"Zasady:Warunki korzystania\")\n\nEnd.\n",
			b:    "Languages:\n\n* [Bahasa Melayu](ms)\n* [British English](en-gb)\n* [Cymraeg](cy)\n* [polski](pl \"Warunki korzystania\")\n\nEnd.\n",
			c:    "Languages:\n\n* [Bahasa Melayu](ms)\n* [Cymraeg](cy)\n* [polski](pl \"Warunki korzystania\")\n\nEnd.\n",
			want: "Languages:\n\n* [Bahasa Melayu](ms)\n* [British English](en-gb)\n* [Cymraeg](cy)\n* [polski](pl \"Warunki korzystania\")\n\nEnd.\n",
		},
	}
	for _, tc := range undone {
		t.Run(tc.name, func(t *testing.T) {
			m := Merge3(tc.a, tc.b, tc.c)
			checkMerge(t, m)
			if len(m.Conflicts) > 0 || m.Text != tc.want {
				t.Fatalf("Merge3 = %q with %d conflicts, want %q clean", m.Text, len(m.Conflicts), tc.want)
			}
			if v := classifyMerge(tc.a, tc.b, tc.c, m.Text); v != mergeUndoneWords {
				t.Errorf("classified %d, want %d (C undid part of B inside a paragraph)", v, mergeUndoneWords)
			}
		})
	}
	a := "Intro.\n\nComment nous montrons les publicités et autres contenus.\n\nFin.\n"
	b := "Intro.\n\nComment nous affichons les publicités et autres contenus.\n\nFin.\n"
	c := "Intro.\n\nComment nous montrons les publicités (si nous vous en montrons).\n\nFin.\n"
	for name, m := range map[string]string{
		"a word from none of the inputs": "Intro.\n\nComment nous présentons les publicités (si nous vous en montrons).\n\nFin.\n",
		"C's change dropped":             "Intro.\n\nComment nous affichons les publicités et autres contenus.\n\nFin.\n",
		"a word repeated":                "Intro.\n\nComment nous affichons les les publicités (si nous vous en montrons).\n\nFin.\n",
		"B's word at another place":      "Intro.\n\nComment nous montrons les publicités (si nous vous en affichons).\n\nFin.\n",
	} {
		if v := classifyMerge(a, b, c, m); v != mergeWrong {
			t.Errorf("%s: classified %d, want wrong (%d)", name, v, mergeWrong)
		}
	}
}
