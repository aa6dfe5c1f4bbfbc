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
//   - season is none, a daily profile (48 half-hourly slots, a step
//     function, so that a shape switched at a half hour, as scheduled work
//     is, is predicted sharply), or a weekday/weekend pair of daily
//     profiles (24 hourly slots each, linearly interpolated between slot
//     centres); the two seasonal models are used only once they beat the
//     simpler one by 10% in out-of-sample error (after 2 days of history for
//     daily and 8 days with both day types seen for weekday/weekend), which
//     is the significance test; profiles are centred so that they cannot
//     pose as a level;
//   - correction is none, a medium (gain 0.15) or a fast (gain 0.3)
//     exponentially smoothed level of what base+season leaves over, which follows autocorrelated series
//     (random-walk-like metrics) and trends the way Elastic's fast trend
//     components do. There is no explicit slope: a trend is followed by the
//     corrections with a lag of a few buckets, and not extrapolated by
//     Predict.
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
// between, once the series has max(1 day, 12 buckets) of history (before
// that the model cannot tell an unlearnt daily phase from an outlier, and
// down-weighting would lock its scale into the first hours it saw); the level, profiles and corrections learn the value clipped to 3
// standard deviations of the prediction (a Huber step), and squared errors
// are clipped at 6 standard deviations. A sustained
// shift is adopted, not absorbed: when the multi-bucket statistic stays
// significant (p < 0.01) on one side for ChangeAfter (default max(6 h, 12
// buckets), divided by AdaptationRate), the base moves by the run's recent
// mean residual. A one-hour attack is therefore never learnt as normal.
//
// # Seasonal variance
//
// The residual spread can itself be seasonal: a host whose nightly backup
// moves a hundred times its daytime volume has a global residual variance
// made by the backup hours, which would widen the daytime bounds a
// hundredfold and hide a daytime leak. As Elastic's per-phase variance
// scale, each of 24 hourly slots keeps the decayed mean of the chosen
// model's squared residual over its global variance, ρ (about two days of
// the slot's buckets, outlier-weighted as the level and clipped at 36ρ, so
// that an attack barely widens its own slot; stored as ln ρ in sixteenths
// in an int8, rounded with a deterministic dither so that small updates
// are not lost). The scored and reported spread is sd·sqrt(ρ_slot/mean ρ),
// with ln ρ shrunk towards 0 as a normal posterior (prior variance 1,
// estimate variance 2/n for n updates of memory), only while a seasonal
// model is in use and H = ln(mean ρ) − mean(ln ρ), the per-bucket
// log-likelihood gain of per-slot variances, exceeds 1 (phased in up to 2);
// a homoscedastic series, whose H is about 0.01, is scored exactly as
// without it (NAB standard: 71.20 without the scale, 71.70 with it, 71.05
// with the gate at 0.75, 68.58 at 0.5). Deviations are
// compared with their precedent in units of the slot's spread, so a
// backup's large deviation is no precedent for a daytime one half its size.
//
// # Multi-bucket feature
//
// As Elastic's: the geometrically weighted (0.85 per bucket) mean of the
// standardised residuals (each clipped to ±4), standardised by its own
// decayed variance (which absorbs residual autocorrelation), available after
// 9 buckets. It counts only when the current bucket deviates on the same
// side (|z| ≥ 1.5), so that the buckets after a single spike are not flagged.
// The combined probability is 1-(1-m)² with m = min(p_single, p_multi), the
// Šidák correction for taking the smaller of two tests; Sensitivity s
// reports it as p^s. MultiBucketImpact is Elastic's formula.
//
// # Calibration
//
// Real series are burstier than any fitted tail. Each series counts, with a
// slow decay (about four weeks of buckets), how many episodes (runs of
// consecutive buckets) reached p < 1e-2, 1e-3 and 1e-4 (after precedent,
// below), and scales p up by
// the observed-to-nominal ratio of the deepest level p reaches (log-linearly
// interpolated, with 2 pseudo-episodes at the nominal rate, never below 1,
// and growing at most tenfold per decade so that the calibrated p stays
// monotone). A well-specified series is left as it is; one that produces
// p < 1e-4 every day is scored against its own record, much as Elastic's
// quantile normalisation does for record scores, but without ever
// rewriting an earlier result.
//
// # Precedent
//
// A bucket the series has, in effect, produced before is less alarming than
// one it never has: Elastic's normaliser expresses this with its max-score
// ceiling (an anomaly half the size of the largest seen scores 75, not
// 100). Here each series keeps, in float32, the high and low value and the
// high and low deviation from the prediction of the buckets it learnt, and
// the high and low standardised multi-bucket statistic; a bucket joins
// these precedent ranges one to two days after it was seen
// (at UTC day boundaries), so a nightly backup gains precedent while an
// attack of a few hours is never its own; the ranges decay towards the
// level over about sixteen weeks. A bucket whose value and deviation lie,
// on the tested side, within the precedent ranges widened by one residual
// deviation or a tenth of the precedent excursion, whichever is larger, has its probability tempered to p^(1/10) before the Šidák
// combination: 1e-30 becomes 1e-3, 1e-4 becomes 0.4. Probability is
// therefore a calibrated p-value only for novel buckets; SingleBucketP and
// MultiBucketP are the untempered tests.
//
// # Sparse series
//
// The engine decides what an empty bucket is. For count-like functions it
// can feed zeros with UpdateWeighted and Elastic's occupancy weight
// clamp(2·occupancy, 1e-6, 1); for non_zero_count and non_null_sum it skips
// them.
//
// # Use
//
// A series is warm, and scores, after 8 buckets spanning at least max(2 h,
// 7 buckets) (Elastic's minimum is max(8 buckets, 2 h) for metrics);
// before that Probability is 1 but Typical and the bounds are reported.
// Params are shared by all series of a detector. Score does not mutate the
// series; Update learns the bucket; Observe does both with one evaluation.
// Neither allocates. A zero Series is an empty model. Series is not safe
// for concurrent use; distinct Series are independent. AppendBinary and
// DecodeBinary snapshot a Series in a fixed-size little-endian layout
// (EncodedSize bytes); restore is bit-identical.
package tsmodel
