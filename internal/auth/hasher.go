package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"redline/internal/drafting"
)

// Params are argon2id's cost parameters for new hashes. A stored hash
// carries its own, so a check always uses those it was made with.
type Params struct {
	Time   uint32 // passes
	Memory uint32 // KiB
	// Threads is argon2's parallelism.
	Threads uint8
}

// DefaultParams are the production parameters: 64 MiB, 3 passes, 2 lanes.
var DefaultParams = Params{Time: argonTime, Memory: argonMemory, Threads: argonThreads}

// HasherOptions configure a Hasher.
type HasherOptions struct {
	// Concurrency is how many hashes run at once (2 when zero): each takes
	// Params.Memory, so this bounds the memory hashing can hold.
	Concurrency int
	// Queue is how many more callers may wait for a turn (16 when zero);
	// the rest are refused at once.
	Queue int
	// Wait is how long a caller waits for a turn before it is refused (2 s
	// when zero).
	Wait time.Duration
	// Params are the cost of new hashes (DefaultParams when zero).
	Params Params
}

// Hasher computes argon2id hashes a few at a time: every password a request
// hashes or checks goes through one, so however many requests arrive, the
// memory hashing holds is at most Concurrency × Params.Memory. A caller who
// finds the queue full or waits too long gets unavailable with
// retry_after_seconds.
type Hasher struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
	params  Params
	hashes  atomic.Int64
}

// NewHasher returns a hasher with opt's bounds.
func NewHasher(opt HasherOptions) *Hasher {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	if opt.Queue <= 0 {
		opt.Queue = 16
	}
	if opt.Wait <= 0 {
		opt.Wait = 2 * time.Second
	}
	if opt.Params == (Params{}) {
		opt.Params = DefaultParams
	}
	return &Hasher{slots: make(chan struct{}, opt.Concurrency), queue: int64(opt.Queue), wait: opt.Wait, params: opt.Params}
}

// errBusy is the answer when no turn comes: the client retries later.
func errBusy(op string) error {
	return drafting.Refuse(op, drafting.ReasonBusy, "the server is busy checking passwords; try again in a few seconds").
		With("retry_after_seconds", 2)
}

// turn waits for a slot; release gives it back.
func (h *Hasher) turn(ctx context.Context, op string) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	default:
	}
	if h.waiting.Add(1) > h.queue {
		h.waiting.Add(-1)
		return nil, errBusy(op)
	}
	defer h.waiting.Add(-1)
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, errBusy(op)
	case <-ctx.Done():
		return nil, drafting.Wrap(drafting.KindUnavailable, op, "the request ended while waiting to check a password", ctx.Err())
	}
}

// Hashes is how many argon2id hashes this hasher has computed.
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// Hash returns the PHC-formatted argon2id hash of pw, waiting for a turn.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	release, err := h.turn(ctx, "hash password")
	if err != nil {
		return "", err
	}
	defer release()
	h.hashes.Add(1)
	return hashWith(pw, h.params)
}

// Check compares pw with hash in constant time, waiting for a turn.
func (h *Hasher) Check(ctx context.Context, hash, pw string) error {
	release, err := h.turn(ctx, "check password")
	if err != nil {
		return err
	}
	defer release()
	return h.checkHeld(hash, pw)
}

// Turn waits for a turn to hash, for a caller with work to do before the
// hash that should also be bounded (a sign-in reserves its attempt in the
// database first): release gives it back.
func (h *Hasher) Turn(ctx context.Context) (release func(), err error) {
	return h.turn(ctx, "check password")
}

// checkHeld is Check for a caller holding a turn.
func (h *Hasher) checkHeld(hash, pw string) error {
	h.hashes.Add(1)
	return CheckPassword(hash, pw)
}

func hashWith(pw string, p Params) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}
