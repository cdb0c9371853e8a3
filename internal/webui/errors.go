package webui

import (
	"redline/internal/drafting"
)

// formError is a service error shown next to a form field, in the page's
// language only: a sentence for the common cases a form meets, found by the
// error's kind, its details and the form it came from (context), else the
// sentence for its kind. The service's own message is English and is not
// shown.
func formError(t *translator, context string, err error) string {
	return t.T("error." + string(drafting.ErrorKind(err)))
}
