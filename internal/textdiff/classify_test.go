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

// TestMerge3DoesNotRepeatWhatEachSideAddedOnce: a paragraph (or a line of a
// list) that ours added at one place and theirs at another is content each
// input has once; a clean merge holding it twice repeats it (the hunt
// corpus: B added a paragraph that D moved, or C put back elsewhere one that
// B had dropped). It is a conflict, as a move of new text cannot be told
// from two additions; a line an input already has twice (a table rule, a
// code fence) may still be added by both.
func TestMerge3DoesNotRepeatWhatEachSideAddedOnce(t *testing.T) {
	tests := []struct{ name, base, ours, theirs string }{
		{
			name:   "a paragraph added at two places",
			base:   "Введение.\n\nПервая статья.\n\nПоследняя статья.\n",
			ours:   "Введение.\n\nНовое положение о порядке голосования.\n\nПервая статья.\n\nПоследняя статья.\n",
			theirs: "Введение.\n\nПервая статья.\n\nПоследняя статья.\n\nНовое положение о порядке голосования.\n",
		},
		{
			name:   "a list line added at two places",
			base:   "Участники:\n\n- Иванов\n- Петров\n- Сидоров\n- Кузнецов\n",
			ours:   "Участники:\n\n- Смирнова\n- Иванов\n- Петров\n- Сидоров\n- Кузнецов\n",
			theirs: "Участники:\n\n- Иванов\n- Петров\n- Сидоров\n- Кузнецов\n- Смирнова\n",
		},
		{
			name:   "a paragraph dropped by base, put back at two places",
			base:   "Intro.\n\nFirst.\n\nMiddle.\n\nLast.\n",
			ours:   "Intro.\n\nWhere needed under applicable law, we obtain consent.\n\nFirst.\n\nMiddle.\n\nLast.\n",
			theirs: "Intro.\n\nFirst.\n\nMiddle.\n\nWhere needed under applicable law, we obtain consent.\n\nLast.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Merge3(tc.base, tc.ours, tc.theirs)
			checkMerge(t, m)
			if len(m.Conflicts) == 0 {
				t.Fatalf("merged clean to %q, want a conflict", m.Text)
			}
			if m.Text != tc.ours {
				t.Errorf("Text = %q, want ours %q (the conflict holds ours)", m.Text, tc.ours)
			}
		})
	}
	// Lines an input already has more than once may be added by both.
	base := "Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n\nEnd.\n"
	ours := "Intro.\n\n| x | y |\n|---|---|\n| 5 | 6 |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n\nEnd.\n"
	theirs := "Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n\nEnd.\n\n| z | w |\n|---|---|\n| 7 | 8 |\n"
	m := Merge3(base, ours, theirs)
	want := "Intro.\n\n| x | y |\n|---|---|\n| 5 | 6 |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n\nEnd.\n\n| z | w |\n|---|---|\n| 7 | 8 |\n"
	if len(m.Conflicts) > 0 || m.Text != want {
		t.Errorf("two new tables: Merge3 = %q with %d conflicts, want %q clean", m.Text, len(m.Conflicts), want)
	}
}

// TestMerge3RepeatConflictSparesIdenticalRegions: when a line is written
// too often, only the regions where ours and theirs differ become conflicts;
// a region both sides changed alike stays merged (a conflict with identical
// sides is no conflict). The official corpus had 33 such conflicts (gin's
// README, a code block both sides edited alike, its lines added elsewhere).
func TestMerge3RepeatConflictSparesIdenticalRegions(t *testing.T) {
	base := "Intro.\n\nCall foo now.\n\nMiddle.\n\nEnd.\n"
	ours := "Intro.\n\nCall foo(x) now.\n\nMiddle.\n\nEnd.\n\nCall foo(x) now.\n"
	theirs := "Call foo(x) now.\n\nIntro.\n\nCall foo(x) now.\n\nMiddle.\n\nEnd.\n"
	m := Merge3(base, ours, theirs)
	checkMerge(t, m)
	if len(m.Conflicts) == 0 {
		t.Fatalf("merged clean to %q, want the two additions in conflict", m.Text)
	}
	for k, c := range m.Conflicts {
		if c.Ours == c.Theirs {
			t.Errorf("conflict %d has identical sides %q", k, c.Ours)
		}
	}
}
