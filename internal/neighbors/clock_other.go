//go:build !linux

package neighbors

import "time"

// clock measures wall time where no per-thread CPU clock is at hand.
type clock struct{ t0 time.Time }

func (c *clock) start()              { c.t0 = time.Now() }
func (c *clock) stop() time.Duration { return time.Since(c.t0) }
