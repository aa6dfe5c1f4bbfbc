//go:build !unix

package timeseries

func cpuSeconds() float64 { return 0 }
