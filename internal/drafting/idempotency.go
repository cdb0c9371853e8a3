package drafting

import (
	"context"
	"fmt"
	"regexp"
	"sync"
)

var idempotencyKeyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`) }) // built on first use, not at start

// BeginIdempotent reserves an Idempotency-Key for the actor's request with
// this fingerprint. When the key was used before it returns the remembered
// result (found): a finished one to replay, or a conflict while the first
// request still runs or when the key came with a different request.
func (s *Service) BeginIdempotent(ctx context.Context, actor *User, key, fingerprint string) (IdempotentResult, bool, error) {
	const op = "idempotency key"
	if !idempotencyKeyPattern().MatchString(key) {
		return IdempotentResult{}, false, Refuse(op, ReasonIdempotencyKey, "Idempotency-Key must be 1 to 128 of A-Z a-z 0-9 . _ : -")
	}
	r := IdempotentResult{UserID: actor.ID, Key: key, Fingerprint: fingerprint, CreatedAt: s.core.clock()}
	prev, found, err := s.core.store.ReserveIdempotencyKey(ctx, r)
	if err != nil {
		return IdempotentResult{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if !found {
		return IdempotentResult{}, false, nil
	}
	if prev.Fingerprint != fingerprint {
		return IdempotentResult{}, false, Refuse(op, ReasonKeyReused, "this Idempotency-Key was used for a different request")
	}
	if !prev.Done {
		return IdempotentResult{}, false, Refuse(op, ReasonKeyInFlight, "the first request with this Idempotency-Key is still running")
	}
	return prev, true, nil
}

// FinishIdempotent remembers the answer to a reserved key.
func (s *Service) FinishIdempotent(ctx context.Context, actor *User, key string, status int, contentType string, body []byte) error {
	if err := s.core.store.CompleteIdempotencyKey(ctx, actor.ID, key, status, contentType, body); err != nil {
		return fmt.Errorf("idempotency key: %w", err)
	}
	return nil
}

// AbandonIdempotent forgets a reserved key whose request failed in a way a
// retry may fix.
func (s *Service) AbandonIdempotent(ctx context.Context, actor *User, key string) error {
	if err := s.core.store.ReleaseIdempotencyKey(ctx, actor.ID, key); err != nil {
		return fmt.Errorf("idempotency key: %w", err)
	}
	return nil
}
