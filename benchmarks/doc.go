// Package benchmarks holds the go test -bench suites that need real data or
// large generated inputs, kept out of the library packages so that their
// tests stay fast and self-contained.
//
//	go test -run '^$' -bench . -benchmem ./benchmarks
//
// Benchmarks on shared data sets skip when the data is absent; see package
// benchmarks/dataset for where it is looked for. The accuracy harness is
// benchmarks/cmd/vigilbench and the scikit-learn reference scripts are in
// benchmarks/scripts.
package benchmarks
