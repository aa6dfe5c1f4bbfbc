//go:build race

package iforest

// raceEnabled: the race detector perturbs allocation counts and slows
// scoring about tenfold, so allocation tests skip.
const raceEnabled = true
