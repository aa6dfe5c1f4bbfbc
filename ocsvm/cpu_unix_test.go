//go:build unix

package ocsvm

import (
	"syscall"
	"time"
)

// cpuNow is the process's user + system CPU time, the fair clock on a
// machine shared with other work.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
