//go:build race

package tsmodel

const raceEnabled = true
