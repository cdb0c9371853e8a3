//go:build cluster

package cluster_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"redline/internal/blobstore"
	"redline/internal/cluster"
	"redline/internal/drafting"
	"redline/internal/reliability"
	"redline/internal/sqlstore"
)

// The shape of the run. Phases are short: the machine is shared, and what
// is measured (errors, windows, recovery) does not need long ones.
const (
	docs          = 4
	chairsPerDoc  = 2
	membersPerDoc = 2
	readers       = 2
	think         = 40 * time.Millisecond
	steady        = 5 * time.Second // before the first fault, and after the last
	faultPhase    = 6 * time.Second // how long each fault lasts
	promoteAfter  = time.Second     // the operator's (or a manager's) delay before promoting the standby
	loginAttempts = 5               // REDLINE_LOGIN_ATTEMPTS's default, which the cluster runs with
)

// report is everything measured, written as JSON to $REDLINE_CLUSTER_REPORT
// when set (docs/scaling.md quotes it).
type report struct {
	Phases          []phaseStats         `json:"phases"`
	Requests        int                  `json:"requests"`
	Acks            int                  `json:"acks"`
	Lost            int                  `json:"lost"`
	Violations      []string             `json:"violations"`
	History         int                  `json:"history_ops"`
	Unresolved      int                  `json:"unknown_outcomes"`
	UnresolvedHit   int                  `json:"unknown_outcomes_applied"`
	Linearizable    string               `json:"porcupine"`
	PromoteSeconds  float64              `json:"promote_s"`
	RoleGrant       []float64            `json:"role_grant_visible_s"`
	RoleRevoke      []float64            `json:"role_revoke_visible_s"`
	AdoptPage       []float64            `json:"adoption_page_visible_s"`
	AdoptAPI        []float64            `json:"adoption_api_visible_s"`
	StalePages      int                  `json:"stale_pages_right_after_adoption"`
	RoleStaleGrant  int                  `json:"stale_role_reads_after_grant"`
	RoleStaleRevoke int                  `json:"stale_role_reads_after_revoke"`
	LoginFailures   int                  `json:"failed_signins_before_429"`
	OutboxSessions  int                  `json:"outbox_lock_sessions"`
	OutboxHolders   int                  `json:"outbox_lock_holders"`
	Throughput      map[string]float64   `json:"public_page_req_per_s"`
	ThroughputRuns  map[string][]float64 `json:"public_page_runs"`
	Elapsed         float64              `json:"elapsed_s"`
}

func TestCluster(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("REDLINE_CLUSTER_DIR")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "redline-cluster-"); err != nil {
			t.Fatal(err)
		}
	}
	var logbuf strings.Builder
	var logMu sync.Mutex
	logw := writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logbuf.Write(p) })
	topo, err := cluster.Up(ctx, root, dir, 3, logw)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cluster.sh output:\n%s\nstatus:\n%s", logbuf.String(), topo.Status(context.Background()))
		}
		if err := topo.Down(t.Failed()); err != nil {
			t.Errorf("down: %v", err)
		}
		if t.Failed() {
			t.Logf("logs kept in %s", dir)
		}
	})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("cluster up in %s: balancer %s, instances %v", time.Since(began).Round(time.Millisecond), topo.LB, topo.Instances)

	rep := &report{}
	env := setup(ctx, t, topo)

	t.Run("failover", func(t *testing.T) { failover(ctx, t, topo, env, rep) })
	t.Run("visibility", func(t *testing.T) { visibility(ctx, t, topo, env, rep) })
	t.Run("shared-state", func(t *testing.T) { sharedState(ctx, t, topo, env, rep) })
	t.Run("throughput", func(t *testing.T) { throughput(ctx, t, topo, env, rep) })

	rep.Elapsed = time.Since(began).Seconds()
	if path := os.Getenv("REDLINE_CLUSTER_REPORT"); path != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("the whole run took %s", time.Since(began).Round(time.Second))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// user is an account with a token.
type user struct {
	login, password, token string
}

type setupEnv struct {
	admin  *reliability.Client
	acks   *reliability.AckLog
	slugs  []string
	chairs map[string][]user // by document
	member map[string][]user
	probe  user // an account with no role, for the visibility checks
}

// httpClient waits longer than Redline's own 20 s deadline on storage
// work, so a client sees what Redline answers rather than its own timeout.
func httpClient() *http.Client { return reliability.NewHTTPClient(25 * time.Second) }

