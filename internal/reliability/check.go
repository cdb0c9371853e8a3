package reliability

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"redline/internal/drafting"
	"redline/internal/textdiff"
)

// The invariants Check reports a Violation of.
const (
	// InvAckLost: an acknowledged operation's row is missing or differs.
	InvAckLost = "ack-lost"
	// InvBlobMissing, InvBlobCorrupt, InvBlobUnreadable: a revision's or a
	// proposal's text is gone, does not hash to its row's SHA-256, or cannot
	// be read.
	InvBlobMissing    = "blob-missing"
	InvBlobCorrupt    = "blob-corrupt"
	InvBlobUnreadable = "blob-unreadable"
	// InvHeadChain: a document's revisions are not 1, 2 … n each with parent
	// n-1.
	InvHeadChain = "head-chain"
	// InvApprovalHash: an approval names a hash other than its revision's.
	InvApprovalHash = "approval-hash"
	// InvApprovalRole: the approver did not hold the chair role when they
	// approved.
	InvApprovalRole = "approval-not-chair"
	// InvAdoptionQuorum: an adoption's revision lacks the document's quorum
	// of valid approvals: distinct approvals of the adopted hash, made
	// before the adoption, by people who were enabled chairs of the
	// document at the moment of the adoption.
	InvAdoptionQuorum = "adoption-quorum"
	// InvAdoptionOrder: adoptions did not move forward: a revision older
	// than the last adopted one, an adoption as a basis after one as a basis
	// or as a whole, or a second adoption as a whole with no reopening
	// recorded between them.
	InvAdoptionOrder = "adoption-order"
	// InvClosedChange: a document adopted as a whole changed (a commit, a
	// proposal, a merge, an approval, a comment) with no reopening recorded
	// before the change.
	InvClosedChange = "closed-change"
	// InvDocumentState: a document's stored state is not where its audit
	// log of adoptions and reopenings leads.
	InvDocumentState = "document-state"
	// InvAdoptionHash: an adoption names a hash other than its revision's.
	InvAdoptionHash = "adoption-hash"
	// InvArchivePending: an adoption's write-once copy has not been made
	// (run the outbox before checking).
	InvArchivePending = "archive-pending"
	// InvArchiveMissing, InvArchiveCorrupt: the write-once copy is gone or
	// does not hash to the adopted SHA-256.
	InvArchiveMissing = "archive-missing"
	InvArchiveCorrupt = "archive-corrupt"
	// InvAuditChain: the audit log's hash chain is broken (first break only).
	InvAuditChain = "audit-chain"
	// InvEventMissing: a stored change (document, revision, proposal,
	// approval, adoption, comment) has no event in the audit log.
	InvEventMissing = "event-missing"
	// InvCommentAnchor: an anchored comment's quote is not its text at its
	// place, or the anchor maps into the head as none of anchored, moved or
	// outdated.
	InvCommentAnchor = "comment-anchor"
)

// Violation is one broken promise.
type Violation struct {
	Invariant string // one of the Inv* names
	Doc       string // the document's slug ("" for the audit chain)
	Detail    string
}

func (v Violation) String() string {
	if v.Doc == "" {
		return v.Invariant + ": " + v.Detail
	}
	return v.Invariant + " [" + v.Doc + "]: " + v.Detail
}

// Report is what Check looked at and found.
type Report struct {
	Documents, Revisions, Proposals, Approvals, Adoptions, Comments, Events, Acks int
	Violations                                                                    []Violation
}

// Has reports whether a violation of invariant was found.
func (r Report) Has(invariant string) bool {
	for _, v := range r.Violations {
		if v.Invariant == invariant {
			return true
		}
	}
	return false
}

// Store is the part of drafting.Store that Check reads.
type Store interface {
	ListDocuments(ctx context.Context) ([]drafting.Document, error)
	AllRevisions(ctx context.Context, fn func(drafting.Revision) error) error
	AllEvents(ctx context.Context, fn func(drafting.Event) error) error
	ListProposals(ctx context.Context, documentID, state string) ([]drafting.Proposal, error)
	Approvals(ctx context.Context, documentID string, revision int64) ([]drafting.Approval, error)
	Adoptions(ctx context.Context, documentID string) ([]drafting.Adoption, error)
	ListComments(ctx context.Context, documentID string) ([]drafting.Comment, error)
	RoleChanges(ctx context.Context, documentID string) ([]drafting.RoleChange, error)
	Reopenings(ctx context.Context, documentID string) ([]drafting.Reopening, error)
}

