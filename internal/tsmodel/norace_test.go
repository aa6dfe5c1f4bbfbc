//go:build !race

package tsmodel

const raceEnabled = false
