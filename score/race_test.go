//go:build race

package score

// raceEnabled: the race detector perturbs allocation counts, so
// allocation tests skip.
const raceEnabled = true
