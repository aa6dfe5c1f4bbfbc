//go:build !race

package lof

const raceEnabled = false
