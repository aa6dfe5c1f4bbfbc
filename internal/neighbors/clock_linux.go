package neighbors

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// clock measures the CPU time of the calling goroutine's thread between
// start and stop: unlike wall time, it does not count the time other
// processes on a busy machine take from this one, which keeps the
// chooser's timings steady under load.
type clock struct{ t0 time.Duration }

func threadTime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func (c *clock) start() {
	runtime.LockOSThread()
	c.t0 = threadTime()
}

func (c *clock) stop() time.Duration {
	d := threadTime() - c.t0
	runtime.UnlockOSThread()
	return d
}
