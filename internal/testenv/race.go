//go:build race

package testenv

// Race reports whether the race detector is on. sync.Pool drops items at
// random under it and instrumentation allocates, so allocation tests skip.
const Race = true
