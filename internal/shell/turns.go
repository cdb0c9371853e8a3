package shell

import (
	"sync"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// Issue 13: the requests of one signed-in account that cost real work (a
// redline, a proposal page, a preview) take turns, so a hundred sent at
// once by one account cost what a few do; different accounts do not wait
// for each other. A request that does not get its turn before its deadline
// gets 503 with Retry-After.

// turnsPerAccount is how many costly requests of one account run at once.
const turnsPerAccount = 2

type accountTurns struct {
	mu    sync.Mutex
	slots map[int64]*turnSlot
}

type turnSlot struct {
	ch    chan struct{}
	users int // requests holding or waiting for a turn
}

func (t *accountTurns) acquire(id int64) *turnSlot {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.slots == nil {
		t.slots = map[int64]*turnSlot{}
	}
	s := t.slots[id]
	if s == nil {
		s = &turnSlot{ch: make(chan struct{}, turnsPerAccount)}
		t.slots[id] = s
	}
	s.users++
	return s
}

func (t *accountTurns) release(id int64, s *turnSlot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.users--; s.users == 0 {
		delete(t.slots, id)
	}
}

// TakeTurns is a handler to put before a costly route's own: a signed-in
// caller's requests through it run at most two at a time.
func (s *Shell) TakeTurns(c *gin.Context) {
	u := Actor(c)
	if u == nil {
		c.Next()
		return
	}
	slot := s.turns.acquire(u.ID)
	defer s.turns.release(u.ID, slot)
	select {
	case slot.ch <- struct{}{}:
	case <-c.Request.Context().Done():
		s.respond(c, drafting.Refuse("take turns", drafting.ReasonBusy, "your earlier requests are still being answered; try again").
			With("retry_after_seconds", 2))
		return
	}
	defer func() { <-slot.ch }()
	c.Next()
}
