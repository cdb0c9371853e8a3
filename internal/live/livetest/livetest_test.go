package livetest_test

import (
	"context"
	"testing"

	"redline/internal/live"
	"redline/internal/live/livetest"
)

func TestSource(t *testing.T) {
	livetest.Run(t, func(t *testing.T) livetest.Fixture {
		s := livetest.NewSource()
		return livetest.Fixture{
			Source: s,
			Append: func(_ context.Context, r live.Record) (live.Record, error) { return s.Append(r), nil },
			Docs:   [3]string{"d1", "d2", "d3"},
		}
	})
}
