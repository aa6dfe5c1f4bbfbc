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
// or from an expected contamination rate, and grades a score into Normal,
// Caution (from 100 % of the threshold), Warning (from 120 %) and Critical
// (from 150 %). The percentage is (s − Origin)/(threshold − Origin), with
// Origin 0 by default; for scores that can be negative, or that hover near
// a non-zero value such as LOF's 1, Origin says where 0 % lies, and a
// threshold not above its origin is refused. AlertLevels grade 0-1 scores
// (Rank or Unify normalised) at 0.7 and 0.9 by default.
//
// A Stream is a threshold that follows the recent score distribution: the
// quantile of a sliding window of blocks, each summarised to a bounded
// number of values, with a rank error it reports (0.1 % of the window with
// the defaults). Scores it flags are learned only as far as normal data
// would produce them, so a burst of attack scores cannot raise its own bar,
// while a sustained shift of level is recognised and learned. Snapshots
// restore it exactly.
//
// A Throttle lets at most one alert per key through per interval (5
// minutes by default) and counts what it held back. A key's clock never
// moves backward: an alert stamped before the key's last allowed alert is
// suppressed and counted as late. It remembers at most MaxKeys keys of at
// most MaxKeyBytes bytes each (longer keys are kept as a prefix and a
// SHA-256 digest), so its memory is bounded in bytes.
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
// A zero Throttle or Stream is ready to use with the default configuration.
// A zero Normalizer, Combiner, Ensemble or Threshold is not fitted: methods
// that can fail return ErrNotFitted, Normalize returns NaN, and a zero
// Threshold flags nothing.
//
// # Concurrency and persistence
//
// Normalizer, Combiner and Threshold are immutable once made and safe for
// concurrent use. Stream and Throttle hold state behind a mutex; their
// results depend on the order of calls. Normalizer, Combiner, Threshold and
// Stream implement encoding.BinaryMarshaler in Vigil's versioned format.
package score
