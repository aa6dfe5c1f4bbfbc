// Package score turns raw detector scores into decisions and measures how good
// those decisions are.
//
// # From raw scores to alerts
//
// A Normalizer, fitted on reference scores of normal data (a detector's
// TrainingScores, say), puts a detector's scores on a known scale: ZScore,
// RobustZScore (median and MAD), MinMax, Rank (the empirical CDF, 0-1) or
// Unify (Kriegel et al.'s Gaussian scaling, 0-1).
//
// A Combiner merges several detectors' scores, after normalising each one:
// the weighted sum α·KNN + β·LOF, PyOD's average, maximum, AOM and MOA. Raw
// scores cannot be added directly: a KNN score is a distance in the units
// of the features, unbounded and scaled by the data, while a LOF score is a
// dimensionless density ratio near 1 for inliers; a raw sum is decided by
// whichever has the larger spread, and the weights lose their meaning.
// CombineScores does the whole job on score vectors; an Ensemble binds a
// Combiner to detectors (anything with Score([]float64) (float64, error),
// the Scorer interface) and is itself a Scorer.
//
// A Threshold is fitted at a quantile of reference scores (0.95 by default)
// or from an expected contamination rate, and grades scores on the one
// severity scale of the library: Normal, Caution, Warning, Critical. The
// scale runs from the reference's typical score (its median, 0 %) to the
// threshold (100 %), and the tiers begin at 100 %, 120 % and 150 %, so that
// a tier means the same distance past the bar on every detector (see
// Severity and the worked examples below).
//
// A Stream is a threshold that follows the recent score distribution: the
// quantile of a sliding window of blocks, each summarised to a bounded
// number of values, with a rank error it reports (0.1 % of the window with
// the defaults). Scores it flags are learned only as far as normal data
// would produce them, so a burst of attack scores cannot raise its own bar,
// while a sustained shift of level is recognised and learned. Snapshots
// restore it exactly.
//
// Two per-key rules turn graded windows into pages. Sustain holds when a
// key has been at Warning or above (by default) for N consecutive windows,
// so that one odd window is not an incident; Throttle lets at most one
// alert per key through per interval (5 minutes by default) and counts what
// it held back. For both, a key's clock never moves backward: a window or
// alert stamped before the key's last one is counted as late and changes
// nothing. Both remember at most MaxKeys keys of at most MaxKeyBytes bytes
// each (longer keys are kept as a prefix and a SHA-256 digest), so their
// memory is bounded in bytes.
//
//	sus, _ := score.NewSustain(score.SustainConfig{Windows: 3, Window: time.Minute})
//	thr, _ := score.NewThrottle(score.ThrottleConfig{})
//	if sus.Observe(user, end, th.Severity(s)).Sustained && thr.Allow(user, end).Allowed {
//		page(user, s)
//	}
//
// # The severity scale, worked
//
// With the threshold at the 95th percentile of the reference and the scale
// from its median, Warning begins at median + 1.2·(threshold − median) and
// Critical at median + 1.5·(threshold − median). On the ODDS cardio set
// (1,831 rows, each detector's scores of its own training rows as the
// reference; figures rounded):
//
//	detector   median   threshold   Warning from   Critical from   (from 0: Warning, Critical)
//	iforest    0.4193   0.5253      0.5465         0.5783          (0.6304, 0.7879)
//	knn        1.925    3.572       3.901          4.396           (4.286, 5.358)
//	lof        1.060    1.345       1.402          1.487           (1.614, 2.018)
//	knn+lof   −0.187    1.330       1.633          2.089           (1.596, 1.995)
//
// Measured from 0, the bars fell where each detector's units put them:
// iforest scores sit near 0.4-0.5 for every row, so 120 % of 0.53 was far
// beyond any normal score and almost no anomaly reached Warning, while
// LOF's typical score of 1 made 120 % of the threshold a much longer way
// than 120 % of knn's. From the median, Warning means the same on all four:
// a fifth of the gap between a typical row and the bar again past the bar.
// Over the 31 ODDS sets of at most 100,000 rows, the share of anomalies
// graded Warning or worse went from 2.5 % to 24.5 % for iforest (normal
// rows from 0.2 % to 1.7 %), and ends between 19 % and 25 % for all four
// detectors with 2-3 % of normal rows (go run ./benchmarks/cmd/vigilbench
// -severity prints the table).
//
// # Evaluation
//
// Evaluation metrics follow scikit-learn's definitions so that figures can be
// compared directly: ROCAUC equals sklearn.metrics.roc_auc_score (ties count
// one half), AveragePrecision equals average_precision_score (the step-wise
// sum over distinct thresholds, no interpolation), and Quantile equals
// numpy.quantile with its default linear interpolation.
//
// In every function a higher score means more anomalous, and a sample is
// predicted anomalous when its score is at or above the threshold.
//
// # Numerics, errors and zero values
//
// Finite input gives a finite answer or an error: sums that would overflow
// are rescaled (a z-score reference of ±1e308 has a finite mean and
// deviation), interpolation never forms an overflowing difference, a
// normalised score beyond float64 saturates at ±math.MaxFloat64, and
// combiner weights whose sum overflows are refused. Every error is an
// *Error (errors.As reads it) wrapping one of the package's sentinels, and
// a function that returns a score returns NaN with its error.
//
// A zero Throttle, Sustain or Stream is ready to use with the default
// configuration.
// A zero Normalizer, Combiner, Ensemble or Threshold is not fitted: methods
// that can fail return ErrNotFitted, Normalize returns NaN, and a zero
// Threshold flags nothing.
//
// # Concurrency and persistence
//
// Normalizer, Combiner and Threshold are immutable once made and safe for
// concurrent use. Stream, Sustain and Throttle hold state behind a mutex; their
// results depend on the order of calls. Normalizer, Combiner, Threshold and
// Stream implement encoding.BinaryMarshaler in Vigil's versioned format.
package score
