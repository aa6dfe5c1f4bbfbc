//go:build !race

package iforest

const raceEnabled = false
