package drafting

import (
	"slices"
)

// Reason is the stable, machine-readable cause of a refusal. The API sends
// it as error.reason; the pages pick their sentence by it ("reason.<r>" in
// web/locales). A reason never changes meaning; new ones are added here,
// with their kind, and a sentence in every locale (a test checks).
type Reason string

// Who may act.
const (
	ReasonSignIn          Reason = "sign_in_required"
	ReasonBadCredentials  Reason = "bad_credentials"
	ReasonSessionEnded    Reason = "session_ended"
	ReasonAccountDisabled Reason = "account_disabled"
	ReasonRoleForbidden   Reason = "role_forbidden"
	ReasonNotAChair       Reason = "not_a_chair"
	ReasonNotAnAdmin      Reason = "not_an_admin"
	ReasonNotTheAuthor    Reason = "not_the_author"
	ReasonCrossOrigin     Reason = "cross_origin"
	ReasonRateLimited     Reason = "rate_limited"
)

// The procedure.
const (
	ReasonStaleBase        Reason = "stale_base"         // base (or the head seen) is not the head
	ReasonNotHead          Reason = "not_head"           // only the head is approved and adopted
	ReasonHashMismatch     Reason = "hash_mismatch"      // the hash approved is not the revision's
	ReasonAlreadyApproved  Reason = "already_approved"   // one approval per chair and revision
	ReasonQuorumNotReached Reason = "quorum_not_reached" // too few approvals by current chairs
	ReasonOpenThreads      Reason = "open_threads"       // open comment threads hold an adoption back
	ReasonStageOrder       Reason = "stage_order"        // adoptions only move forward
	ReasonDocumentClosed   Reason = "document_closed"    // adopted as a whole: reopen first
	ReasonNotClosed        Reason = "not_closed"         // only a closed document is reopened
	ReasonProposalClosed   Reason = "proposal_closed"    // the proposal is no longer open
	ReasonMergeConflict    Reason = "merge_conflict"     // the proposal and the head overlap
	// An approval that no longer counts (shown, never returned as an error).
	ReasonChairRemoved  Reason = "chair_removed"
	ReasonChairDisabled Reason = "chair_disabled"
)

// Input.
const (
	ReasonInvalidInput     Reason = "invalid_input"
	ReasonMissingField     Reason = "missing_field"
	ReasonTooLong          Reason = "too_long"
	ReasonInvalidText      Reason = "invalid_text"
	ReasonTextTooLarge     Reason = "text_too_large"
	ReasonCommentTooLong   Reason = "comment_too_long"
	ReasonTooLarge         Reason = "too_large"
	ReasonMalformedJSON    Reason = "malformed_json"
	ReasonUnsupportedMedia Reason = "unsupported_media_type"
	ReasonInvalidSlug      Reason = "invalid_slug"
	ReasonInvalidLogin     Reason = "invalid_login"
	ReasonInvalidLanguage  Reason = "invalid_language"
	ReasonInvalidRole      Reason = "invalid_role"
	ReasonInvalidStage     Reason = "invalid_stage"
	ReasonInvalidPassword  Reason = "invalid_password"
	ReasonOutOfRange       Reason = "out_of_range"
	ReasonBadAnchor        Reason = "bad_anchor"
	ReasonBadReply         Reason = "bad_reply"
	ReasonThreadTooDeep    Reason = "thread_too_deep"
	ReasonSlugTaken        Reason = "slug_taken"
	ReasonLoginTaken       Reason = "login_taken"
	ReasonSelfDisable      Reason = "self_disable"
	ReasonIdempotencyKey   Reason = "invalid_idempotency_key"
	ReasonKeyReused        Reason = "idempotency_key_reused"
	ReasonKeyInFlight      Reason = "idempotency_in_progress"
	ReasonConflict         Reason = "conflict"
)

// Lookups and the service itself.
const (
	ReasonNotFound     Reason = "not_found"
	ReasonNotAdopted   Reason = "not_adopted"
	ReasonUserNotFound Reason = "user_not_found"
	ReasonNoRole       Reason = "no_role"
	ReasonUnavailable  Reason = "unavailable"
	ReasonInternal     Reason = "internal"
)

