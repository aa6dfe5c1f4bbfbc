//go:build race

package demo

// RaceEnabled: the race detector slows the scenarios tenfold; the examples
// run them in full without it, and their jobrun agreement on less data.
const RaceEnabled = true
