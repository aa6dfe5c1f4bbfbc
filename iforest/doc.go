// Package iforest implements Isolation Forest (Liu, Ting and Zhou, 2008 and
// 2012) and, as an option, Extended Isolation Forest (Hariri, Kind and
// Brunner, 2018).
//
// An isolation tree splits a random subsample of ψ rows on a random feature at
// a random threshold until each row stands alone or the height limit
// ceil(log2 ψ) is reached. Anomalies are few and different, so they are
// isolated close to the root. A row's path length h(x) is the depth of the
// leaf it reaches plus c(size), the average path length of an unsuccessful
// search in a binary search tree of the leaf's size, which accounts for the
// subtree that the height limit did not grow:
//
//	c(n) = 2·H(n−1) − 2(n−1)/n,  c(2) = 1,  c(1) = c(0) = 0
//
// and the score is s(x) = 2^(−E[h(x)] / c(ψ)), in (0, 1]: near 1 for
// anomalies, well below 0.5 for normal rows. This is the same quantity as
// scikit-learn's −score_samples (scikit-learn returns its negation so that
// lower is more abnormal; here, as everywhere in Vigil, higher is more
// anomalous). H is the harmonic number, computed exactly for small n and by
// its asymptotic series beyond, where scikit-learn uses ln(i) + γ for every
// i > 1; the two differ by under 1% from n = 8 on and the ranking of rows is
// barely affected.
//
// Splits follow scikit-learn's random splitter: a feature that is constant
// within a node is skipped and another drawn, the threshold is uniform
// between the node's minimum and maximum, and rows at or below it go left.
//
// With Config.ExtensionLevel > 0 the cuts are random hyperplanes instead of
// axis-parallel thresholds: the normal vector has ExtensionLevel+1 non-zero
// standard-normal components and the intercept is drawn uniformly in the
// node's bounding box. This removes the axis-aligned bands of low score that
// standard Isolation Forest draws around clusters. ExtensionLevel 0 is
// standard Isolation Forest, and the largest allowed level, the number of
// features used per tree minus one, is the fully extended forest.
//
// Cuts are drawn within the range of a tree's subsample, so a value beyond
// that range in one feature follows the same path as the subsample's extreme
// value: a row that is odd in a single feature scores only as high as the
// most extreme training row in that feature, unless it was itself drawn into
// the tree's subsample. Features of a few discrete values (counts of 1 or 2)
// make this visible; rows odd in several features are isolated quickly.
//
// Each tree draws its subsample and cuts from its own random stream derived
// from Config.Seed and the tree's index, so a forest is bit-identical for any
// number of workers.
//
// # Serving
//
// A Model is immutable and safe for concurrent use. ScoreBatchContext and
// ScoreToContext stop when their context is cancelled; WithWorkers gives a
// loaded model the goroutine count of the machine it runs on, as a copy.
// Explain attributes a score to the features (see Model.Explain for the
// method and its measured accuracy). Every method of a zero Model returns
// ErrNotFitted, every error is an *Error (errors.As gives the row and column
// of a bad value), and Score returns NaN with any error. Fit refuses, before
// allocating, a Config whose forest the model format cannot index or the
// machine cannot hold, and UnmarshalBinary accepts only forests Fit can
// produce (the two share one validation).
package iforest
