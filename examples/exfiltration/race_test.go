//go:build race

package main

// raceEnabled: the race detector slows the scenarios tenfold; they run in
// full without it.
const raceEnabled = true
