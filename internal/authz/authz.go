// Package authz decides who may do what on which document, with Casbin: the
// model and the permissions of each role are the embedded files of package
// policies, who holds which role on which document comes from the database
// and is reloaded when it changes.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"redline/internal/drafting"
	"redline/policies"
)

// RoleSource is where the role assignments live; sqlstore.DB is one.
type RoleSource interface {
	// RoleAssignments returns every assignment.
	RoleAssignments(ctx context.Context) ([]drafting.RoleAssignment, error)
	// PolicyVersion is a number that grows with every role change.
	PolicyVersion(ctx context.Context) (int64, error)
}

// DefaultInterval is Run's interval when it is given none.
const DefaultInterval = time.Second

// maxCached bounds the decisions kept per policy generation; past it the
// cache starts again empty rather than growing with every user × document.
const maxCached = 1 << 17

// Enforcer is the drafting.Authorizer on Casbin. It is safe for concurrent
// use.
type Enforcer struct {
	src RoleSource
	log *slog.Logger

	// ce is a SyncedEnforcer, not a SyncedCachedEnforcer: the latter clears
	// its cache before it takes the lock to load a policy and stores
	// results after releasing it, so a decision made under the old policy
	// can land in the cache after the clear and outlive the reload.
	ce        *casbin.SyncedEnforcer
	adapter   *adapter
	hierarchy [][]string // policy.csv's g lines, domain "*"

	// cache holds the decisions of the current policy generation. Reload
	// replaces it while holding ce's write lock, so every map is only ever
	// filled with decisions made under its own generation or a later one.
	cache atomic.Pointer[decisions]

	reloadMu sync.Mutex // one Reload at a time, so versions only grow
	syncMu   sync.Mutex // Sync's reloads, one at a time
	version  atomic.Int64
	changed  chan struct{} // Changed's pending notice; capacity 1
}

var _ drafting.Authorizer = (*Enforcer)(nil)

type decisionKey struct {
	userID   int64
	admin    bool
	doc      string
	obj, act string
}

type decisions struct {
	m sync.Map // decisionKey → bool
	n atomic.Int64
}

// New returns an Enforcer with the embedded model and policy and the role
// assignments src holds now. log may be nil.
func New(src RoleSource, log *slog.Logger) (*Enforcer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, err := parsePolicy(policies.Policy)
	if err != nil {
		return nil, fmt.Errorf("new authorizer: %w", err)
	}
	a := &adapter{}
	var hierarchy [][]string
	for _, r := range base {
		if r[0] == "g" {
			hierarchy = append(hierarchy, r)
		} else {
			a.base = append(a.base, r)
		}
	}
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("new authorizer: parse model: %w", err)
	}
	ce, err := casbin.NewSyncedEnforcer(m, a)
	if err != nil {
		return nil, fmt.Errorf("new authorizer: load policy: %w", err)
	}
	e := &Enforcer{src: src, log: log, ce: ce, adapter: a, hierarchy: hierarchy, changed: make(chan struct{}, 1)}
	e.cache.Store(new(decisions))
	// New has no context of its own; a caller that needs a deadline on the
	// first load can call Reload again with one.
	if err := e.Reload(context.Background()); err != nil {
		return nil, fmt.Errorf("new authorizer: %w", err)
	}
	return e, nil
}

// Version returns the policy version of the role assignments loaded last.
func (e *Enforcer) Version() int64 { return e.version.Load() }

// Allow reports whether sub may do act on obj in the document documentID
// ("" outside any document). Identifiers that are not well formed are denied
// before they reach Casbin, where "*" or a regular expression could act as a
// pattern; any error from Casbin is a denial.
func (e *Enforcer) Allow(sub drafting.Subject, documentID, obj, act string) bool {
	if !validSubject(sub) || !validDocumentID(documentID) || !knownPairs[Pair{obj, act}] {
		e.log.Warn("authz: malformed request denied",
			"user", sub.UserID, "admin", sub.Admin, "document", documentID, "object", obj, "action", act)
		return false
	}
	k := decisionKey{sub.UserID, sub.Admin, documentID, obj, act}
	c := e.cache.Load()
	if v, ok := c.m.Load(k); ok {
		return v.(bool)
	}
	ok, err := e.decide(sub, documentID, obj, act)
	if err != nil {
		e.log.Error("authz: enforcer failed, denying",
			"user", sub.UserID, "document", documentID, "object", obj, "action", act, "err", err)
		return false
	}
	if c.n.Add(1) > maxCached {
		// Start a new map for this generation; if a reload got there first,
		// its map stays.
		e.cache.CompareAndSwap(c, new(decisions))
		return ok
	}
	c.m.Store(k, ok)
	return ok
}

// decide asks Casbin, without the cache.
func (e *Enforcer) decide(sub drafting.Subject, documentID, obj, act string) (bool, error) {
	global := ""
	if sub.Admin {
		global = drafting.RoleAdmin
	}
	return e.ce.Enforce(subject(sub), global, documentID, obj, act)
}

// Roles returns the roles sub holds on documentID: admin first when sub is
// an administrator, then their role on the document, then public, which
// everybody holds. Malformed identifiers hold no roles.
func (e *Enforcer) Roles(sub drafting.Subject, documentID string) []string {
	if !validSubject(sub) || !validDocumentID(documentID) {
		return nil
	}
	var roles []string
	if sub.Admin {
		roles = append(roles, drafting.RoleAdmin)
	}
	if sub.UserID > 0 && documentID != "" {
		// Direct roles only: the hierarchy (chair → member → observer) is
		// what a role grants, not another role held.
		held := e.ce.GetRolesForUserInDomain(subject(sub), documentID)
		slices.Sort(held)
		roles = append(roles, held...)
	}
	return append(roles, drafting.RolePublic)
}

