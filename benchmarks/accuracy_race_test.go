//go:build race

package benchmarks

// raceEnabled: the race detector slows fitting about tenfold, so the
// real-data accuracy checks skip under it (run go test ./benchmarks).
const raceEnabled = true