// mustOK fails the test unless the request was answered with want.
func mustOK(t *testing.T, resp reliability.Response, err error, want int, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != want {
		t.Fatalf("%s: %d %s", what, resp.Status, resp.Body)
	}
}

// newUser creates an account through the API and a token for it through a
// session, as a person would.
func newUser(ctx context.Context, t *testing.T, admin *reliability.Client, login string) user {
	t.Helper()
	u := user{login: login, password: "пароль-" + login + "-" + strconv.Itoa(rand.IntN(1e9))}
	resp, err := admin.Do(ctx, "POST", "/api/v1/users", map[string]any{"login": login, "display_name": "Участник " + login, "password": u.password})
	mustOK(t, resp, err, http.StatusCreated, "create user "+login)
	jar, _ := cookiejar.New(nil)
	hc := httpClient()
	hc.Jar = jar
	c := &reliability.Client{Base: admin.Base, HTTP: hc}
	resp, err = c.Do(ctx, "POST", "/api/v1/session", map[string]any{"login": login, "password": u.password})
	mustOK(t, resp, err, http.StatusOK, "sign in "+login)
	resp, err = c.Do(ctx, "POST", "/api/v1/tokens", map[string]any{"label": "cluster"})
	mustOK(t, resp, err, http.StatusCreated, "token for "+login)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("token for %s: %s", login, resp.Body)
	}
	u.token = tok.Token
	return u
}

func setup(ctx context.Context, t *testing.T, topo *cluster.Topology) *setupEnv {
	t.Helper()
	acks := reliability.NewAckLog(nil)
	env := &setupEnv{acks: acks, chairs: map[string][]user{}, member: map[string][]user{},
		admin: &reliability.Client{Base: topo.LB, Token: topo.AdminToken, Login: topo.AdminLogin, HTTP: httpClient(), Acks: acks}}
	for d := range docs {
		slug := fmt.Sprintf("itogi-%d", d)
		env.slugs = append(env.slugs, slug)
		resp, err := env.admin.Do(ctx, "POST", "/api/v1/documents", map[string]any{"slug": slug,
			"title": fmt.Sprintf("Итоговый документ, секция %d", d+1), "text": initialText(8)})
		mustOK(t, resp, err, http.StatusCreated, "create "+slug)
		var doc struct {
			Head struct {
				Number int64  `json:"number"`
				SHA256 string `json:"sha256"`
			} `json:"head"`
		}
		_ = json.Unmarshal(resp.Body, &doc)
		acks.Add(reliability.Ack{Op: reliability.OpDocument, Doc: slug, Number: doc.Head.Number, SHA256: doc.Head.SHA256})
		for i := range chairsPerDoc + membersPerDoc {
			role, login := "chair", fmt.Sprintf("chair-%d-%d", d, i)
			if i >= chairsPerDoc {
				role, login = "member", fmt.Sprintf("member-%d-%d", d, i)
			}
			u := newUser(ctx, t, env.admin, login)
			resp, err := env.admin.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/"+login, map[string]any{"role": role})
			mustOK(t, resp, err, http.StatusOK, "appoint "+login)
			if role == "chair" {
				env.chairs[slug] = append(env.chairs[slug], u)
			} else {
				env.member[slug] = append(env.member[slug], u)
			}
		}
	}
	env.probe = newUser(ctx, t, env.admin, "probe")
	return env
}

