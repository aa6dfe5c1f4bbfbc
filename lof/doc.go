// Package lof implements the Local Outlier Factor of Breunig, Kriegel, Ng
// and Sander (2000), in the outlier mode (scores of the training rows) and
// the novelty mode (scores of new points against a fitted model).
//
// For a point p with K nearest neighbours N(p):
//
//	k-distance(o)   = distance from o to its K-th nearest neighbour
//	reach(p, o)     = max(d(p, o), k-distance(o))
//	lrd(p)          = 1 / (mean over o in N(p) of reach(p, o) + 1e-10)
//	LOF(p)          = mean over o in N(p) of lrd(o) / lrd(p)
//
// LOF near 1 means p is as dense as its neighbours; well above 1 means it is
// sparser, an outlier. Higher is more anomalous, as everywhere in Vigil.
//
// # Agreement with scikit-learn
//
// TrainingScores equals scikit-learn's -negative_outlier_factor_ of
// LocalOutlierFactor(n_neighbors=K) fitted on the same rows, and Score
// equals -score_samples of LocalOutlierFactor(n_neighbors=K, novelty=True):
// scikit-learn's score_samples has the opposite sign. Training rows are left
// out of their own neighbourhood (a duplicate of a row is still its
// neighbour, at distance 0); a new point is scored against the training
// rows' k-distances and densities, which are fixed at Fit. The unit tests
// hold both to 1e-9 relative against values stored in testdata, and
// benchmarks/scripts/sklearn_neighbors.py does the same on every shared
// data set of up to 100,000 rows.
//
// Neighbours at equal distance are taken in the order of their row index
// (exactly: ordered by squared distance, then index). scikit-learn takes
// them in whatever order its tree or heap meets them, so when a tie
// straddles the K-th place the two may pick different neighbours and, on
// data with many ties (integer-valued features, repeated rows), give
// different LOF values for those rows. Both are correct LOFs; the
// comparison script separates this from arithmetic error.
//
// # Duplicates and the 1e-10 term
//
// Like scikit-learn, the density adds 1e-10 to the mean reachability
// distance before inverting it. When more than K rows coincide, each has K
// neighbours at distance 0 with k-distance 0, so its mean reachability
// distance is 0 and its density is 1/1e-10 = 1e10 instead of +Inf. A data
// set that is one repeated point therefore gets LOF 1 for every row, not
// NaN, and a new point equal to it scores 1.
//
// The same term is why LOF values can explode: a point whose neighbours sit
// in such a pile of duplicates, but which is not itself in the pile, has
// neighbour densities of 1e10 and a density of its own of about 1/d, where
// d is its distance to the pile, so its LOF is about 1e10·d. Values of 1e9
// and more mean exactly this, not a numerical failure; on data with many
// repeated rows, consider de-duplicating or adding a count feature.
//
// # Scale
//
// Distances mix columns, so a column with a large range dominates the
// neighbourhoods. Config.Standardize z-scores each column with the training
// mean and population standard deviation (scikit-learn's StandardScaler;
// a constant column is centred and left unscaled) and applies the same
// transform to new points.
//
// # Cost
//
// Fit finds the K nearest neighbours of every row with the exact search of
// internal/neighbors (a k-d tree on narrow data, a blocked brute force on
// wide data), in O(n·K) memory: no n×n matrix is formed. A model keeps its
// training rows, so its size is n·d plus three values per row. Score
// allocates nothing and is safe for concurrent use.
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
package lof
