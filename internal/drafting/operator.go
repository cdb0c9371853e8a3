package drafting

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"
)

// Operator is what trusts its caller: the administration steps of whoever
// runs Redline's command line on the server's data (accounts, tokens and
// roles recorded with no actor), checking everything stored, and the
// archive outbox. The HTTP handlers are never given one.
type Operator struct{ c *core }

// NewOperator returns the trusted operations over svc's ports.
func NewOperator(svc *Service) *Operator { return &Operator{c: svc.core} }

// CreateUser adds an account; the event has no actor.
func (o *Operator) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return o.c.createUser(ctx, nil, in)
}

// CreateToken stores the hash of a new API token for login.
func (o *Operator) CreateToken(ctx context.Context, login, label, hash string) (Token, error) {
	u, err := o.c.userByLogin(ctx, "create token", login)
	if err != nil {
		return Token{}, err
	}
	return o.c.createToken(ctx, u, label, hash)
}

// GrantRole gives login the role on the document with this slug; the
// change is recorded with no actor.
func (o *Operator) GrantRole(ctx context.Context, login, role, slug string) (Member, error) {
	const op = "grant role"
	if !slices.Contains(DocumentRoles, role) {
		return Member{}, Refuse(op, ReasonInvalidRole, "role must be chair, member or observer").With("field", "role")
	}
	d, err := o.c.document(ctx, op, slug)
	if err != nil {
		return Member{}, err
	}
	target, err := o.c.userByLogin(ctx, op, login)
	if err != nil {
		return Member{}, err
	}
	return o.c.setRole(ctx, op, nil, d, target, role)
}

// RevokeRole takes login's role away on the document with this slug, when
// it is role (no_role otherwise); recorded with no actor.
func (o *Operator) RevokeRole(ctx context.Context, login, role, slug string) error {
	const op = "revoke role"
	d, err := o.c.document(ctx, op, slug)
	if err != nil {
		return err
	}
	target, err := o.c.userByLogin(ctx, op, login)
	if err != nil {
		return err
	}
	return o.c.removeRole(ctx, op, nil, d, target, role)
}

// ProcessOutbox makes every pending archive copy once; it returns the
// number made and the first error.
func (o *Operator) ProcessOutbox(ctx context.Context) (int, error) { return o.c.processOutbox(ctx) }

// RunOutbox processes the outbox every interval until ctx ends, reporting
// failures to logf.
func (o *Operator) RunOutbox(ctx context.Context, interval time.Duration, logf func(err error)) {
	o.c.runOutbox(ctx, interval, logf)
}

// Problem is one finding of Verify.
type Problem struct {
	// Kind is "missing", "corrupt", "unreadable" (a revision's text),
	// "orphan" (a blob no revision names), "chain" (the audit log's first
	// broken link), "unarchived", "archive-missing", "archive-corrupt" or
	// "archive-unreadable" (an adopted text's write-once copy).
	Kind     string
	Key      string
	Revision *Revision
	Err      error
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Revisions int
	Events    int
	Problems  []Problem
	Removed   int // orphans removed when gc was asked for
}

// Bad reports whether anything is missing, corrupt or broken; orphan blobs
// and archive copies still to be made (the outbox's work) are not.
func (r VerifyReport) Bad() bool {
	for _, p := range r.Problems {
		if p.Kind != "orphan" && p.Kind != "unarchived" {
			return true
		}
	}
	return false
}

// textProblem names what kind of problem reading a stored text had.
func textProblem(err error, prefix string) string {
	switch {
	case errors.Is(err, ErrCorrupt):
		return prefix + "corrupt"
	case errors.Is(err, fs.ErrNotExist):
		return prefix + "missing"
	}
	return prefix + "unreadable"
}

// Verify re-reads every revision's and proposal's text and checks its hash,
// recomputes the audit chain, checks every adopted text's archive copy, and
// lists blobs that nothing refers to; with gc it removes those orphans.
// progress, when not nil, is called every so often with the count checked
// so far.
func (o *Operator) Verify(ctx context.Context, gc bool, progress func(n int)) (VerifyReport, error) {
	c := o.c
	var rep VerifyReport
	known := make(map[string]bool)
	err := c.store.AllRevisions(ctx, func(r Revision) error {
		rep.Revisions++
		if progress != nil && rep.Revisions%500 == 0 {
			progress(rep.Revisions)
		}
		key := BlobKey(r.DocumentID, r.SHA256)
		known[key] = true
		if _, err := c.readText(ctx, r); err != nil {
			rep.Problems = append(rep.Problems, Problem{Kind: textProblem(err, ""), Key: key, Revision: &r, Err: err})
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify: read revisions: %w", err)
	}
	// Proposal texts share the documents/<id>/<sha256> key space: they are
	// known too, and checked like revision texts.
	docs, err := c.store.ListDocuments(ctx)
	if err != nil {
		return rep, fmt.Errorf("verify: list documents: %w", err)
	}
	for _, d := range docs {
		ps, err := c.store.ListProposals(ctx, d.ID, "")
		if err != nil {
			return rep, fmt.Errorf("verify: proposals of %s: %w", d.Slug, err)
		}
		for _, p := range ps {
			key := BlobKey(d.ID, p.SHA256)
			if known[key] {
				continue
			}
			known[key] = true
			if _, err := c.readBlob(ctx, d.ID, p.SHA256); err != nil {
				rep.Problems = append(rep.Problems, Problem{Kind: textProblem(err, ""), Key: key,
					Err: fmt.Errorf("text of proposal %d of %s: %w", p.Number, d.Slug, err)})
			}
		}
	}
	var orphans []string
	if err := c.blobs.List(ctx, "documents/", func(key string) error {
		if !known[key] {
			orphans = append(orphans, key)
		}
		return nil
	}); err != nil {
		return rep, fmt.Errorf("verify: list blobs: %w", err)
	}
	for _, key := range orphans {
		rep.Problems = append(rep.Problems, Problem{Kind: "orphan", Key: key})
		if gc {
			if err := c.blobs.Delete(ctx, key); err != nil {
				return rep, fmt.Errorf("verify: remove orphan %s: %w", key, err)
			}
			rep.Removed++
		}
	}
	var chain ChainVerifier
	if err := c.store.AllEvents(ctx, func(e Event) error {
		if err := chain.Add(e); err != nil {
			rep.Problems = append(rep.Problems, Problem{Kind: "chain", Key: "event " + itoa(e.Seq), Err: err})
		}
		return nil
	}); err != nil {
		return rep, fmt.Errorf("verify: read events: %w", err)
	}
	rep.Events = chain.Events()
	for _, d := range docs {
		as, err := c.store.Adoptions(ctx, d.ID)
		if err != nil {
			return rep, fmt.Errorf("verify: adoptions of %s: %w", d.Slug, err)
		}
		for _, a := range as {
			key := ArchiveKey(a.DocumentID, a.SHA256)
			if a.ArchivedAt.IsZero() {
				rep.Problems = append(rep.Problems, Problem{Kind: "unarchived", Key: key})
				continue
			}
			if _, err := c.adoptedBytes(ctx, a); err != nil {
				rep.Problems = append(rep.Problems, Problem{Kind: textProblem(err, "archive-"), Key: key, Err: err})
			}
		}
	}
	return rep, nil
}