// Reload loads the role assignments from the source and swaps them in while
// holding the enforcer's write lock, so a concurrent Allow sees either the
// old assignments or the new ones, never a mix, and no decision made under
// the old ones is served afterwards. Assignments with malformed identifiers
// or unknown roles are skipped and logged. On error the previous policy
// stays in force.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()

	// The version is read before the assignments: if a change lands in
	// between, what we record is older than what we loaded, and the next
	// check reloads once more. The other order could record a version whose
	// change we never loaded.
	v, err := e.src.PolicyVersion(ctx)
	if err != nil {
		return fmt.Errorf("reload roles: policy version: %w", err)
	}
	as, err := e.src.RoleAssignments(ctx)
	if err != nil {
		return fmt.Errorf("reload roles: %w", err)
	}
	rules := make([][]string, 0, len(as))
	docs := map[string]bool{}
	for _, a := range as {
		if a.UserID <= 0 || a.DocumentID == "" || !validDocumentID(a.DocumentID) ||
			!slices.Contains(drafting.DocumentRoles, a.Role) {
			e.log.Warn("authz: malformed role assignment skipped",
				"user", a.UserID, "document", a.DocumentID, "role", a.Role)
			continue
		}
		rules = append(rules, []string{"g", subject(drafting.Subject{UserID: a.UserID}), a.Role, a.DocumentID})
		docs[a.DocumentID] = true
	}
	// A document without assignments needs no hierarchy: nobody holds a
	// role there.
	for doc := range docs {
		for _, h := range e.hierarchy {
			rules = append(rules, []string{h[0], h[1], h[2], doc})
		}
	}

	lock := e.ce.GetLock()
	lock.Lock()
	defer lock.Unlock()
	old := e.adapter.roles
	e.adapter.roles = rules
	// The embedded, unsynchronised Enforcer's LoadPolicy under the synced
	// enforcer's own lock: SyncedEnforcer.LoadPolicy would take and drop the
	// lock itself, leaving no room to swap the decision cache in the same
	// critical section.
	if err := e.ce.Enforcer.LoadPolicy(); err != nil {
		e.adapter.roles = old
		// Casbin 2.135's applyModifiedModel means to rebuild the old links
		// when rebuilding fails, but a shadowed err stops it; do it here.
		if rerr := e.ce.Enforcer.BuildRoleLinks(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("restore previous roles: %w", rerr))
		}
		e.cache.Store(new(decisions))
		return fmt.Errorf("reload roles: %w", err)
	}
	e.cache.Store(new(decisions))
	e.version.Store(v)
	return nil
}

// Sync brings the role assignments up to date with the database before a
// request's decisions are trusted (issue 18): one indexed read of the
// policy version, and a reload only when it differs from the loaded one.
// A role removed or granted through another instance is then in force here
// from the moment that instance acknowledged it, not only once its
// notification arrives. Concurrent calls that find the same new version
// reload once. On error the loaded roles stay and the error is returned
// (the source's kinds: unavailable, internal).
func (e *Enforcer) Sync(ctx context.Context) error {
	v, err := e.src.PolicyVersion(ctx)
	if err != nil {
		return fmt.Errorf("sync roles: %w", err)
	}
	if v == e.version.Load() {
		return nil
	}
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	// Another request may have reloaded while this one waited.
	if v == e.version.Load() {
		return nil
	}
	return e.Reload(ctx)
}

// Changed tells the enforcer that the role assignments changed (a PostgreSQL
// notification, say). It never blocks and is safe from any goroutine; Run
// reloads once for any burst of calls. Calls made before Run starts are
// covered by Run's first version check.
func (e *Enforcer) Changed() {
	select {
	case e.changed <- struct{}{}:
	default: // a reload is already pending
	}
}

// Run keeps the role assignments current until ctx ends: it reloads on
// Changed, and every interval (DefaultInterval when interval <= 0) reloads
// when the source's policy version differs from the loaded one, as a
// backstop for lost notifications. Failures are logged and retried at the
// next tick.
func (e *Enforcer) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	e.check(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.changed:
			e.reload(ctx)
		case <-t.C:
			e.check(ctx)
		}
	}
}

func (e *Enforcer) check(ctx context.Context) {
	v, err := e.src.PolicyVersion(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("authz: policy version check failed", "err", err)
		}
		return
	}
	if v != e.version.Load() {
		e.reload(ctx)
	}
}

func (e *Enforcer) reload(ctx context.Context) {
	if err := e.Reload(ctx); err != nil && ctx.Err() == nil {
		e.log.Error("authz: reload failed; the previous roles stay in force", "err", err)
	}
}

// subject is the Casbin subject of sub. The "u:" prefix keeps users apart
// from role names, which share Casbin's name space of the role graph.
func subject(sub drafting.Subject) string {
	if sub.UserID == 0 {
		return "anon"
	}
	return "u:" + strconv.FormatInt(sub.UserID, 10)
}

// validSubject: a user id is positive, or 0 for an anonymous caller, who
// cannot be an administrator.
func validSubject(sub drafting.Subject) bool {
	return sub.UserID > 0 || (sub.UserID == 0 && !sub.Admin)
}

// validDocumentID accepts "" (outside any document) and 32 lowercase hex
// digits, what drafting gives every document; nothing that a Casbin matching
// function could read as a pattern.
func validDocumentID(id string) bool {
	if id == "" {
		return true
	}
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
