// Package dataset loads the team's shared labelled data sets for the
// benchmark harness and the Go benchmarks.
//
// A set is a CSV file NAME.csv whose header is f0,...,f{d-1},label and whose
// rows hold d numbers and a 0/1 label, 1 meaning anomaly. The files live
// outside the repository (DESIGN.md: no fetched data is committed), so Dir
// finds them through $VIGIL_DATA or ../shared/data beside the module root,
// and reports ErrNotFound when they are absent so that callers can skip.
//
// This package is a developer tool of the benchmarks tree, not part of the
// library API.
package dataset
