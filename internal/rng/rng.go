// Package rng gives independent, reproducible random streams: one per tree or
// task, derived from a user seed and the task's index, so that results do not
// depend on the order in which goroutines run.
package rng

import "math/rand/v2"

// New returns the random stream number stream of the given seed.
func New(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed), mix(stream^0x9e3779b97f4a7c15)))
}

// mix is the SplitMix64 finaliser: nearby seeds and stream numbers give
// unrelated PCG states.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