// failover drives the balancer with chairs, members and public readers
// while MinIO nodes, a Redline instance and the PostgreSQL primary die, then
// checks that nothing acknowledged is lost and measures what clients saw.
func failover(ctx context.Context, t *testing.T, topo *cluster.Topology, env *setupEnv, rep *report) {
	rec := newRecorder()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	id := 0
	start := func(w *worker) {
		id++
		w.id, w.rec, w.acks, w.think = id, rec, env.acks, think
		w.rng = rand.New(rand.NewPCG(uint64(id), 18))
		wg.Add(1)
		go func() { defer wg.Done(); w.run(loadCtx) }()
	}
	for _, slug := range env.slugs {
		for i, u := range env.chairs[slug] {
			start(&worker{slug: slug, slot: i, chair: true,
				cl: &reliability.Client{Base: topo.LB, Token: u.token, Login: u.login, HTTP: httpClient(), Acks: env.acks}})
		}
		for i, u := range env.member[slug] {
			start(&worker{slug: slug, slot: chairsPerDoc + i,
				cl: &reliability.Client{Base: topo.LB, Token: u.token, Login: u.login, HTTP: httpClient(), Acks: env.acks}})
		}
	}
	for i := range readers {
		start(&worker{slug: env.slugs[i%len(env.slugs)], reading: true, cl: &reliability.Client{Base: topo.LB, HTTP: httpClient()}})
	}

	phases := []phase{{"steady", 0}}
	mark := func(name string) { phases = append(phases, phase{name, rec.now()}) }
	sleep := func(d time.Duration) {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
	// settle waits, after a repair, until clients have seen no error for
	// two seconds (at most 30 s), so that the next fault's figures are its
	// own: MinIO may still be healing what it missed.
	settle := func(atLeast time.Duration) {
		since := time.Now()
		for time.Since(since) < 30*time.Second && ctx.Err() == nil {
			sleep(500 * time.Millisecond)
			now := rec.now()
			clean := true
			rec.mu.Lock()
			for i := len(rec.outs) - 1; i >= 0 && rec.outs[i].end > now-2*time.Second; i-- {
				if rec.outs[i].failed() {
					clean = false
					break
				}
			}
			rec.mu.Unlock()
			if clean && time.Since(since) >= atLeast {
				return
			}
		}
	}
	step := func(what string, err error) {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	sleep(steady)
	// One MinIO node of four: the erasure set keeps read and write quorum.
	mark("minio: 1 of 4 nodes down")
	step("kill minio1", topo.Kill(ctx, "minio1"))
	sleep(faultPhase)
	// A second one: reads keep quorum (4 of 8 drives), writes do not.
	mark("minio: 2 of 4 nodes down")
	step("kill minio2", topo.Kill(ctx, "minio2"))
	sleep(faultPhase)
	mark("minio: nodes back")
	step("start minio1", topo.Start(ctx, "minio1"))
	step("start minio2", topo.Start(ctx, "minio2"))
	settle(faultPhase)
	mark("redline: 1 of 3 instances down")
	step("kill redline2", topo.Kill(ctx, "redline2"))
	sleep(faultPhase)
	mark("redline: instance back")
	step("start redline2", topo.Start(ctx, "redline2"))
	settle(faultPhase / 2)
	mark("postgres: primary down, standby promoted")
	killed := time.Now()
	step("kill pg1", topo.Kill(ctx, "pg1"))
	sleep(promoteAfter)
	step("promote pg2", topo.Promote(ctx))
	rep.PromoteSeconds = time.Since(killed).Seconds()
	sleep(faultPhase)
	// The old primary comes back as the new primary's synchronous standby
	// while the load goes on (a fresh base backup).
	mark("postgres: old primary rejoins as standby")
	step("rejoin pg1", topo.Rejoin(ctx, "pg1"))
	sleep(steady)
	stopLoad()
	wg.Wait()
	end := rec.now()

	// Each document was created with revision 1 before the run: the
	// history starts from it.
	for _, slug := range env.slugs {
		rec.op(0, reliability.LogInput{Doc: slug, Kind: reliability.LogCommit, Base: 0, SHA256: sum(initialText(8))},
			reliability.LogOutput{OK: true, N: 1}, -2, -1)
	}
	rep.Requests = len(rec.outs)
	rep.Phases = measure(rec.outs, phases, end)
	t.Logf("%d requests from %d clients in %s", len(rec.outs), id, end.Round(time.Millisecond))
	t.Logf("%-42s %-5s %8s %7s %13s %10s", "phase", "class", "requests", "errors", "error window", "recovery")
	for _, s := range rep.Phases {
		t.Logf("%-42s %-5s %8d %7d %12.2fs %9.2fs  %s", s.Phase, s.Class, s.Requests, s.Errors, s.LongestErrorWindow, s.Recovery, s.Failures)
	}
	t.Logf("primary killed → standby promoted: %.2fs", rep.PromoteSeconds)
	t.Run("every fault ends", func(t *testing.T) {
		for _, s := range rep.Phases {
			if s.Requests == 0 {
				t.Errorf("phase %q (%s): no request was sent", s.Phase, s.Class)
			}
		}
		// Once everything is back, clients see no errors after a settling
		// second or so.
		for _, s := range rep.Phases[len(rep.Phases)-2:] {
			if s.Errors > 0 && s.Recovery > 3 {
				t.Errorf("after the old primary rejoined, %s requests still failed %.1fs into the phase", s.Class, s.Recovery)
			}
		}
	})
	t.Run("no answer outside the contract", func(t *testing.T) {
		// 401, 403, 400 and 429 are never right for what these clients do;
		// a 500 says "internal" where an unavailable dependency is a 503
		// with Retry-After (DESIGN.md's contract).
		if len(rec.unexpected) > 0 {
			t.Errorf("statuses no client should get: %v; e.g. %v", rec.unexpected, rec.examples)
		}
		internal := map[string]int{}
		for _, o := range rec.outs {
			if o.status == http.StatusInternalServerError {
				internal[o.kind]++
			}
		}
		if len(internal) > 0 {
			t.Errorf("500 (internal) answers during the faults, by request: %v (see the instances' logs: the stored text is missing, while MinIO heals)", internal)
		}
	})

	db, err := sqlstore.Open(ctx, topo.DatabaseURL)
	if err != nil {
		t.Fatalf("open the database: %v", err)
	}
	defer db.Close()
	// A client that gave up when the load stopped may have left its request
	// running on the server: wait until the audit log stops growing, so the
	// checks below see the stores at rest.
	for last, i := int64(-1), 0; i < 30; i++ {
		n := int64(0)
		if err := db.AllEvents(ctx, func(e drafting.Event) error { n = e.Seq; return nil }); err != nil {
			t.Fatalf("read events: %v", err)
		}
		if n == last {
			break
		}
		last = n
		sleep(time.Second)
	}
	blobs, err := blobstore.NewMinIO(ctx, blobstore.MinIOConfig{Endpoint: topo.S3Endpoint, AccessKey: topo.S3AccessKey,
		SecretKey: topo.S3SecretKey, Bucket: "redline-drafts", ArchiveBucket: "redline-drafts-archive"})
	if err != nil {
		t.Fatalf("open MinIO: %v", err)
	}

	// Linearizability of each document's revision log, with the writes
	// whose answer was lost resolved from what the database holds.
	hist, applied := resolve(ctx, t, db, rec, end)
	rep.History, rep.Unresolved, rep.UnresolvedHit = len(hist), len(rec.pend), applied
	t.Run("history linearizable", func(t *testing.T) {
		res, info := porcupine.CheckOperationsVerbose(reliability.RevisionLog, hist, 90*time.Second)
		rep.Linearizable = string(res)
		t.Logf("porcupine: %s over %d operations (%d writes without an answer, %d of them applied)", res, len(hist), len(rec.pend), applied)
		if res != porcupine.Ok {
			path := filepath.Join(topo.Dir, "porcupine.html")
			if err := porcupine.VisualizePath(reliability.RevisionLog, info, path); err == nil {
				t.Logf("porcupine's view of the history: %s", path)
			}
			t.Errorf("the history is not linearizable against the revision log (%s)", res)
		}
	})

	// Every acknowledged operation is there, every invariant holds, every
	// adoption is archived with its hash (the outboxes run every 5 s).
	acks := env.acks.Acks()
	rep.Acks = len(acks)
	var chk reliability.Report
	for try := 0; ; try++ {
		chk, err = reliability.Check(ctx, db, blobs, acks)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		if !chk.Has(reliability.InvArchivePending) || try == 20 {
			break
		}
		sleep(time.Second)
	}
	for _, v := range chk.Violations {
		rep.Violations = append(rep.Violations, v.String())
		if v.Invariant == reliability.InvAckLost {
			rep.Lost++
		}
	}
	t.Run("nothing acknowledged lost, invariants hold, adoptions archived", func(t *testing.T) {
		t.Logf("invariant checker: %d documents, %d revisions, %d proposals, %d approvals, %d adoptions, %d comments, %d events; %d acknowledged operations, %d lost, %d violations",
			chk.Documents, chk.Revisions, chk.Proposals, chk.Approvals, chk.Adoptions, chk.Comments, chk.Events, chk.Acks, rep.Lost, len(chk.Violations))
		if len(chk.Violations) > 0 {
			t.Errorf("violations: %v", rep.Violations)
		}
		if chk.Adoptions == 0 || chk.Revisions < docs*5 {
			t.Errorf("the load did too little to prove anything: %d revisions, %d adoptions", chk.Revisions, chk.Adoptions)
		}
	})
	// redline verify, as an operator runs it: orphan blobs (texts written
	// by requests that then failed) are expected and reported, not errors.
	out, err := topo.CLI(ctx, "verify")
	orphans, other := 0, []string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "orphan\t") {
			orphans++
		} else {
			other = append(other, line)
		}
	}
	t.Run("redline verify", func(t *testing.T) {
		t.Logf("redline verify: %d orphan blobs; %s", orphans, strings.Join(other, "; "))
		if err != nil {
			t.Errorf("redline verify: %v\n%s", err, lastLines(out, 20))
		}
	})
}