// Blobs is the part of drafting.Blobs that Check reads: texts, and the
// write-once archive where adopted copies are checked.
type Blobs interface {
	Get(ctx context.Context, key string) ([]byte, error)
	drafting.Archiver
}

var _ Store = drafting.Store(nil)

type revKey struct {
	doc string
	n   int64
}

type checker struct {
	ctx     context.Context
	store   Store
	blobs   Blobs
	rep     Report
	docs    map[string]drafting.Document // by ID
	slugs   map[string]drafting.Document // by slug
	revs    map[revKey]drafting.Revision
	heads   map[string]int64
	props   map[revKey]drafting.Proposal
	apprs   map[revKey][]drafting.Approval
	adopts  map[string][]drafting.Adoption // by document ID
	comms   map[revKey]drafting.Comment    // by document ID and comment ID
	events  map[string]bool
	log     []drafting.Event   // the audit log in chain order
	moments map[revKey]*moment // by document ID and adoption ID
	texts   map[string][]byte  // verified texts by blob key
	textErr map[string]string  // invariant of a text that failed
}

// Check reads everything in store and blobs and reports every violation of
// Redline's invariants, and every operation in acks that is not there as it
// was acknowledged. The stores should be at rest (no writes in flight) and
// the archive outbox run. An error means Check could not read; it never
// means "no violations".
func Check(ctx context.Context, store Store, blobs Blobs, acks []Ack) (Report, error) {
	c := &checker{ctx: ctx, store: store, blobs: blobs,
		docs: map[string]drafting.Document{}, slugs: map[string]drafting.Document{},
		revs: map[revKey]drafting.Revision{}, heads: map[string]int64{}, props: map[revKey]drafting.Proposal{},
		apprs: map[revKey][]drafting.Approval{}, adopts: map[string][]drafting.Adoption{},
		comms: map[revKey]drafting.Comment{}, events: map[string]bool{}, moments: map[revKey]*moment{},
		texts: map[string][]byte{}, textErr: map[string]string{}}
	steps := []func() error{c.loadEvents, c.loadDocuments, c.checkRevisions, c.checkProposals,
		c.checkApprovals, c.checkProcedure, c.checkAdoptions, c.checkComments}
	for _, step := range steps {
		if err := step(); err != nil {
			return c.rep, err
		}
	}
	c.checkAcks(acks)
	return c.rep, nil
}

func (c *checker) add(inv, docID, format string, args ...any) {
	slug := docID
	if d, ok := c.docs[docID]; ok {
		slug = d.Slug
	}
	c.rep.Violations = append(c.rep.Violations, Violation{Invariant: inv, Doc: slug, Detail: fmt.Sprintf(format, args...)})
}

// eventKeys are the changes an event records, as keys the row checks look up.
func eventKeys(e drafting.Event) []string {
	d, doc := e.Data, e.DocumentID
	switch {
	case e.Kind == "document.create":
		keys := []string{"doc|" + doc}
		if d["revision"] != "" {
			keys = append(keys, "rev|"+doc+"|"+d["revision"]+"|"+d["sha256"])
		}
		return keys
	case e.Kind == "revision.commit":
		return []string{"rev|" + doc + "|" + d["number"] + "|" + d["sha256"]}
	case e.Kind == "proposal.merge":
		return []string{"rev|" + doc + "|" + d["number"] + "|" + d["sha256"]}
	case e.Kind == "proposal.create":
		return []string{"prop|" + doc + "|" + d["number"] + "|" + d["sha256"]}
	case e.Kind == "approval.create":
		return []string{"appr|" + doc + "|" + d["revision"] + "|" + d["sha256"] + "|" + strconv.FormatInt(e.ActorID, 10)}
	case e.Kind == "adoption.create":
		return []string{"adopt|" + doc + "|" + d["adoption"]}
	case e.Kind == "comment.create":
		return []string{"comment|" + doc + "|" + d["comment"]}
	}
	return nil
}

