package live

import "time"

// WithTicker makes a stream take its heartbeats from tick.
func WithTicker(o StreamOptions, tick <-chan time.Time) StreamOptions {
	o.newTicker = func(time.Duration) (<-chan time.Time, func()) { return tick, func() {} }
	return o
}

// AppendFrame is appendFrame, for the fuzz test.
var AppendFrame = appendFrame
