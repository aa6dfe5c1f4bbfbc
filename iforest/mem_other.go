//go:build !linux

package iforest

// physicalMemory returns 0 (unknown) where the RAM size is not read: only
// Go's memory limit and the format's bounds then cap a forest.
func physicalMemory() uint64 { return 0 }