// loadEvents recomputes the audit chain with drafting's verifier (the one
// redline verify uses) and indexes what each event records.
func (c *checker) loadEvents() error {
	var chain drafting.ChainVerifier
	err := c.store.AllEvents(c.ctx, func(e drafting.Event) error {
		c.rep.Events++
		c.log = append(c.log, e)
		for _, k := range eventKeys(e) {
			c.events[k] = true
		}
		if err := chain.Add(e); err != nil {
			c.add(InvAuditChain, "", "%v", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check: read events: %w", err)
	}
	return nil
}

func (c *checker) loadDocuments() error {
	ds, err := c.store.ListDocuments(c.ctx)
	if err != nil {
		return fmt.Errorf("check: list documents: %w", err)
	}
	for _, d := range ds {
		c.rep.Documents++
		c.docs[d.ID], c.slugs[d.Slug] = d, d
		if !c.events["doc|"+d.ID] {
			c.add(InvEventMissing, d.ID, "document %s has no document.create event", d.Slug)
		}
	}
	return nil
}

// text returns a blob verified against sum, or "" and the invariant it
// breaks (reported once per key by the caller that first reads it).
func (c *checker) text(docID, sum string) ([]byte, string, string) {
	key := drafting.BlobKey(docID, sum)
	if b, ok := c.texts[key]; ok {
		return b, "", ""
	}
	if inv, ok := c.textErr[key]; ok {
		return nil, inv, ""
	}
	b, err := c.blobs.Get(c.ctx, key)
	inv, detail := "", ""
	switch {
	case errors.Is(err, fs.ErrNotExist) || drafting.ErrorKind(err) == drafting.KindNotFound:
		inv, detail = InvBlobMissing, key+" is missing"
	case err != nil:
		inv, detail = InvBlobUnreadable, fmt.Sprintf("%s: %v", key, err)
	case sha256Hex(b) != sum:
		inv, detail = InvBlobCorrupt, key+" does not hash to its name"
	default:
		c.texts[key] = b
		return b, "", ""
	}
	c.textErr[key] = inv
	return nil, inv, detail
}

func (c *checker) checkRevisions() error {
	next := map[string]int64{}
	err := c.store.AllRevisions(c.ctx, func(r drafting.Revision) error {
		c.rep.Revisions++
		c.revs[revKey{r.DocumentID, r.Number}] = r
		c.heads[r.DocumentID] = max(c.heads[r.DocumentID], r.Number)
		want := next[r.DocumentID] + 1
		if r.Number != want || r.Parent != r.Number-1 {
			c.add(InvHeadChain, r.DocumentID, "revision %d (parent %d) where revision %d with parent %d was due",
				r.Number, r.Parent, want, want-1)
		}
		next[r.DocumentID] = r.Number
		if _, inv, detail := c.text(r.DocumentID, r.SHA256); inv != "" && detail != "" {
			c.add(inv, r.DocumentID, "revision %d: %s", r.Number, detail)
		}
		if !c.events[fmt.Sprintf("rev|%s|%d|%s", r.DocumentID, r.Number, r.SHA256)] {
			c.add(InvEventMissing, r.DocumentID, "revision %d has no commit event", r.Number)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check: read revisions: %w", err)
	}
	return nil
}

func (c *checker) checkProposals() error {
	for id := range c.docs {
		ps, err := c.store.ListProposals(c.ctx, id, "")
		if err != nil {
			return fmt.Errorf("check: proposals of %s: %w", c.docs[id].Slug, err)
		}
		for _, p := range ps {
			c.rep.Proposals++
			c.props[revKey{id, p.Number}] = p
			if _, inv, detail := c.text(id, p.SHA256); inv != "" && detail != "" {
				c.add(inv, id, "proposal %d: %s", p.Number, detail)
			}
			if !c.events[fmt.Sprintf("prop|%s|%d|%s", id, p.Number, p.SHA256)] {
				c.add(InvEventMissing, id, "proposal %d has no proposal.create event", p.Number)
			}
		}
	}
	return nil
}

// chairAt reports whether user held the chair role on the document at the
// time of an approval, replaying the role history up to it.
func chairAt(changes []drafting.RoleChange, a drafting.Approval) bool {
	role := ""
	for _, ch := range changes {
		if ch.UserID != a.ChairID || ch.At.After(a.CreatedAt) {
			continue
		}
		if ch.Action == "grant" {
			role = ch.Role
		} else {
			role = ""
		}
	}
	return role == drafting.RoleChair
}

// validApprovals counts the distinct chairs who validly approved sum.
func (c *checker) validApprovals(docID string, rev int64, sum string, changes []drafting.RoleChange) int {
	seen := map[int64]bool{}
	for _, a := range c.apprs[revKey{docID, rev}] {
		if a.SHA256 == sum && chairAt(changes, a) {
			seen[a.ChairID] = true
		}
	}
	return len(seen)
}

func (c *checker) checkApprovals() error {
	for k, r := range c.revs {
		as, err := c.store.Approvals(c.ctx, k.doc, k.n)
		if err != nil {
			return fmt.Errorf("check: approvals of revision %d: %w", k.n, err)
		}
		if len(as) == 0 {
			continue
		}
		c.apprs[k] = as
		changes, err := c.roleChanges(k.doc)
		if err != nil {
			return err
		}
		for _, a := range as {
			c.rep.Approvals++
			if a.SHA256 != r.SHA256 {
				c.add(InvApprovalHash, k.doc, "approval of revision %d by %s names hash %.12s…, the revision's is %.12s…",
					k.n, a.ChairLogin, a.SHA256, r.SHA256)
			}
			if !chairAt(changes, a) {
				c.add(InvApprovalRole, k.doc, "%s approved revision %d without holding the chair role", a.ChairLogin, k.n)
			}
			if !c.events[fmt.Sprintf("appr|%s|%d|%s|%d", k.doc, k.n, a.SHA256, a.ChairID)] {
				c.add(InvEventMissing, k.doc, "approval of revision %d by %s has no event", k.n, a.ChairLogin)
			}
		}
	}
	return nil
}

func (c *checker) roleChanges(docID string) ([]drafting.RoleChange, error) {
	changes, err := c.store.RoleChanges(c.ctx, docID)
	if err != nil {
		return nil, fmt.Errorf("check: role history of %s: %w", c.docs[docID].Slug, err)
	}
	return changes, nil
}

func (c *checker) checkAdoptions() error {
	for id, d := range c.docs {
		as, err := c.store.Adoptions(c.ctx, id)
		if err != nil {
			return fmt.Errorf("check: adoptions of %s: %w", d.Slug, err)
		}
		if len(as) == 0 {
			continue
		}
		c.adopts[id] = as
		changes, err := c.roleChanges(id)
		if err != nil {
			return err
		}
		for _, a := range as {
			c.rep.Adoptions++
			r, ok := c.revs[revKey{id, a.Revision}]
			if !ok || r.SHA256 != a.SHA256 {
				c.add(InvAdoptionHash, id, "adoption %d names revision %d with hash %.12s…, which is not that revision's", a.ID, a.Revision, a.SHA256)
			}
			n := 0
			if m, ok := c.moments[revKey{id, a.ID}]; ok {
				n = m.quorum(c.apprs[revKey{id, a.Revision}], a)
			} else {
				// No adoption event to place it in the log (reported as
				// event-missing): count by the role history's times.
				n = c.validApprovals(id, a.Revision, a.SHA256, changes)
			}
			if n < d.ApprovalsRequired {
				c.add(InvAdoptionQuorum, id, "adoption %d of revision %d had %d valid approvals by current chairs of the %d required",
					a.ID, a.Revision, n, d.ApprovalsRequired)
			}
			if !c.events[fmt.Sprintf("adopt|%s|%d", id, a.ID)] {
				c.add(InvEventMissing, id, "adoption %d has no event", a.ID)
			}
			key := drafting.ArchiveKey(id, a.SHA256)
			switch {
			case a.ArchivedAt.IsZero():
				c.add(InvArchivePending, id, "adoption %d: no write-once copy yet", a.ID)
			default:
				b, err := c.blobs.GetArchive(c.ctx, key)
				switch {
				case errors.Is(err, fs.ErrNotExist) || drafting.ErrorKind(err) == drafting.KindNotFound:
					c.add(InvArchiveMissing, id, "adoption %d: %s is missing", a.ID, key)
				case err != nil:
					c.add(InvArchiveMissing, id, "adoption %d: %s cannot be read: %v", a.ID, key, err)
				case sha256Hex(b) != a.SHA256:
					c.add(InvArchiveCorrupt, id, "adoption %d: %s does not hash to the adopted text", a.ID, key)
				}
			}
		}
	}
	return nil
}

// checkComments checks that every comment has its event and that every
// anchor quotes its text and maps into the document's head with a status.
func (c *checker) checkComments() error {
	for id, d := range c.docs {
		cs, err := c.store.ListComments(c.ctx, id)
		if err != nil {
			return fmt.Errorf("check: comments of %s: %w", d.Slug, err)
		}
		byRev := map[int64][]drafting.Comment{}
		for _, cm := range cs {
			c.rep.Comments++
			c.comms[revKey{id, cm.ID}] = cm
			if !c.events[fmt.Sprintf("comment|%s|%d", id, cm.ID)] {
				c.add(InvEventMissing, id, "comment %d has no event", cm.ID)
			}
			if cm.Anchor == nil {
				continue
			}
			sum := ""
			if cm.Revision > 0 {
				sum = c.revs[revKey{id, cm.Revision}].SHA256
			} else {
				sum = c.props[revKey{id, cm.Proposal}].SHA256
			}
			text, _, _ := c.text(id, sum)
			if sum == "" || text == nil {
				c.add(InvCommentAnchor, id, "comment %d: the text it is anchored in cannot be read", cm.ID)
				continue
			}
			a, ok := textdiff.NewAnchor(string(text), cm.Anchor.Start, cm.Anchor.End)
			if !ok || a.Quote != cm.Anchor.Quote {
				c.add(InvCommentAnchor, id, "comment %d: its quote is not the text at [%d, %d)", cm.ID, cm.Anchor.Start, cm.Anchor.End)
				continue
			}
			if cm.Revision > 0 {
				byRev[cm.Revision] = append(byRev[cm.Revision], cm)
			}
		}
		head := c.revs[revKey{id, c.heads[id]}]
		headText, _, _ := c.text(id, head.SHA256)
		for n, group := range byRev {
			if headText == nil {
				break
			}
			old, _, _ := c.text(id, c.revs[revKey{id, n}].SHA256)
			as := make([]textdiff.Anchor, len(group))
			for i, cm := range group {
				as[i] = textdiff.Anchor{Start: cm.Anchor.Start, End: cm.Anchor.End, Quote: cm.Anchor.Quote,
					Prefix: cm.Anchor.Prefix, Suffix: cm.Anchor.Suffix}
			}
			r := textdiff.Diff(string(old), string(headText), textdiff.Options{})
			for i, m := range textdiff.MapAnchors(string(old), string(headText), r, as) {
				switch m.Status {
				case textdiff.AnchorAnchored, textdiff.AnchorMoved, textdiff.AnchorOutdated:
				default:
					c.add(InvCommentAnchor, id, "comment %d: anchor maps into revision %d as %q", group[i].ID, head.Number, m.Status)
				}
			}
		}
	}
	return nil
}

// checkAcks finds each acknowledged operation's row as it was acknowledged.
func (c *checker) checkAcks(acks []Ack) {
	for _, a := range acks {
		c.rep.Acks++
		d, ok := c.slugs[a.Doc]
		if !ok {
			c.rep.Violations = append(c.rep.Violations, Violation{Invariant: InvAckLost, Doc: a.Doc,
				Detail: fmt.Sprintf("%s acknowledged on a document that does not exist", a.Op)})
			continue
		}
		lost := func(format string, args ...any) { c.add(InvAckLost, d.ID, format, args...) }
		switch a.Op {
		case OpDocument:
			if a.Number > 0 {
				if r, ok := c.revs[revKey{d.ID, 1}]; !ok || r.SHA256 != a.SHA256 {
					lost("the document's first revision is not the acknowledged text")
				}
			}
		case OpCommit, OpMerge:
			r, ok := c.revs[revKey{d.ID, a.Number}]
			switch {
			case !ok:
				lost("%s of revision %d was acknowledged; there is no such revision", a.Op, a.Number)
			case r.SHA256 != a.SHA256:
				lost("revision %d is %.12s…, the acknowledged %s was %.12s…", a.Number, r.SHA256, a.Op, a.SHA256)
			case a.Op == OpMerge && r.Proposal != a.Proposal:
				lost("revision %d does not record the merge of proposal %d", a.Number, a.Proposal)
			}
		case OpProposal:
			if p, ok := c.props[revKey{d.ID, a.Number}]; !ok || p.SHA256 != a.SHA256 {
				lost("proposal %d was acknowledged; it is missing or holds another text", a.Number)
			}
		case OpApproval:
			found := false
			for _, ap := range c.apprs[revKey{d.ID, a.Number}] {
				if ap.ChairLogin == a.Login && ap.SHA256 == a.SHA256 {
					found = true
				}
			}
			if !found {
				lost("approval of revision %d by %s was acknowledged; it is missing", a.Number, a.Login)
			}
		case OpAdoption:
			found := false
			for _, ad := range c.adopts[d.ID] {
				if (a.Adoption == 0 || ad.ID == a.Adoption) && ad.Revision == a.Number && ad.SHA256 == a.SHA256 && (a.Stage == "" || ad.Stage == a.Stage) {
					found = true
				}
			}
			if !found {
				lost("adoption %d of revision %d was acknowledged; it is missing", a.Adoption, a.Number)
			}
		case OpReopen:
			rs, err := c.store.Reopenings(c.ctx, d.ID)
			found := false
			for _, r := range rs {
				found = found || r.Adoption == a.Adoption
			}
			if err != nil || !found {
				lost("the reopening of adoption %d was acknowledged; it is missing (%v)", a.Adoption, err)
			}
		case OpComment:
			cm, ok := c.comms[revKey{d.ID, a.Comment}]
			if !ok || cm.Revision != a.Number || cm.Proposal != a.Proposal {
				lost("comment %d was acknowledged; it is missing", a.Comment)
			}
		default:
			lost("unknown acknowledged operation %q", a.Op)
		}
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
