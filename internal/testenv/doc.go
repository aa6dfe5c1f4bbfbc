// Package testenv holds what the knn, lof and neighbors tests share: the
// lookup of the shared data sets and the generator of the far-outlier
// property (a sample far outside the training data never scores below the
// training maximum). It is imported by tests only.
package testenv
