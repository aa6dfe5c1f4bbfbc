package check

import (
	"bufio"
	"math"
	"math/bits"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Alloc checks that count elements of size bytes each can be held: the
// product must not overflow and must fit in MemoryLimit. Detectors call it
// with every size a Config or an input implies before allocating, so that a
// huge value is an ErrConfig error instead of an unrecoverable out-of-memory
// or a makeslice panic.
func Alloc(pkg, what string, count, size int) error {
	if count < 0 || size < 0 {
		return Errorf(pkg, ErrConfig, "%s: negative size", what)
	}
	hi, lo := bits.Mul64(uint64(count), uint64(size))
	limit := MemoryLimit()
	if hi != 0 || lo > uint64(limit) {
		return Errorf(pkg, ErrConfig, "%s needs %d × %d bytes, more than the %d bytes this process can hold", what, count, size, limit)
	}
	return nil
}

// MemoryLimit is the most memory one allocation may ask for: the smallest of
// the Go soft memory limit (debug.SetMemoryLimit, GOMEMLIMIT), the cgroup
// limit and the physical memory where the system reports them, and 2^47
// bytes (what 64-bit address spaces give a process).
func MemoryLimit() int64 {
	memOnce.Do(func() { sysLimit = systemMemory() })
	lim := min(int64(1)<<47, sysLimit)
	if soft := debug.SetMemoryLimit(-1); soft > 0 {
		lim = min(lim, soft)
	}
	if bits.UintSize == 32 {
		lim = min(lim, math.MaxInt32)
	}
	return lim
}

var (
	memOnce  sync.Once
	sysLimit int64
)

// systemMemory reads the cgroup limit and MemTotal on Linux; elsewhere, or
// when they are unreadable, it returns MaxInt64 (no limit known).
func systemMemory() int64 {
	lim := int64(math.MaxInt64)
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
				lim = min(lim, v)
			}
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fs := strings.Fields(rest)
				if len(fs) >= 1 {
					if kb, err := strconv.ParseInt(fs[0], 10, 64); err == nil && kb > 0 && kb < math.MaxInt64/1024 {
						lim = min(lim, kb*1024)
					}
				}
				break
			}
		}
	}
	return lim
}
