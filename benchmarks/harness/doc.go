// Package harness runs anomaly detectors over the shared labelled data sets
// and reports ROC-AUC, PR-AUC (average precision) and timings, as a table
// for people and as JSON for machines and for comparison with scikit-learn.
//
// The protocol is the unsupervised one used by the ODDS/ADBench literature
// and by benchmarks/scripts/sklearn_iforest.py: fit on every row of a set,
// score every row, compare the scores with the labels. Randomised detectors
// are run once per seed and the mean and population standard deviation over
// seeds are reported.
//
// A detector is one entry in the table in detectors.go: a name and a
// function that fits on X with a seed and returns a function giving the
// scores of all training rows. The two calls are timed separately as "fit"
// and "score".
//
// RunSeverity measures the severity scale instead (vigilbench -severity):
// the share of normal rows and of anomalies graded Warning or worse with the
// scale measured from 0 and from the reference's median.
//
// This package is a developer tool of the benchmarks tree, not library API.
package harness
