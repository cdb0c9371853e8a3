package webui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"redline/internal/webui/demo"
)

// layoutJS measures what a reader sees on a page: badges that overlap their
// paragraph, the longest line of running text in characters, and whether
// the public page's download button touches the feed link.
const layoutJS = `(() => {
	const out = {overlaps: [], badges: 0, longest: 0, paras: 0, touching: [], buttons: 0};
	const apart = (a, b, gap) => a.right + gap <= b.left || b.right + gap <= a.left || a.bottom + gap <= b.top || b.bottom + gap <= a.top;
	for (const row of document.querySelectorAll('.prow')) {
		const para = row.querySelector('.para');
		if (!para) continue;
		const pr = para.getBoundingClientRect();
		for (const b of row.querySelectorAll('.badge, .pactions a')) {
			out.badges++;
			const br = b.getBoundingClientRect();
			if (!apart(br, pr, 0)) out.overlaps.push(row.id + ': ' + b.textContent.trim() + ' ' + JSON.stringify(br) + ' over ' + JSON.stringify(pr));
		}
	}
	// The longest line of running text, counted character by character.
	for (const para of document.querySelectorAll('.para, .rl-text')) {
		out.paras++;
		const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
		const lines = new Map();
		const r = document.createRange();
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const s = n.textContent;
			for (let i = 0; i < s.length; i++) {
				if (s[i] === '\n') continue;
				r.setStart(n, i); r.setEnd(n, i + 1);
				const rect = r.getClientRects()[0];
				if (!rect) continue;
				const top = Math.round(rect.top);
				lines.set(top, (lines.get(top) || 0) + 1);
			}
		}
		for (const v of lines.values()) out.longest = Math.max(out.longest, v);
	}
	for (const a of document.querySelectorAll('.actions a.button, .actions .button')) {
		out.buttons++;
		for (const other of a.parentElement.querySelectorAll('a')) {
			if (other === a) continue;
			if (!apart(a.getBoundingClientRect(), other.getBoundingClientRect(), 8)) out.touching.push(a.textContent.trim() + ' / ' + other.textContent.trim());
		}
	}
	return JSON.stringify(out);
})()`

type layout struct {
	Overlaps []string `json:"overlaps"`
	Badges   int      `json:"badges"`
	Longest  int      `json:"longest"`
	Paras    int      `json:"paras"`
	Touching []string `json:"touching"`
	Buttons  int      `json:"buttons"`
}

// TestBrowserReadingMeasure (issue 14), in Chromium at 1280 and 375 px:
// on the document, a revision and the public page, no open-thread badge
// or paragraph action overlaps its paragraph's text, no line of running
// text is longer than 80 characters, and the public page's download button
// keeps clear of the feed link. The pages are also printed (and saved as
// screenshots with -screenshots).
func TestBrowserReadingMeasure(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	d := "/documents/" + demo.Slug
	pub := "/public/" + demo.Slug
	b.signIn("chair")
	for _, width := range []int64{1280, 375} {
		b.do("viewport", chromedp.EmulateViewport(width, 900))
		for _, path := range []string{d, d + "?rev=2", pub} {
			b.open(path)
			var l layout
			if err := json.Unmarshal([]byte(eval[string](b, layoutJS)), &l); err != nil {
				t.Fatal(err)
			}
			if l.Paras < 10 {
				t.Fatalf("%s at %d: only %d paragraphs measured", path, width, l.Paras)
			}
			for _, o := range l.Overlaps {
				t.Errorf("%s at %dpx: a badge overlaps its paragraph: %s", path, width, o)
			}
			if path == d && l.Badges == 0 {
				t.Errorf("%s at %dpx: no badge to measure", path, width)
			}
			if l.Longest > 80 || (width == 1280 && l.Longest < 50) {
				t.Errorf("%s at %dpx: the longest line holds %d characters, want 50–80", path, width, l.Longest)
			}
			if path == pub {
				if l.Buttons == 0 {
					t.Errorf("%s at %dpx: no download button measured", path, width)
				}
				for _, o := range l.Touching {
					t.Errorf("%s at %dpx: touching: %s", path, width, o)
				}
			}
			name := strings.NewReplacer("/", "-", "?", "-", "=", "").Replace(strings.TrimPrefix(path, "/"))
			b.shot(fmt.Sprintf("measure-%s-%d", name, width))
		}
	} // On paper: the text, without the controls that act on it.
	b.do("viewport", chromedp.EmulateViewport(1000, 1400))
	for _, path := range []string{d, pub} {
		b.open(path)
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		shown := eval[[]string](b, `[...document.querySelectorAll('.amend-link, p.actions a, p.downloads a, form button')]
			.filter(el => el.getClientRects().length > 0).map(el => el.textContent.trim())`)
		if len(shown) > 0 {
			t.Errorf("%s in print shows controls: %q", path, shown)
		}
		if n := eval[int](b, `[...document.querySelectorAll('.para')].filter(el => el.getClientRects().length > 0).length`); n < 10 {
			t.Errorf("%s in print shows %d paragraphs", path, n)
		}
		name := strings.NewReplacer("/", "-", "?", "-", "=", "").Replace(strings.TrimPrefix(path, "/"))
		b.shot("measure-print-" + name)
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
	}
}
