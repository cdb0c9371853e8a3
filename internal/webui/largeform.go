package webui

// issue 14: forms that carry a whole text — up to the text limit through a
// form, above it refused with the limit said in the reader's language and
// the text kept; a proposal that deletes most of the text is confirmed.

import (
	"errors"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// textFormCap is the body cap of a form carrying a text of at most max
// bytes: the text with every byte percent-encoded (a URL-encoded form of
// Cyrillic text takes three bytes per byte), and 1 MiB for the other
// fields. Our own forms send multipart, where the text travels as it is,
// so a text well above the limit still arrives and is refused with the
// text kept.
func textFormCap(max int64) int64 { return 3*max + 1<<20 }

// textLimit is what a text form says about the limit: the bytes a script
// checks before sending, and the sentence it shows then.
type textLimit struct {
	Bytes   int64
	Message string // with "{size}" where the text's size goes
	MB      string // megabytes worded, with "{n}" for the number
}

// errFormTooLarge is a form body beyond textFormCap: nothing of it was read.
var errFormTooLarge = errors.New("form body too large")

// readTextForm raises the body cap of a form that carries a text (when
// the caller may send one: allowed) and parses it, multipart or
// URL-encoded. It returns errFormTooLarge when the body is over the cap,
// and an invalid_input refusal when it is not a form (a multipart body
// without its boundary, broken percent-encoding): that is no size problem.
func (u *UI) readTextForm(c *gin.Context, allowed bool) error {
	limit := textFormCap(u.svc.MaxTextBytes())
	if allowed {
		shell.LimitBody(c, limit)
	}
	r := c.Request
	var err error
	// ParseMultipartForm on a URL-encoded body would report only that it
	// is not multipart, hiding ParseForm's error: choose by type.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return errFormTooLarge
	}
	if err != nil {
		return drafting.Refuse("read form", drafting.ReasonInvalidInput, "the form could not be read")
	}
	return nil
}

// textLimitFor is the limit as the page tells it.
func (u *UI) textLimitFor(t *translator) textLimit {
	return textLimit{Bytes: u.svc.MaxTextBytes(), Message: u.tooLargeMessage(t, "{size}"), MB: t.T("form.megabytes", "N", "{n}")}
}

// tooLargeMessage says that a text of size (already worded) is over the
// limit, naming the limit in megabytes and about how many characters of
// Russian text (two bytes each) it holds.
func (u *UI) tooLargeMessage(t *translator, size string) string {
	max := u.svc.MaxTextBytes()
	return t.T("form.text_too_large", "Size", size, "Max", megabytes(t, max), "Bytes", t.Num(max),
		"Chars", t.Num(roundChars(max/2)))
}

// megabytes words n bytes as megabytes with one decimal ("5,6 МБ").
func megabytes(t *translator, n int64) string {
	mb := float64(n) / (1 << 20)
	s := t.printer.Sprintf("%.1f", mb)
	if mb == math.Trunc(mb) {
		s = t.printer.Sprintf("%d", int64(mb))
	}
	return t.T("form.megabytes", "N", s)
}

// roundChars rounds a count of characters to two significant digits: the
// limit in characters is an estimate.
func roundChars(n int64) int64 {
	p := int64(1)
	for n/p >= 100 {
		p *= 10
	}
	return n / p * p
}

// textTooLarge is the field error for a text of n bytes over the limit, or
// "" when it fits.
func (u *UI) textTooLarge(t *translator, text string) string {
	if int64(len(text)) <= u.svc.MaxTextBytes() {
		return ""
	}
	return u.tooLargeMessage(t, megabytes(t, int64(len(text))))
}

// bodyTooLarge is the field error for a form whose body was over its cap:
// the text did not arrive, so the page says where it still is.
func (u *UI) bodyTooLarge(t *translator) string {
	return u.tooLargeMessage(t, t.T("form.size_unknown")) + " " + t.T("form.go_back")
}

// deletion is how much of its base a proposal deletes, in characters.
type deletion struct {
	Deleted, Total, Percent int
}

// bigDeletion measures the base text a redline deletes — a move is not a
// deletion, edits inside a moved paragraph are — and returns it when it is
// more than half of the base, else nil.
func bigDeletion(r *textdiff.Result) *deletion {
	del, total := 0, utf8.RuneCountInString(r.OldText())
	for _, p := range r.Paragraphs {
		for _, c := range p.Chunks {
			if c.Op == textdiff.OpDelete && p.Kind != textdiff.KindMovedFrom && p.Kind != textdiff.KindMovedTo {
				del += utf8.RuneCountInString(c.Text)
			}
		}
		if p.Kind == textdiff.KindMovedTo && p.Move != nil {
			for _, c := range p.Move.Chunks {
				if c.Op == textdiff.OpDelete {
					del += utf8.RuneCountInString(c.Text)
				}
			}
		}
	}
	if total == 0 || 2*del <= total {
		return nil
	}
	return &deletion{Deleted: del, Total: total, Percent: del * 100 / total}
}

// confirmedDeletion reports whether the form carries the confirmation of a
// big deletion.
func confirmedDeletion(c *gin.Context) bool {
	return strings.TrimSpace(c.PostForm("confirm_delete")) == "yes"
}
