package webui

import (
	"fmt"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// keyboardControlsJS marks every control a keyboard user must be able to
// reach on the page (links, buttons, fields, summaries, anything with a
// tabindex of 0 or more) that is shown: not hidden, not inside a closed
// details element other than as its summary. Radio buttons count once per
// group, since Tab enters a group at one of them. It returns their count.
const keyboardControlsJS = `(() => {
	for (const el of document.querySelectorAll('[data-kb]')) delete el.dataset.kb;
	const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not(main)';
	const shown = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
	let n = 0;
	const groups = {};
	for (const el of document.querySelectorAll(sel)) {
		if (el.disabled || el.closest('[hidden]') || !shown(el)) continue;
		if (el.matches('[tabindex]') && !el.matches('a[href], button, input, select, textarea, summary') && el.tabIndex < 0) continue;
		const closed = el.closest('details:not([open])');
		if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) continue;
		if (getComputedStyle(el).visibility === 'hidden') continue;
		if (el.type === 'radio') {
			const g = 'radio:' + el.name;
			if (!(g in groups)) groups[g] = String(n++);
			el.dataset.kb = groups[g];
			continue;
		}
		el.dataset.kb = String(n++);
	}
	document.activeElement && document.activeElement.blur();
	window.getSelection().removeAllRanges();
	window.scrollTo(0, 0);
	return n;
})()`

// focusedJS describes the focused element: which control it is, whether
// it is on screen, and whether a focus indicator (an outline or a box
// shadow, as computed) shows it.
const focusedJS = `(() => {
	const el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) return {key: '', what: '', visible: true, ring: true, body: true};
	const r = el.getBoundingClientRect();
	const cs = getComputedStyle(el);
	const visible = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth &&
		cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0;
	const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow !== '' && cs.boxShadow !== 'none');
	return {key: el.dataset.kb || '', what: el.outerHTML.slice(0, 100), visible, ring, body: false};
})()`

type focused struct {
	Key     string `json:"key"`
	What    string `json:"what"`
	Visible bool   `json:"visible"`
	Ring    bool   `json:"ring"`
	Body    bool   `json:"body"`
}

// keyboardProblems tabs through the page from its start and reports every
// focused element that is off screen or has no focus indicator, and every
// control Tab never reached.
func (b *browser) keyboardProblems() []string {
	b.t.Helper()
	n := eval[int](b, keyboardControlsJS)
	reached := map[string]bool{}
	var problems []string
	first := ""
	for i := 0; i < n+20; i++ {
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		f := eval[focused](b, focusedJS)
		if f.Body || (i > 0 && f.Key != "" && f.Key == first) {
			break // round the page and back
		}
		if i == 0 {
			first = f.Key
		}
		if f.Key != "" {
			reached[f.Key] = true
		}
		if !f.Visible {
			problems = append(problems, "focused but not visible: "+f.What)
		}
		if !f.Ring {
			problems = append(problems, "focused without a focus indicator: "+f.What)
		}
	}
	for i := 0; i < n; i++ {
		if k := fmt.Sprint(i); !reached[k] {
			what := eval[string](b, `(document.querySelector('[data-kb="`+k+`"]') || {outerHTML: ''}).outerHTML.slice(0, 100)`)
			problems = append(problems, "not reachable by Tab: "+what)
		}
	}
	return problems
}

// keyboard checks the open page with keyboardProblems.
func (b *browser) keyboard(path string) {
	b.t.Helper()
	for _, p := range b.keyboardProblems() {
		b.t.Errorf("%s: keyboard: %s", path, p)
	}
}
