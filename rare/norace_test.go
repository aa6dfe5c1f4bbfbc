//go:build !race

package rare

const raceEnabled = false
