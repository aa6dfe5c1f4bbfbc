// Package scale is the optional z-score standardisation of the
// distance-based detectors.
//
// It matches scikit-learn's StandardScaler: the mean and the population
// standard deviation (ddof 0) of each column are fitted on the training
// data, and a column whose variance is zero up to rounding keeps a scale of
// 1, so it is centred but not blown up. Such a column then contributes
// nothing to any distance.
package scale
