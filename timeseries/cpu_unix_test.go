//go:build unix

package timeseries

import "syscall"

// cpuSeconds is the process's user+system CPU time: events per CPU-second
// measure one core's throughput even on a machine shared with other work.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
