package authz

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"redline/internal/drafting"
)

// Document IDs as drafting makes them: 32 lowercase hex digits.
const (
	docA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	docB = "0123456789abcdef0123456789abcdef"
)

type assignKey struct {
	doc  string
	user int64
}

// memSource is an in-memory RoleSource: a role change bumps the version, as
// sqlstore does.
type memSource struct {
	mu      sync.Mutex
	roles   map[assignKey]string
	extra   []drafting.RoleAssignment // returned as is, for malformed rows
	version int64
	err     error         // returned by both methods when set
	gate    chan struct{} // RoleAssignments waits on it when set
	loads   atomic.Int64  // RoleAssignments calls
}

func newSource() *memSource {
	return &memSource{roles: map[assignKey]string{}, version: 1}
}

// set gives user role on doc ("" removes it) and bumps the version.
func (s *memSource) set(doc string, user int64, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if role == "" {
		delete(s.roles, assignKey{doc, user})
	} else {
		s.roles[assignKey{doc, user}] = role
	}
	s.version++
}

func (s *memSource) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *memSource) setGate(g chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = g
}

func (s *memSource) RoleAssignments(ctx context.Context) ([]drafting.RoleAssignment, error) {
	s.loads.Add(1)
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	out := append([]drafting.RoleAssignment(nil), s.extra...)
	for k, role := range s.roles {
		out = append(out, drafting.RoleAssignment{DocumentID: k.doc, UserID: k.user, Role: role})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

func (s *memSource) PolicyVersion(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, s.err
}

func (s *memSource) Version() int64 {
	v, _ := s.PolicyVersion(context.Background())
	return v
}

// logBuffer collects log output for tests that check what was logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mustNew returns an Enforcer on src, logging into the returned buffer.
func mustNew(t testing.TB, src RoleSource) (*Enforcer, *logBuffer) {
	t.Helper()
	var logs logBuffer
	e, err := New(src, logs.logger())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e, &logs
}
