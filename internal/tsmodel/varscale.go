package tsmodel

import "math"

// Seasonal variance scale (Elastic's per-phase variance multiplier, its
// high_variance_penalty). A host whose nightly backup moves a hundred times
// its daytime volume has a residual variance dominated by the backup hours;
// one global spread would then widen the daytime bounds a hundredfold and
// hide a daytime leak. Each hourly slot keeps the decayed mean of the
// squared residual relative to the global one (ρ, stored as ln ρ in
// sixteenths in an int8, so the zero Series has ρ = 1 everywhere), and the
// scored spread is sd·sqrt(ρ_slot/mean ρ), only while a seasonal model is
// in use and the slots differ by more than noise.
const (
	// vsMemory shortens the slot ratios' memory to two days (the profiles'
	// week times 2/7) so that they leave the pre-seasonal start-up behind.
	vsMemory = 3.5
	vqScale  = 16 // codes per unit of ln ρ: a step of 6.5% in variance
	// vsClip limits the squared standardised residual a slot learns to 36
	// of its own variance (6 deviations), as the global error statistic.
	vsClip = 36
	// vsPrior is the prior variance of ln ρ the slot's estimate is
	// shrunk towards 0 with: a slot with a week of 5-minute buckets keeps
	// 98% of its ln ρ, one with a week of hourly buckets 78%, one with a
	// day of hourly buckets a third.
	vsPrior = 1
	// vsOn and vsFull bound the ramp of the heteroscedasticity statistic
	// H = ln(mean ρ) − mean(ln ρ) (the Gaussian log-likelihood gain per
	// bucket of the per-slot variances over the global one, times 2) over
	// which the scale is phased in. Sampling noise of a homoscedastic
	// series gives H of about 0.01; a backup 10× the daytime volume about
	// 1, one 100× about 4. On NAB gates from 1 to 1.5 (full at 1.5-2.5)
	// score 71.5-71.7, 0.75 71.05 and 0.5 68.6 (71.20 without the scale).
	vsOn, vsFull = 1, 2
)

// vsExp[q+128] is exp(q/vqScale).
var vsExp = func() (t [256]float64) {
	for i := range t {
		t[i] = math.Exp(float64(i-128) / vqScale)
	}
	return t
}()

// sdScale returns the factor on the residual standard deviation of the
// bucket at hourly position hourPos: 1 unless the series' residual
// variance is significantly seasonal and a seasonal model is in use.
func (s *Series) sdScale(p *Params, t int64, hourPos float64) float64 {
	if s.season == 0 {
		return 1
	}
	var mean, meanLog float64
	for _, q := range s.vscale {
		mean += vsExp[int(q)+128]
		meanLog += float64(q)
	}
	mean /= slots
	meanLog /= slots * vqScale
	lnMean := math.Log(mean)
	h := lnMean - meanLog
	if h <= vsOn {
		return 1
	}
	alpha := math.Min(1, (h-vsOn)/(vsFull-vsOn))
	// Shrinkage towards 1 as a normal posterior of ln ρ: the prior's
	// variance is vsPrior, the estimate's about 2/n for n updates of
	// memory (a chi-square mean).
	n := math.Max(1, math.Min(float64(t-s.first)/86400, 7)*p.slotUpdatesPerDay)
	lambda := vsPrior / (vsPrior + 2/n)
	_, k, _, _ := nearestSlot(hourPos)
	lr := float64(s.vscale[k])/vqScale - lnMean
	return math.Exp(0.5 * alpha * lambda * lr)
}

// nearestSlot returns the hourly slot holding hourPos in nearest's form.
func nearestSlot(hourPos float64) (v float64, i0, i1 int, w1 float64) {
	f := math.Floor(hourPos)
	w1 = hourPos - f
	i0 = int(f) % slots
	if i0 < 0 {
		i0 += slots
	}
	if w1 >= 0.5 {
		i0 = (i0 + 1) % slots
	}
	return 0, i0, i0, 0
}

// learnVarScale moves the bucket's slot ratio towards its squared residual
// over the chosen model's global variance (before this bucket), with the
// bucket's outlier weight w, so an attack does not widen its own slot.
// The new ratio is rounded to its int8 code by a dither drawn from the
// bucket time and slot, so that updates smaller than a code still move it
// on average, deterministically (restore stays bit-identical).
func (s *Series) learnVarScale(p *Params, t int64, v float64, e *eval, w float64) {
	// The daily model's residuals, whichever model is chosen: they
	// describe the phase's spread from the second day on, before the
	// seasonal model is selected (the chosen model's would carry the
	// unmodelled seasonal swing into every slot for weeks).
	ev := s.err[s.season][s.corr]
	if s.n < 2 || !(ev > 0) {
		return
	}
	_, k, _, _ := nearestSlot(e.hourPos)
	q := s.vscale[k]
	rho := vsExp[int(q)+128]
	r := v - e.chosen
	z2 := math.Min(r*r/ev, vsClip*rho)
	days := float64(t-s.first) / 86400
	g := math.Max(1/(1+days*p.slotUpdatesPerDay), vsMemory*p.seasonFloor*p.daySlotUpdatesPerDay/p.slotUpdatesPerDay) * w
	rho += g * (z2 - rho)
	x := math.Log(math.Max(rho, 1e-300))*vqScale + dither(t, k)
	s.vscale[k] = int8(clamp(math.Floor(x), -127, 127))
}

// dither returns a uniform [0, 1) number from the bucket time and slot
// (splitmix64).
func dither(t int64, k int) float64 {
	z := uint64(t)*0x9e3779b97f4a7c15 + uint64(k)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}
