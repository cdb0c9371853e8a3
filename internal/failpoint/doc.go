// Package failpoint marks the moments where a crash would hurt most (after a
// text's blob is written, around the metadata commit, around the archive
// copy, in the middle of an audit append). Built with -tags failpoints, the
// process named by REDLINE_FAILPOINT=name[:nth] kills itself with SIGKILL
// on the nth time it reaches that point; without the tag Hit is an empty
// function the compiler inlines away.
package failpoint

// Env is the environment variable that arms a failpoint: name[:nth].
const Env = "REDLINE_FAILPOINT"

// The failpoints.
const (
	AfterBlobWrite = "after-blob-write"
	BeforeCommit   = "before-metadata-commit"
	AfterCommit    = "after-metadata-commit"
	BeforeArchive  = "before-archive-copy"
	AfterArchive   = "after-archive-copy"
	MidAuditAppend = "mid-audit-append"
)

// All lists every failpoint of the drafting path (redline serve's crash
// test picks from it).
var All = []string{AfterBlobWrite, BeforeCommit, AfterCommit, BeforeArchive, AfterArchive, MidAuditAppend}

// The failpoints of the notification pipeline (notify.Notifier).
const (
	MailAfterPlan    = "mail-after-plan"    // items stored, cursor moved
	MailAfterCompose = "mail-after-compose" // a message in the outbox, not yet claimed
	MailAfterClaim   = "mail-after-claim"   // messages leased, not yet sent
	MailAfterData    = "mail-after-data"    // the SMTP server accepted a message, not yet marked sent
)

// Mail lists the failpoints of the notification pipeline.
var Mail = []string{MailAfterPlan, MailAfterCompose, MailAfterClaim, MailAfterData}

// The failpoints of signing adoptions (issue 16).
const (
	BeforeStatement       = "before-statement-record" // signed, not yet recorded
	AfterStatement        = "after-statement-record"  // recorded, not yet copied to write-once storage
	AfterStatementArchive = "after-statement-copy"    // copied, not yet marked copied
)

// Signing lists the failpoints of signing adoptions.
var Signing = []string{BeforeStatement, AfterStatement, AfterStatementArchive}
