//go:build unix

package rare

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user and system CPU time: on a shared
// machine, benchmarks report CPU time per operation next to wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
