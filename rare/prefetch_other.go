//go:build !amd64 && !arm64

package rare

// prefetch is a no-op where the package has no prefetch instruction.
func prefetch(addr uintptr) {}

// prefetch4 is a no-op where the package has no prefetch instruction.
func prefetch4(addr uintptr) {}
