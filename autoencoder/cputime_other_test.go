//go:build !unix

package autoencoder_test

import "time"

// cpuTime is not measured here; BenchmarkFitODDS then reports wall time only.
func cpuTime() time.Duration { return 0 }
