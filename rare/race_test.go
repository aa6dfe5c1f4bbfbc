//go:build race

package rare

// raceEnabled: the race detector slows the model about tenfold and perturbs
// allocation counts, so long tests shrink and allocation tests skip.
const raceEnabled = true
