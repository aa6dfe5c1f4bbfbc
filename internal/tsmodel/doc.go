// Package tsmodel is the per-series model behind Vigil's timeseries jobs:
// one fixed-size, pointer-free value per series (per by/partition entity of
// a detector) that scores a bucket value as a tail probability and then
// learns it.
//
// # Model
//
// The prediction for a bucket is base + season(t) + correction, chosen
// online among nine candidates by their one-step-ahead squared error:
//
//   - base is a slowly decayed level (time constant about two days of
//     buckets, scaled by AdaptationRate);
//   - season is none, a daily profile (24 hourly slots, linearly
//     interpolated between slot centres), or a weekday/weekend pair of daily
//     profiles; the two seasonal models are used only once they beat the
//     simpler one by 10% in out-of-sample error (after 2 days of history for
//     daily and 8 days with both day types seen for weekday/weekend), which
//     is the significance test; profiles are centred so that they cannot
//     pose as a level;
//   - correction is none, a medium or a fast exponentially smoothed level of
//     what base+season leaves over, which follows autocorrelated series
//     (random-walk-like metrics) the way Elastic's fast trend components do.
//
// Residuals are scored with a Student-t whose degrees of freedom come from
// the residuals' kurtosis (heavy tails); series whose values have all been
// non-negative integers are also scored with a negative binomial (Poisson
// when not over-dispersed) around the prediction, and the larger of the two
// p-values is used, so counts near zero are not over-flagged. Bucket times are
// taken at the bucket centre, in UTC; Saturday and Sunday are the weekend.
//
// Updates are outlier-weighted as Elastic's (§3.5 of the reference): weight 1
// when the bucket's p ≥ 1e-3, 0.01 when p ≤ 1e-5, log-log interpolated in
// between; squared errors are clipped at 6 standard deviations. A sustained
// shift is adopted, not absorbed: when the multi-bucket statistic stays
// significant (p < 0.01) on one side for ChangeAfter (default max(6 h, 12
// buckets), divided by AdaptationRate), the base moves by the run's recent
// mean residual. A one-hour attack is therefore never learnt as normal.
//
// # Multi-bucket feature
//
// As Elastic's: the geometrically weighted (0.9 per bucket) mean of the
// standardised residuals (each clipped to ±4), standardised by its own
// decayed variance (which absorbs residual autocorrelation), available after
// 9 buckets. It counts only when the current bucket deviates on the same
// side (|z| ≥ 1), so that the buckets after a single spike are not flagged.
// The combined probability is 1-(1-m)² with m = min(p_single, p_multi), the
// Šidák correction for taking the smaller of two tests; Sensitivity s
// reports it as p^s. MultiBucketImpact is Elastic's formula.
//
// # Use
//
// Params are shared by all series of a detector. Score does not mutate the
// series; Update learns the bucket; Observe does both with one evaluation.
// Neither allocates. A zero Series is an empty model. Series is not safe
// for concurrent use; distinct Series are independent. AppendBinary and
// DecodeBinary snapshot a Series in a fixed-size little-endian layout
// (EncodedSize bytes); restore is bit-identical.
package tsmodel
