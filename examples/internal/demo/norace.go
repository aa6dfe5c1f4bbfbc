//go:build !race

package demo

// RaceEnabled reports whether the race detector is on.
const RaceEnabled = false