// reasonKinds gives every reason its kind (and so its HTTP status).
var reasonKinds = map[Reason]Kind{
	ReasonSignIn:          KindUnauthenticated,
	ReasonBadCredentials:  KindUnauthenticated,
	ReasonSessionEnded:    KindUnauthenticated,
	ReasonAccountDisabled: KindUnauthenticated,
	ReasonRoleForbidden:   KindForbidden,
	ReasonNotAChair:       KindForbidden,
	ReasonNotAnAdmin:      KindForbidden,
	ReasonNotTheAuthor:    KindForbidden,
	ReasonCrossOrigin:     KindForbidden,
	ReasonRateLimited:     KindRateLimited,

	ReasonStaleBase:        KindConflict,
	ReasonNotHead:          KindConflict,
	ReasonHashMismatch:     KindConflict,
	ReasonAlreadyApproved:  KindConflict,
	ReasonQuorumNotReached: KindConflict,
	ReasonOpenThreads:      KindConflict,
	ReasonStageOrder:       KindConflict,
	ReasonDocumentClosed:   KindConflict,
	ReasonNotClosed:        KindConflict,
	ReasonProposalClosed:   KindConflict,
	ReasonMergeConflict:    KindConflict,
	ReasonChairRemoved:     KindConflict,
	ReasonChairDisabled:    KindConflict,

	ReasonInvalidInput:     KindInvalid,
	ReasonMissingField:     KindInvalid,
	ReasonTooLong:          KindInvalid,
	ReasonInvalidText:      KindInvalid,
	ReasonTextTooLarge:     KindTooLarge,
	ReasonCommentTooLong:   KindTooLarge,
	ReasonTooLarge:         KindTooLarge,
	ReasonMalformedJSON:    KindInvalid,
	ReasonUnsupportedMedia: KindUnsupported,
	ReasonInvalidSlug:      KindInvalid,
	ReasonInvalidLogin:     KindInvalid,
	ReasonInvalidLanguage:  KindInvalid,
	ReasonInvalidRole:      KindInvalid,
	ReasonInvalidStage:     KindInvalid,
	ReasonInvalidPassword:  KindInvalid,
	ReasonOutOfRange:       KindInvalid,
	ReasonBadAnchor:        KindInvalid,
	ReasonBadReply:         KindInvalid,
	ReasonThreadTooDeep:    KindInvalid,
	ReasonSlugTaken:        KindConflict,
	ReasonLoginTaken:       KindConflict,
	ReasonSelfDisable:      KindConflict,
	ReasonIdempotencyKey:   KindInvalid,
	ReasonKeyReused:        KindConflict,
	ReasonKeyInFlight:      KindConflict,
	ReasonConflict:         KindConflict,

	ReasonNotFound:     KindNotFound,
	ReasonNotAdopted:   KindNotFound,
	ReasonUserNotFound: KindNotFound,
	ReasonNoRole:       KindNotFound,
	ReasonUnavailable:  KindUnavailable,
	ReasonInternal:     KindInternal,
}

// defaultReason is the reason of an error that names none.
func defaultReason(k Kind) Reason {
	switch k {
	case KindInvalid:
		return ReasonInvalidInput
	case KindUnauthenticated:
		return ReasonSignIn
	case KindForbidden:
		return ReasonRoleForbidden
	case KindNotFound:
		return ReasonNotFound
	case KindConflict:
		return ReasonConflict
	case KindTooLarge:
		return ReasonTooLarge
	case KindUnsupported:
		return ReasonUnsupportedMedia
	case KindRateLimited:
		return ReasonRateLimited
	case KindUnavailable:
		return ReasonUnavailable
	}
	return ReasonInternal
}

// Kind is the kind of error a refusal for r is; internal for an unknown r.
func (r Reason) Kind() Kind {
	if k, ok := reasonKinds[r]; ok {
		return k
	}
	return KindInternal
}