// resolve returns the history with each unanswered write entered as
// applied (returning at the end of time) when the database holds it, or
// left out when it does not.
func resolve(ctx context.Context, t *testing.T, db *sqlstore.DB, rec *recorder, end time.Duration) ([]porcupine.Operation, int) {
	t.Helper()
	ds, err := db.ListDocuments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slugOf := map[string]string{}
	for _, d := range ds {
		slugOf[d.ID] = d.Slug
	}
	type key struct {
		doc, sum string
		proposal int64
	}
	revs := map[key]drafting.Revision{}
	err = db.AllRevisions(ctx, func(r drafting.Revision) error {
		revs[key{doc: slugOf[r.DocumentID], sum: r.SHA256}] = r
		if r.Proposal > 0 {
			revs[key{doc: slugOf[r.DocumentID], proposal: r.Proposal}] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hist := slices.Clone(rec.hist)
	// A revision already in the history as acknowledged was made by that
	// request: a proposal whose merge went unanswered may have been merged
	// by the other chair afterwards.
	type made struct {
		doc string
		n   int64
	}
	known := map[made]bool{}
	for _, op := range hist {
		in, out := op.Input.(reliability.LogInput), op.Output.(reliability.LogOutput)
		if in.Kind == reliability.LogCommit && out.OK {
			known[made{in.Doc, out.N}] = true
		}
	}
	applied := 0
	never := int64(end + time.Hour)
	for _, p := range rec.pend {
		k := key{doc: p.doc, sum: p.sum}
		if p.merge > 0 {
			k = key{doc: p.doc, proposal: p.merge}
		}
		r, ok := revs[k]
		if !ok || known[made{p.doc, r.Number}] {
			continue
		}
		known[made{p.doc, r.Number}] = true
		applied++
		hist = append(hist, porcupine.Operation{ClientId: p.client, Call: p.call, Return: never,
			Input:  reliability.LogInput{Doc: p.doc, Kind: reliability.LogCommit, Base: p.base, SHA256: r.SHA256},
			Output: reliability.LogOutput{OK: true, N: r.Number}})
	}
	return hist, applied
}

// visibility measures how long a role change and an adoption made through
// the balancer take to show on every instance, each polled directly.
func visibility(ctx context.Context, t *testing.T, topo *cluster.Topology, env *setupEnv, rep *report) {
	const slug = "vidimost"
	admin := env.admin
	resp, err := admin.Do(ctx, "POST", "/api/v1/documents", map[string]any{"slug": slug, "title": "Проверка видимости", "text": initialText(3)})
	mustOK(t, resp, err, http.StatusCreated, "create "+slug)
	resp, err = admin.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/"+admin.Login, map[string]any{"role": "chair"})
	mustOK(t, resp, err, http.StatusOK, "appoint the administrator chair")
	hc := httpClient()
	probeGet := func(base string) int {
		c := &reliability.Client{Base: base, Token: env.probe.token, HTTP: hc}
		r, err := c.Do(ctx, "GET", "/api/v1/documents/"+slug, nil)
		if err != nil {
			return -1
		}
		return r.Status
	}
	// until polls every instance until cond holds on it and returns the
	// longest wait, from t0.
	until := func(t0 time.Time, cond func(base string) bool) float64 {
		var longest time.Duration
		for _, base := range topo.Instances {
			for !cond(base) {
				if time.Since(t0) > 10*time.Second || ctx.Err() != nil {
					t.Errorf("%s: not visible after 10 s", base)
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			longest = max(longest, time.Since(t0))
		}
		return longest.Seconds()
	}
	for range 3 {
		// Each instance first sees the probe without a role (so any cached
		// decision is the old one).
		for _, base := range topo.Instances {
			if st := probeGet(base); st == http.StatusOK {
				t.Fatalf("%s: the probe reads the document before it has a role", base)
			}
		}
		t0 := time.Now()
		resp, err := admin.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/probe", map[string]any{"role": "observer"})
		mustOK(t, resp, err, http.StatusOK, "grant")
		rep.RoleGrant = append(rep.RoleGrant, until(t0, func(b string) bool { return probeGet(b) == http.StatusOK }))
		t0 = time.Now()
		resp, err = admin.Do(ctx, "DELETE", "/api/v1/documents/"+slug+"/members/probe", nil)
		if err != nil || resp.Status >= 300 {
			t.Fatalf("revoke: %v %d %s", err, resp.Status, resp.Body)
		}
		rep.RoleRevoke = append(rep.RoleRevoke, until(t0, func(b string) bool { return probeGet(b) != http.StatusOK }))
	}

	pageTag := func(base, slug string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/public/"+slug, nil)
		req.Header.Set("Accept-Language", "ru")
		r, err := hc.Do(req)
		if err != nil {
			return -1, ""
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode, r.Header.Get("ETag")
	}
	apiRevision := func(base, slug string) int64 {
		c := &reliability.Client{Base: base, HTTP: hc}
		r, err := c.Adopted(ctx, slug)
		var a struct {
			Revision int64 `json:"revision"`
		}
		if err != nil || r.Status != http.StatusOK || json.Unmarshal(r.Body, &a) != nil {
			return 0
		}
		return a.Revision
	}
	// Adoptions only move forward (basis, then final), and the first
	// document stays open for shared-state's role changes: the second and
	// third trials are a second document's.
	second := slug + "-2"
	resp, err = admin.Do(ctx, "POST", "/api/v1/documents", map[string]any{"slug": second, "title": "Проверка видимости 2", "text": initialText(3)})
	mustOK(t, resp, err, http.StatusCreated, "create "+second)
	resp, err = admin.Do(ctx, "PUT", "/api/v1/documents/"+second+"/members/"+admin.Login, map[string]any{"role": "chair"})
	mustOK(t, resp, err, http.StatusOK, "appoint the administrator chair of "+second)
	heads := map[string]int64{slug: 1, second: 1}
	for i, trial := range []struct{ slug, stage string }{{slug, "basis"}, {second, "basis"}, {second, "final"}} {
		slug := trial.slug
		head := heads[slug]
		if i == 2 {
			n, _, resp, err := admin.Commit(ctx, slug, head, setPara(initialText(3), 1, fmt.Sprintf("2. Редакция %d.", i)))
			mustOK(t, resp, err, http.StatusCreated, "commit")
			head = n
		}
		_, s, resp, err := admin.Head(ctx, slug)
		mustOK(t, resp, err, http.StatusOK, "head")
		resp, err = admin.Approve(ctx, slug, head, s)
		mustOK(t, resp, err, http.StatusCreated, "approve")
		// Warm every instance's public page: each now holds the previous
		// adoption's page (or knows there is none).
		old := map[string]string{}
		for _, base := range topo.Instances {
			st, tag := pageTag(base, slug)
			old[base] = strconv.Itoa(st) + tag
		}
		t0 := time.Now()
		resp, err = admin.Adopt(ctx, slug, head, trial.stage)
		mustOK(t, resp, err, http.StatusCreated, "adopt")
		heads[slug] = head
		for _, base := range topo.Instances {
			if st, tag := pageTag(base, slug); strconv.Itoa(st)+tag == old[base] {
				rep.StalePages++
			}
		}
		// The API reads the database on every request: it goes first, so
		// its figure is not the page's wait.
		rep.AdoptAPI = append(rep.AdoptAPI, until(t0, func(b string) bool { return apiRevision(b, slug) == head }))
		rep.AdoptPage = append(rep.AdoptPage, until(t0, func(b string) bool {
			st, tag := pageTag(b, slug)
			return st == http.StatusOK && strconv.Itoa(st)+tag != old[b]
		}))
	}
	t.Logf("role granted → visible on all %d instances: %s; revoked: %s", len(topo.Instances), secs(rep.RoleGrant), secs(rep.RoleRevoke))
	t.Logf("adoption → public API on all instances: %s; public page: %s; instances still serving the previous page right after the 201: %d of %d",
		secs(rep.AdoptAPI), secs(rep.AdoptPage), rep.StalePages, 3*len(topo.Instances))
}

// sharedState checks what must hold across instances and fails where an
// instance keeps state of its own.
func sharedState(ctx context.Context, t *testing.T, topo *cluster.Topology, env *setupEnv, rep *report) {
	hc := httpClient()
	t.Run("idempotency-key across instances", func(t *testing.T) {
		key := "cluster-" + strconv.Itoa(rand.IntN(1e9))
		body := `{"slug":"povtor","title":"Повтор","text":"1. Пункт."}`
		var answers []string
		for _, base := range topo.Instances[:2] {
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/documents", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+topo.AdminToken)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
			r, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			answers = append(answers, fmt.Sprintf("%d %s", r.StatusCode, b))
			if base == topo.Instances[1] && r.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("the retry on another instance was not replayed: %d %s", r.StatusCode, b)
			}
		}
		if answers[0] != answers[1] {
			t.Errorf("the retry on another instance got another answer:\n%s\n%s", answers[0], answers[1])
		}
	})
	t.Run("role change effective at once on every instance", func(t *testing.T) {
		// Appointed and removed through one instance, asked of the others
		// right after the answer: a removed observer who still reads, or an
		// appointed one refused, is a decision made on a stale policy cache.
		const slug = "vidimost"
		ask := func(base string) int {
			c := &reliability.Client{Base: base, Token: env.probe.token, HTTP: hc}
			r, err := c.Do(ctx, "GET", "/api/v1/documents/"+slug, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r.Status
		}
		on := &reliability.Client{Base: topo.Instances[0], Token: topo.AdminToken, HTTP: hc}
		refused, kept := 0, 0
		for range 5 {
			r, err := on.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/probe", map[string]any{"role": "observer"})
			mustOK(t, r, err, http.StatusOK, "grant")
			for _, base := range topo.Instances[1:] {
				if ask(base) != http.StatusOK {
					refused++
				}
			}
			r, err = on.Do(ctx, "DELETE", "/api/v1/documents/"+slug+"/members/probe", nil)
			if err != nil || r.Status >= 300 {
				t.Fatalf("revoke: %v %d %s", err, r.Status, r.Body)
			}
			for _, base := range topo.Instances[1:] {
				if ask(base) == http.StatusOK {
					kept++
				}
			}
		}
		rep.RoleStaleGrant, rep.RoleStaleRevoke = refused, kept
		n := 5 * (len(topo.Instances) - 1)
		t.Logf("right after the answer, on the other instances: %d of %d reads refused after a grant, %d of %d allowed after a removal", refused, n, kept, n)
		if refused > 0 || kept > 0 {
			t.Errorf("role changes are not effective at once on other instances (%d of %d stale after grants, %d of %d after removals): each instance decides on its own policy cache, reloaded on a notification",
				refused, n, kept, n)
		}
	})
	t.Run("sign-in throttling is shared", func(t *testing.T) {
		// Wrong passwords through the balancer, which spreads them over the
		// instances: a throttle shared by the instances refuses the
		// (attempts+1)th; one per instance lets attempts×instances through.
		c := &reliability.Client{Base: topo.LB, HTTP: hc}
		failures := 0
		for failures < loginAttempts*len(topo.Instances)+5 {
			r, err := c.Do(ctx, "POST", "/api/v1/session", map[string]any{"login": env.probe.login, "password": "не тот пароль"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status == http.StatusTooManyRequests {
				break
			}
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("a wrong password: %d %s", r.Status, r.Body)
			}
			failures++
		}
		rep.LoginFailures = failures
		t.Logf("%d failed sign-ins through the balancer before 429 (REDLINE_LOGIN_ATTEMPTS=%d, %d instances)", failures, loginAttempts, len(topo.Instances))
		if failures > loginAttempts {
			t.Errorf("%d failed sign-ins were allowed where %d should be: the throttle's counters are per instance", failures, loginAttempts)
		}
	})
	t.Run("one outbox worker at a time", func(t *testing.T) {
		// Every instance competes for the outbox's advisory lock on a
		// connection of its own (sqlstore.Exclusive); exactly one holds it,
		// on the primary of the moment (after the failover: the promoted
		// standby).
		raw, err := sql.Open("pgx", topo.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		const q = `SELECT COUNT(DISTINCT a.pid), COUNT(l.pid) FROM pg_stat_activity a
LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
WHERE a.application_name = 'redline exclusive outbox'`
		var sessions, holders int
		for try := 0; try < 100; try++ {
			if err := raw.QueryRowContext(ctx, q).Scan(&sessions, &holders); err != nil {
				t.Fatal(err)
			}
			if sessions == len(topo.Instances) && holders == 1 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		rep.OutboxSessions, rep.OutboxHolders = sessions, holders
		t.Logf("outbox lock: %d instances competing, %d holding it", sessions, holders)
		if sessions != len(topo.Instances) || holders != 1 {
			t.Errorf("outbox lock: %d sessions competing (want %d, one per instance), %d holding it (want 1)", sessions, len(topo.Instances), holders)
		}
	})
	t.Run("public page fresh on every instance after an adoption", func(t *testing.T) {
		// Measured by visibility: an instance that keeps serving the page of
		// the previous adoption after the new one was acknowledged.
		if len(rep.AdoptPage) == 0 {
			t.Skip("visibility did not run")
		}
		// The contract is from the answer on: the wait measured from the
		// request includes the adoption itself, so it is reported, not
		// bounded.
		if rep.StalePages > 0 {
			t.Errorf("after an acknowledged adoption, %d of %d instance reads right away still served the previous public page (up to %.2fs from the request to every instance showing the new one)",
				rep.StalePages, 3*len(topo.Instances), slices.Max(rep.AdoptPage))
		}
	})
}

// throughput measures the public page through the balancer with 1, 2 and
// 3 instances in service, interleaved, and reports the medians.
func throughput(ctx context.Context, t *testing.T, topo *cluster.Topology, env *setupEnv, rep *report) {
	const (
		slug  = "chitateli"
		conns = 16
		run   = 2 * time.Second
		tries = 3
	)
	admin := env.admin
	var b strings.Builder
	for i := range 400 { // about 100 KB
		fmt.Fprintf(&b, "%d. Участники конференции отмечают важность государственной поддержки инновационных кластеров (пункт %d).\n\n", i+1, i+1)
	}
	resp, err := admin.Do(ctx, "POST", "/api/v1/documents", map[string]any{"slug": slug, "title": "Итоговый документ", "text": b.String()})
	mustOK(t, resp, err, http.StatusCreated, "create "+slug)
	resp, err = admin.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/"+admin.Login, map[string]any{"role": "chair"})
	mustOK(t, resp, err, http.StatusOK, "appoint")
	_, s, resp, err := admin.Head(ctx, slug)
	mustOK(t, resp, err, http.StatusOK, "head")
	// The appointment reaches the other instances a few milliseconds later
	// (see shared-state): until then they refuse the new chair.
	for try := 0; try < 100; try++ {
		if resp, err = admin.Approve(ctx, slug, 1, s); err != nil || resp.Status != http.StatusForbidden {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustOK(t, resp, err, http.StatusCreated, "approve")
	resp, err = admin.Adopt(ctx, slug, 1, "final")
	mustOK(t, resp, err, http.StatusCreated, "adopt")
	defer func() {
		if err := topo.SetInstances(len(topo.Instances)); err != nil {
			t.Error(err)
		}
	}()
	load := func(n int) float64 {
		if err := topo.SetInstances(n); err != nil {
			t.Fatal(err)
		}
		var ok, bad atomic.Int64
		runCtx, cancel := context.WithTimeout(ctx, run)
		defer cancel()
		tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		var wg sync.WaitGroup
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for runCtx.Err() == nil {
					req, _ := http.NewRequestWithContext(runCtx, "GET", topo.LB+"/public/"+slug, nil)
					req.Header.Set("Accept-Language", "ru")
					r, err := hc.Do(req)
					if err != nil {
						if runCtx.Err() == nil {
							bad.Add(1)
						}
						continue
					}
					_, _ = io.Copy(io.Discard, r.Body)
					r.Body.Close()
					if r.StatusCode == http.StatusOK {
						ok.Add(1)
					} else {
						bad.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if bad.Load() > 0 {
			t.Errorf("%d instance(s): %d failed reads", n, bad.Load())
		}
		return float64(ok.Load()) / run.Seconds()
	}
	// Warm every instance's page.
	for _, base := range topo.Instances {
		r, err := http.Get(base + "/public/" + slug)
		if err == nil {
			r.Body.Close()
		}
	}
	runs := map[string][]float64{}
	for range tries {
		for n := 1; n <= len(topo.Instances); n++ {
			k := strconv.Itoa(n)
			runs[k] = append(runs[k], load(n))
		}
	}
	rep.Throughput, rep.ThroughputRuns = map[string]float64{}, runs
	for k, v := range runs {
		rep.Throughput[k] = median(v)
	}
	one := rep.Throughput["1"]
	for n := 1; n <= len(topo.Instances); n++ {
		k := strconv.Itoa(n)
		t.Logf("public page through the balancer, %d instance(s): %.0f req/s (median of %v), %.2f× one instance", n, rep.Throughput[k], rounded(runs[k]), rep.Throughput[k]/one)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

func rounded(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}

func secs(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.3fs", x)
	}
	return strings.Join(parts, " ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
