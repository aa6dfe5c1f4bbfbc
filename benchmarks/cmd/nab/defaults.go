package main

// Defaults of -suppress and -margin.
const (
	defaultSuppress = 200
	defaultMargin   = 1
)
