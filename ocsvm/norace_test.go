//go:build !race

package ocsvm

const raceEnabled = false
