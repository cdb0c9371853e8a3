package webui

import (
	"strings"

	"redline/internal/drafting"
)

// formError is a service error shown next to a form field, in the page's
// language only: a sentence for the common cases a form meets, told apart
// by the error's kind, its structured details and the form it came from
// (context: "commit", "merge", "approve", "adopt", "document", "user",
// "member", "comment", "proposal", "reject"), else the sentence for its
// kind. The service's own message is English and is never shown here.
func formError(t *translator, context string, err error) string {
	if id, args := errorMessageID(context, err); id != "" {
		return t.T(id, args...)
	}
	return t.T("error." + string(drafting.ErrorKind(err)))
}

// errorMessageID is the message ID (and its arguments) of a service error
// this interface knows better than by its kind; "" when it does not.
func errorMessageID(context string, err error) (string, []any) {
	msg := drafting.ErrorMessage(err)
	det := drafting.ErrorDetails(err)
	switch drafting.ErrorKind(err) {
	case drafting.KindConflict:
		switch {
		case det["open_threads"] != nil:
			return "error.open_threads", nil
		case det["sha256"] != nil:
			return "error.wrong_hash", nil
		case det["state"] != nil:
			state, _ := det["state"].(string)
			return "error.proposal_closed_" + closedState(state), nil
		case det["head"] != nil:
			head, _ := det["head"].(int64)
			return "error.stale_base", []any{"N", head}
		case context == "adopt":
			return "error.quorum", nil
		case context == "approve":
			return "error.approved_already", nil
		case context == "document":
			return "error.slug_taken", nil
		case context == "user":
			return "error.login_taken", nil
		}
	case drafting.KindInvalid:
		switch {
		case strings.Contains(msg, " is required"):
			return "form.required", nil
		case strings.Contains(msg, " is longer than "):
			return "error.too_long", nil
		case strings.Contains(msg, "control character"), strings.Contains(msg, "UTF-8"):
			return "error.bad_characters", nil
		case context == "member" && strings.HasPrefix(msg, "role must be"):
			return "error.bad_role", nil
		case context == "comment" && strings.Contains(msg, "too deep"):
			return "error.thread_too_deep", nil
		}
	case drafting.KindTooLarge:
		return "error.text_too_large", nil
	case drafting.KindNotFound:
		if context == "member" {
			return "error.no_such_user", nil
		}
	}
	return "", nil
}

// closedState keeps a proposal state from the service within the messages
// this interface has.
func closedState(s string) string {
	switch s {
	case drafting.ProposalMerged, drafting.ProposalRejected, drafting.ProposalWithdrawn:
		return s
	}
	return "other"
}
