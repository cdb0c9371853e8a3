package webui

import (
	"slices"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"redline/internal/drafting"
)

// Reason is err's reason as a sentence in the page's language: the message
// "reason.<reason>" of the locale files, filled in with the error's details
// (head, required, max …). Every reason has one in every language (a test
// checks); the service's own English message is never shown.
func (t *translator) Reason(err error) string {
	return t.reason(drafting.ErrorReason(err), drafting.ErrorDetails(err))
}

// ReasonOf is the sentence of a reason without details, e.g. why an action
// is not offered.
func (t *translator) ReasonOf(r drafting.Reason) string { return t.reason(r, nil) }

func (t *translator) reason(r drafting.Reason, details map[string]any) string {
	data := map[string]any{}
	for k, v := range details {
		switch v.(type) {
		case int, int64, string:
			data[k] = v
		}
	}
	id := "reason." + string(r)
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		if t.missing != nil {
			t.missing(id)
		}
		return "⟦" + id + "⟧"
	}
	return s
}

// errField is the form field an error is shown next to: the field the
// service named in its details, when the form has it, else fallback.
func errField(err error, fallback string, fields ...string) string {
	if f, ok := drafting.ErrorDetails(err)["field"].(string); ok && slices.Contains(fields, f) {
		return f
	}
	return fallback
}

// formError is a refused form's error for its page: the field it belongs
// next to and its sentence.
func formError(t *translator, err error, fallback string, fields ...string) map[string]string {
	return map[string]string{errField(err, fallback, fields...): t.Reason(err)}
}

// shownOnForm reports whether a refusal belongs next to a form's fields
// (the caller's input or the document's state) rather than on an error
// page (who the caller is, what exists, the service's health).
func shownOnForm(err error) bool {
	switch drafting.ErrorKind(err) {
	case drafting.KindInvalid, drafting.KindConflict, drafting.KindTooLarge:
		return true
	case drafting.KindRateLimited:
		return true // issue 13: a member's limit, said next to the field
	}
	return false
}
