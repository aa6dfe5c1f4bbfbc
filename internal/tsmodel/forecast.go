package tsmodel

import "math"

// Forecast returns the predicted value and 95% bounds of the bucket
// starting at t, some buckets after the last one learnt, without data and
// without changing the series. The prediction is Predict's with the
// correction (the smoothed level of what base and season leave over)
// fading at its own rate, (1−α)^h after h buckets, since a local deviation
// is not known to persist; the variance moves with it from the chosen
// model's one-step error to the error of base and season alone, which is
// what a prediction without the correction makes. Forecast equals Predict
// for the bucket right after the last one learnt.
func (s *Series) Forecast(p *Params, t int64) (typical, lower, upper float64) {
	if s.n == 0 {
		return s.Predict(p, t)
	}
	h := float64(t-s.last)/float64(p.BucketSpan) - 1
	if h <= 0 || s.corr == 0 {
		return s.Predict(p, t)
	}
	pos, dt := phase(p, t)
	prof := s.profiles(pos, dt)
	m := s.season
	w := math.Pow(1-p.corrRate[s.corr-1], h)
	pred := s.base + prof[m] + w*float64(s.corrLvl[m][s.corr-1])
	sd, nu := s.spread()
	v0 := s.err[m][0]
	vr := w*sd*sd + (1-w)*math.Max(v0, sd*sd)
	return s.bounds(pred, math.Sqrt(vr), nu)
}
