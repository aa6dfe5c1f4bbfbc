//go:build !race

package autoencoder

const raceEnabled = false
