// Package nab is an independent implementation of the Numenta Anomaly
// Benchmark's scoring (Lavin & Ahmad 2015; NAB v1.1 sweep scorer), written
// from its documentation and published results, for scoring Vigil's
// detectors on the NAB corpus.
//
// The rules, as NAB defines them:
//
//   - Windows come from labels/combined_windows.json: inclusive
//     [start, end] timestamps of rows of the data file.
//   - The first min(floor(0.15·n), 0.15·5000) rows of a file are
//     probationary: never scored, neither as detection nor as miss.
//   - A row is a detection when its anomaly score is ≥ the threshold.
//   - A window scores tpWeight·σ(-(end-i+1)/width)/σ(-1) for its earliest
//     detection i (so tpWeight at the window's first row), or -fnWeight
//     when it has none; σ is the scaled sigmoid 2/(1+e^{5x})-1, -1 for
//     x ≥ 3.
//   - A detection outside every window scores fpWeight·σ(|i-end|/(width-1))
//     relative to the preceding window, or -fpWeight before the first.
//   - A profile's raw score is the corpus sum at the single threshold that
//     maximises it (found exactly, by sweeping every distinct score); the
//     normalised score is 100·(raw-null)/(perfect-null), where the null
//     detector detects nothing (-fnWeight per window) and the perfect one
//     detects every window at its first row (tpWeight per window).
//
// Row counts (TP, TN, FP, FN) are per row after probation, as in NAB's
// published *_scores.csv files: a detected row inside a window is a TP,
// outside an FP. Tests reproduce the published null detector's per-file
// scores and counts and every published detector's normalised scores from
// its raw totals.
package nab
