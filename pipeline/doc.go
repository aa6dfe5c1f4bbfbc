// Package pipeline fits, scores and persists a whole detection pipeline as
// one artefact: the detectors, their normalisation and combination, and the
// threshold with its severity tiers.
//
// A service that fits an Isolation Forest, or k-NN and LOF combined, needs
// more than the models: each detector's normaliser, the combiner's weights,
// the threshold and the scale its severities are read on. Kept apart, these
// must be re-bound by position after loading, and nothing notices when they
// are bound wrongly. A Pipeline fits them together and marshals them into one
// versioned, checksummed blob that refuses, on load, any part that is not the
// one it was fitted with.
//
//	p, err := pipeline.Fit(ctx, X, pipeline.Config{
//		Detectors: []pipeline.Detector{
//			{Config: knn.Config{K: 10, Standardize: true}},
//			{Config: lof.Config{K: 20, Standardize: true}},
//		},
//		Combine: score.CombinerConfig{Weights: []float64{0.6, 0.4}}, // 0.6·z(KNN) + 0.4·z(LOF)
//	})
//	r, err := p.Score(x)          // r.Score, r.Severity, r.Label, r.Explanation
//	blob, err := p.MarshalBinary() // one file
//
// # Fitting
//
// Fit fits every detector on the rows of X (taken as mostly normal, as in
// scikit-learn and PyOD), then takes each detector's reference scores of
// those rows: the leave-one-out training scores for knn and lof (a training
// row scored against itself would have a neighbour at distance 0), the plain
// scores for iforest. Each detector's normaliser (score.Norm, z-score by
// default) is fitted on its reference scores, the combiner merges the
// normalised scores, and the threshold is set at Config.Quantile (0.95) of
// the reference's combined scores, or at 1 − Config.Contamination.
//
// # Severity
//
// Severity is read on one scale for every detector and every combination:
// the ratio (s − median)/(threshold − median), where median is the median
// of the reference's combined scores. A typical row is at 0 %, the threshold
// at 100 %; Caution starts at 100 %, Warning at 120 % and Critical at 150 %
// (Config.Tiers). Measured from the median rather than from 0, "120 %" is
// the same distance past the bar whatever the detector's raw scale: for an
// Isolation Forest whose reference median is 0.40 and threshold 0.50,
// Warning starts at 0.52, not at 0.60.
//
// # Labels
//
// Result.Label and Predict give 1 for a score at or above the threshold and
// 0 otherwise, PyOD's labels. With Config.Contamination c the threshold is
// the 1 − c quantile of the training rows' reference scores, as PyOD's and
// scikit-learn's contamination set it, and TrainingLabels (PyOD's labels_)
// labels that fraction of the training rows 1.
//
// # Explanations
//
// Explain passes on the detectors' own Explain methods: each detector's
// per-feature contributions become shares, weighed by how far that detector's
// normalised score lies above its typical (median) value and by its weight
// in the combination. The result is in the units of the combined score; see
// Pipeline.Explain for the formula. Score and ScoreBatch fill
// Result.Explanation for rows labelled 1 only, so that every alert carries its
// reasons while normal rows cost no more than scoring.
//
// # Persistence
//
// MarshalBinary writes one blob (internal/codec: magic, version, CRC-32C).
// Each part carries its detector kind ("iforest", "knn", "lof", "ocsvm",
// "autoencoder") and a part version, so new kinds are added as new tags,
// without changing the format.
// At Fit the pipeline scores three probe rows (the columns' quartiles and
// median) with every detector and stores the results; UnmarshalBinary
// re-scores them and refuses a blob in which any detector does not give, bit
// for bit, the scores the detector in that place gave: a replaced part, two
// detectors swapped, or a combiner bound to other detectors. Corrupt input
// returns ErrCorrupt and never panics (the fuzz target reaches past the
// checksum).
//
// Save writes the blob to a file atomically (a temporary file renamed over
// the old one) and Load reads it back, checking the feature names a service
// gives it against the ones the pipeline was fit with. Reason formats the
// top features of a result's explanation, actual against typical values, in
// one line for an alert.
//
// # Cost and concurrency
//
// A Pipeline is immutable and safe for concurrent use. Score allocates the
// Result's slices; ScoreBatch scores each detector over the whole batch in
// parallel and stops when its context is cancelled. WithWorkers sets the
// scoring workers of a loaded pipeline.
package pipeline