// Reasons lists every reason, sorted.
func Reasons() []Reason {
	out := make([]Reason, 0, len(reasonKinds))
	for r := range reasonKinds {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// --- issue 15: office files ---

// An imported .docx or .odt file refused. The office package refuses a file
// with its own reason; each has its reason here, under the same name but
// for the file's size (too_large there, file_too_large here, so that it is
// not taken for a request body over its cap).
const (
	ReasonFileTooLarge          Reason = "file_too_large"          // the file is over the upload limit (max_bytes, max_mb)
	ReasonNotADocument          Reason = "not_a_document"          // not a .docx or .odt
	ReasonUnsupportedFormat     Reason = "unsupported_format"      // .doc, RTF, a password-protected file
	ReasonZipBomb               Reason = "zip_bomb"                // the archive inflates past the limits
	ReasonUnsafePath            Reason = "unsafe_path"             // an archive entry named to climb out or repeat
	ReasonEntityExpansion       Reason = "entity_expansion"        // XML with a document type declaration
	ReasonMalformedDocument     Reason = "malformed_document"      // XML not well-formed, a corrupt entry
	ReasonTooDeep               Reason = "too_deep"                // XML nested too deep
	ReasonTooManyParagraphs     Reason = "too_many_paragraphs"     // more paragraphs than the limit (max_paragraphs)
	ReasonPendingTrackedChanges Reason = "pending_tracked_changes" // tracked changes not yet accepted or rejected
	ReasonEmptyDocument         Reason = "empty_document"          // no text at all
	ReasonOutputTooLarge        Reason = "output_too_large"        // an export over its size bound
)

// officeReasonKinds are the kinds of the reasons above; init adds them to
// reasonKinds, so that Kind and Reasons know them.
var officeReasonKinds = map[Reason]Kind{
	ReasonFileTooLarge:          KindTooLarge,
	ReasonNotADocument:          KindUnsupported,
	ReasonUnsupportedFormat:     KindUnsupported,
	ReasonZipBomb:               KindTooLarge,
	ReasonUnsafePath:            KindInvalid,
	ReasonEntityExpansion:       KindInvalid,
	ReasonMalformedDocument:     KindInvalid,
	ReasonTooDeep:               KindInvalid,
	ReasonTooManyParagraphs:     KindTooLarge,
	ReasonPendingTrackedChanges: KindInvalid,
	ReasonEmptyDocument:         KindInvalid,
	ReasonOutputTooLarge:        KindTooLarge,
}

func init() {
	for r, k := range officeReasonKinds {
		reasonKinds[r] = k
	}
}

// --- issue 16: signed adoptions ---

// ReasonNotSigned: the adoption has no signed statement (yet: no key was
// configured, or its signing is still pending).
const ReasonNotSigned Reason = "not_signed"

func init() { reasonKinds[ReasonNotSigned] = KindNotFound }

// --- issue 13: hostile and careless users ---

// Reasons of refusals that protect the service from floods and leaks.
const (
	ReasonBusy             Reason = "busy"               // password hashing is at its limit (retry_after_seconds)
	ReasonSecretShownOnce  Reason = "secret_shown_once"  // a replayed answer that carried a secret
	ReasonTooManyProposals Reason = "too_many_proposals" // the member's open proposals on the document are at the limit (limit)
	ReasonTooManyComments  Reason = "too_many_comments"  // the member's comments per minute are at the limit (limit, retry_after_seconds)
	ReasonCommentHidden    Reason = "comment_hidden"     // a hidden comment is not edited
	ReasonMetricsForbidden Reason = "metrics_forbidden"  // /metrics without its token or from another address
)

var hardenReasonKinds = map[Reason]Kind{
	ReasonBusy:             KindUnavailable,
	ReasonSecretShownOnce:  KindConflict,
	ReasonTooManyProposals: KindRateLimited,
	ReasonTooManyComments:  KindRateLimited,
	ReasonCommentHidden:    KindConflict,
	ReasonMetricsForbidden: KindForbidden,
}

func init() {
	for r, k := range hardenReasonKinds {
		reasonKinds[r] = k
	}
}

// --- issue 14: amendments item by item ---

// A proposal refused for what it changes.
const (
	ReasonEmptyText        Reason = "empty_text"         // a proposal, or a merge's text, empty or only whitespace
	ReasonUnknownItem      Reason = "unknown_item"       // a change names an item the base does not have (item)
	ReasonItemChangedTwice Reason = "item_changed_twice" // two changes replace or delete the same item (item)
	ReasonNoChanges        Reason = "no_changes"         // a proposal that changes nothing
)

// amendmentReasonKinds are the kinds of the reasons above; init adds them.
var amendmentReasonKinds = map[Reason]Kind{
	ReasonEmptyText:        KindInvalid,
	ReasonUnknownItem:      KindInvalid,
	ReasonItemChangedTwice: KindInvalid,
	ReasonNoChanges:        KindInvalid,
}

func init() {
	for r, k := range amendmentReasonKinds {
		reasonKinds[r] = k
	}
}
