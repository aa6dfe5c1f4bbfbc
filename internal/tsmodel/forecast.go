package tsmodel

import "math"

// Forecasting.
//
// One-step predictions lean on the corrections: the base is a smoothed
// level of the raw values, so it wobbles with the season (after a weekend
// it sits low), and the profiles, learnt as offsets from that wobbling
// base, are centred. A prediction days ahead cannot lean on a correction
// that only knows the last few buckets, so Forecast rebuilds the
// deseasonalised level instead: it runs the base's own smoothing over one
// period of the seasonal profile to find the wobble E(t) the base carries
// at each phase, takes the level as L = base − E(last bucket), and
// predicts L + S(t), where S(t) is the profile plus the wobble it was
// learnt against (the average of E over the days of that type at that
// time of day), found by a few fixed-point rounds. The correction fades
// at its own rate, (1−α)^h after h buckets, from the one-step prediction
// to this one; the variance moves with it from the chosen model's one-step
// error to that of base and season alone, less the wobble's share of it,
// which the rebuilt level removes.

const (
	fcStep  = 1800             // seconds per step of the period grid
	fcGrid  = 7 * 86400 / 1800 // steps per week
	fcRound = 3                // fixed-point rounds
)

// Forecast returns the predicted value and 95% bounds of the bucket
// starting at t (unix seconds), h ≥ 1 buckets after the last one learnt,
// without data and without changing the series. For the bucket right
// after the last one learnt it equals Predict. Forecasting many buckets of
// one series is cheaper with a Forecaster.
func (s *Series) Forecast(p *Params, t int64) (typical, lower, upper float64) {
	var f Forecaster
	f.Reset(s, p)
	return f.At(t)
}

// Forecaster forecasts one series: Reset computes what the forecast of
// every future bucket shares (the base's seasonal wobble), At forecasts one
// bucket. It holds a pointer to the series, which must not change in
// between; a Forecaster may be reused for many series.
type Forecaster struct {
	s       *Series
	p       *Params
	e, eBar [fcGrid]float64
	wobble2 float64
}

// Reset prepares the forecaster for series s under params p.
func (f *Forecaster) Reset(s *Series, p *Params) {
	f.s, f.p, f.wobble2 = s, p, 0
	if s.n > 0 && s.season > 0 {
		f.wobble2 = s.wobble(p, &f.e, &f.eBar)
	}
}

// At returns the predicted value and 95% bounds of the bucket starting at
// t, as Series.Forecast.
func (f *Forecaster) At(t int64) (typical, lower, upper float64) {
	s, p := f.s, f.p
	if s.n == 0 {
		return s.Predict(p, t)
	}
	h := float64(t-s.last)/float64(p.BucketSpan) - 1
	if h <= 0 {
		return s.Predict(p, t)
	}
	m := int(s.season)
	sd, nu := s.spread()
	pos, dt := phase(p, t)
	prof := s.profiles(pos, dt)[m]
	one := s.base + prof
	w := 0.0
	if s.corr > 0 {
		one += float64(s.corrLvl[m][s.corr-1])
		w = math.Pow(1-p.corrRate[s.corr-1], h)
	}
	far := s.base
	if m > 0 {
		far = s.base - f.e[gridIndex(p, s.last)] + prof + f.eBar[gridIndex(p, t)]
	}
	pred := w*one + (1-w)*far
	vFar := (sd*sd + math.Max(sd*sd, s.err[m][0]-f.wobble2)) / 2
	vr := w*sd*sd + (1-w)*vFar
	return s.bounds(pred, math.Sqrt(vr), nu)
}

// gridIndex is the step of the weekly grid (from Thursday 00:00 UTC, the
// epoch's weekday) that holds the centre of the bucket starting at t.
func gridIndex(p *Params, t int64) int {
	mid := t + p.BucketSpan/2
	k := (mid % (7 * 86400)) / fcStep
	if k < 0 {
		k += fcGrid
	}
	return int(k)
}

// wobble fills e with the base's periodic wobble at each grid step and
// eBar with its average over the days of the same type at the same time
// of day (what the profile was learnt against), and returns the mean
// square of e − eBar, the share of the uncorrected model's error that a
// rebuilt level removes.
func (s *Series) wobble(p *Params, e, eBar *[fcGrid]float64) float64 {
	m := int(s.season)
	var prof [fcGrid]float64
	var wkend [fcGrid]bool
	for k := 0; k < fcGrid; k++ {
		mid := int64(k)*fcStep + fcStep/2
		pos, dt := phase(p, mid-p.BucketSpan/2)
		prof[k] = s.profiles(pos, dt)[m]
		wkend[k] = dt == 1
	}
	// The base's smoothing per grid step.
	a := 1 - math.Pow(1-p.baseRate[0], float64(fcStep)/float64(p.BucketSpan))
	var sig [fcGrid]float64
	copy(sig[:], prof[:])
	for round := 0; round < fcRound; round++ {
		// Periodic steady state of the smoothing: start at the mean and
		// run enough periods for the start to be forgotten.
		var mean float64
		for _, v := range sig {
			mean += v
		}
		x := mean / fcGrid
		periods := int(math.Ceil(12/(a*fcGrid))) + 1
		for r := 0; r < periods; r++ {
			for k := 0; k < fcGrid; k++ {
				x += a * (sig[k] - x)
				e[k] = x
			}
		}
		// Average over days of the same type (all days for the daily
		// profile) at each time of day.
		const perDay = 86400 / fcStep
		for j := 0; j < perDay; j++ {
			var sum [2]float64
			var n [2]float64
			for d := 0; d < 7; d++ {
				k := d*perDay + j
				ty := 0
				if m == 2 && wkend[k] {
					ty = 1
				}
				sum[ty] += e[k]
				n[ty]++
			}
			for d := 0; d < 7; d++ {
				k := d*perDay + j
				ty := 0
				if m == 2 && wkend[k] {
					ty = 1
				}
				eBar[k] = sum[ty] / n[ty]
			}
		}
		for k := range sig {
			sig[k] = prof[k] + eBar[k]
		}
	}
	var w2 float64
	for k := 0; k < fcGrid; k++ {
		d := e[k] - eBar[k]
		w2 += d * d
	}
	return w2 / fcGrid
}
