// Package knn implements the k-nearest-neighbour distance outlier score:
// a point far from its K nearest neighbours is anomalous (Ramaswamy,
// Rastogi and Shim 2000; Angiulli and Pizzuti 2002).
//
// Method chooses how the K distances become one score, as in PyOD's KNN:
// Largest (the distance to the K-th neighbour, the default), Mean, or
// Median. The default K is 5, also PyOD's. Higher is more anomalous.
//
// TrainingScores scores each training row with the row left out of its own
// neighbourhood, matching PyOD's decision_scores_ and scikit-learn's
// NearestNeighbors.kneighbors() called without X; a duplicate of a row is
// still its neighbour, at distance 0. Score and ScoreBatch score new points
// against all training rows (novelty detection), so a new point equal to a
// training row has that row at distance 0. The distances are exact: the
// unit tests hold them to 1e-9 relative against scikit-learn, and
// benchmarks/scripts/sklearn_neighbors.py checks every shared data set of
// up to 100,000 rows. A data set that is one repeated point scores 0
// everywhere.
//
// Neighbours at equal distance are taken in the order of their row index.
// The score depends only on the distances, so ties never change it.
//
// Config.Standardize z-scores each column with the training mean and
// population standard deviation (scikit-learn's StandardScaler; a constant
// column is centred and left unscaled) before any distance is taken, since
// otherwise the column with the largest range decides the neighbourhoods.
//
// The search is internal/neighbors: a k-d tree on narrow data and a blocked
// brute force on wide data, in O(n·K) memory. A model keeps its training
// rows. Score allocates nothing and is safe for concurrent use.
//
// Values beyond ±1e150 are refused with ErrNonFinite, in training data and
// in samples to score: their squared differences overflow float64 and would
// make distances +Inf and scores NaN. Rescale such data first. Every value
// within the bound is scored, finitely. With Standardize, a column of tiny
// spread can turn an accepted value into more than 1e150 standard
// deviations: such standardised values saturate at ±1e150, so the sample
// stays about 1e150 away from every training row and scores above all of
// them (the search never sees a value its arithmetic cannot hold). On any
// error Score returns NaN and ScoreBatch nil.
//
// # Serving
//
// A fitted or decoded Model is immutable and safe for concurrent use.
// ScoreBatchContext and ScoreToContext stop when their context is
// cancelled; WithWorkers returns a copy that scores batches on a given
// number of goroutines, for a model loaded on another machine. Explain
// gives each feature's share of the squared distance to the neighbours that
// set a score, on the model's (standardised) scale. Every error is an
// *Error (errors.As gives the row and column of bad input) wrapping one of
// the sentinels, ErrNotFitted for a zero Model.
package knn
