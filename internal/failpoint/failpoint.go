//go:build failpoints

package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Enabled reports whether failpoints are compiled in.
const Enabled = true

// armed is read once from the environment: failpoints are a test fixture
// set on the process by the crash test, not configuration, so the usual
// rule that only config reads the environment does not apply.
var (
	armed = parse(os.Getenv(Env))
	hits  atomic.Int64
)

type point struct {
	name string
	nth  int64
}

func parse(v string) point {
	name, nth, found := strings.Cut(v, ":")
	p := point{name: name, nth: 1}
	if found {
		if n, err := strconv.ParseInt(nth, 10, 64); err == nil && n > 0 {
			p.nth = n
		}
	}
	return p
}

// Hit kills the process with SIGKILL, at once and without running any
// deferred code, when name is the armed failpoint and this is its nth hit.
func Hit(name string) {
	if armed.name == "" || name != armed.name {
		return
	}
	if hits.Add(1) != armed.nth {
		return
	}
	os.Stderr.WriteString("failpoint " + name + ": SIGKILL\n")
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is delivered asynchronously; nothing may run on
}
