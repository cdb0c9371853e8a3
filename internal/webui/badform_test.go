package webui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"redline/internal/webui/demo"
)

// TestMalformedTextFormsAreNotTooLarge: a text form whose body is not a
// form (a multipart body without its boundary, broken percent-encoding)
// was answered 413 with «the text is over the limit», sending its sender
// to shorten a text that was never too long; it is a 400 saying the
// request is wrong. A form over the cap is still 413.
func TestMalformedTextFormsAreNotTooLarge(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	chair := s.client().signIn("chair")
	d := "/documents/" + demo.Slug
	for _, path := range []string{d + "/proposals", d + "/edit", d + "/amend"} {
		for _, body := range []struct{ ctype, text string }{
			{"multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nабв\r\n--x--\r\n"},
			{"application/x-www-form-urlencoded", "title=%zz&text=абв"},
		} {
			req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body.text))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", body.ctype)
			resp, page := chair.do(req)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "данные неверны") || strings.Contains(stripTags(page), "МБ") {
				t.Errorf("%s, %s: %d\n%.600s", path, body.ctype, resp.StatusCode, stripTags(page))
			}
		}
	}
	// Over the cap: still the limit, stated.
	resp, page := chair.post(d+"/proposals", url.Values{"base": {"6"}, "title": {"Большой"}, "text": {strings.Repeat("я", 5<<20)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(stripTags(page), "МБ") {
		t.Errorf("a form over the cap: %d\n%.600s", resp.StatusCode, stripTags(page))
	}
}
