//go:build race

package timeseries

const raceEnabled = true
