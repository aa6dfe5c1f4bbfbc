//go:build amd64 || arm64

package rare

// prefetch asks the processor to bring the cache line at addr into cache
// without waiting for it: unlike a load, it does not hold up the
// instructions behind it, so ObserveBatch can request the lines of later
// observations while it works on the current one. It never faults, so any
// address is safe.
//
//go:noescape
func prefetch(addr uintptr)

// prefetch4 prefetches the four cache lines from addr.
//
//go:noescape
func prefetch4(addr uintptr)
