// Package score turns raw detector scores into decisions and measures how good
// those decisions are.
//
// Evaluation metrics follow scikit-learn's definitions so that figures can be
// compared directly: ROCAUC equals sklearn.metrics.roc_auc_score (ties count
// one half), AveragePrecision equals average_precision_score (the step-wise
// sum over distinct thresholds, no interpolation), and Quantile equals
// numpy.quantile with its default linear interpolation.
//
// In every function a higher score means more anomalous, and a sample is
// predicted anomalous when its score is at or above the threshold.
package score
