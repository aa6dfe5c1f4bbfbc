package tsmodel

import (
	"fmt"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
)

const pkg = "tsmodel"

// Side selects the tail(s) a bucket is tested in.
type Side uint8

const (
	// TwoSided flags values unusually high or low.
	TwoSided Side = iota
	// High flags only values unusually high (Elastic's high_ functions, max).
	High
	// Low flags only values unusually low (Elastic's low_ functions, min).
	Low
)

// Params are shared by all series of one detector and are not stored per
// series. Build them with NewParams.
type Params struct {
	// BucketSpan is the bucket length in seconds.
	BucketSpan int64
	// AdaptationRate scales every learning rate: 1 is the default, >1
	// adapts faster (and adopts shifts sooner), <1 slower.
	AdaptationRate float64
	// Sensitivity s reports a combined probability p as p^s: 1 is the
	// default, higher flags more.
	Sensitivity float64
	// ChangeAfter is how long, in seconds, a one-sided shift must persist
	// before it is adopted as the new normal.
	ChangeAfter int64

	// derived per-bucket rates
	baseRate, errRate, corrRate [2]float64 // only [0] of baseRate and errRate are used
	seasonFloor                 float64    // minimum per-update gain of a daily profile slot
	splitFloor                  float64    // minimum per-update gain of a weekday/weekend slot
	slotUpdatesPerDay           float64    // how many updates an hourly slot gets per day
	daySlotUpdatesPerDay        float64    // how many updates a daily-profile slot gets per day
	warmAfter                   int64      // seconds of history before scoring
	robustAfter                 int64      // seconds of history before outlier weighting
	calRate                     float64    // decay of the calibration counts
	precRate                    float64    // decay of the precedent ranges
}

// NewParams returns the parameters of a detector with the given bucket span
// in seconds; adaptationRate and sensitivity of 0 mean 1 (the defaults).
func NewParams(bucketSpanSeconds int64, adaptationRate, sensitivity float64) (*Params, error) {
	if bucketSpanSeconds <= 0 {
		return nil, check.Errorf(pkg, check.ErrConfig, "bucket span must be positive, got %d s", bucketSpanSeconds)
	}
	if math.IsNaN(adaptationRate) || math.IsInf(adaptationRate, 0) || adaptationRate < 0 {
		return nil, check.Errorf(pkg, check.ErrConfig, "adaptation rate must be finite and ≥ 0, got %v", adaptationRate)
	}
	if math.IsNaN(sensitivity) || math.IsInf(sensitivity, 0) || sensitivity < 0 {
		return nil, check.Errorf(pkg, check.ErrConfig, "sensitivity must be finite and ≥ 0, got %v", sensitivity)
	}
	if adaptationRate == 0 {
		adaptationRate = 1
	}
	if sensitivity == 0 {
		sensitivity = 1
	}
	if adaptationRate > 100 || adaptationRate < 0.01 {
		return nil, check.Errorf(pkg, check.ErrConfig, "adaptation rate must be in [0.01, 100], got %v", adaptationRate)
	}
	if sensitivity > 100 || sensitivity < 0.01 {
		return nil, check.Errorf(pkg, check.ErrConfig, "sensitivity must be in [0.01, 100], got %v", sensitivity)
	}
	p := &Params{BucketSpan: bucketSpanSeconds, AdaptationRate: adaptationRate, Sensitivity: sensitivity}
	span := float64(bucketSpanSeconds)
	a := adaptationRate
	// The base level forgets with a time constant of about two days.
	p.baseRate[0] = clamp(a*span/(2*86400), 1e-5, 0.2)
	// Error (variance) statistics: one week of buckets, at least 20 buckets.
	p.errRate[0] = clamp(a*span/(7*86400), 1e-5, 0.05)
	// Corrections: medium and fast exponentially smoothed levels.
	p.corrRate = [2]float64{clamp(0.15*a, 1e-4, 0.5), clamp(0.3*a, 1e-3, 0.9)}
	// Calibration counts remember about four weeks of buckets, precedent
	// ranges about sixteen.
	p.calRate = clamp(a*span/(28*86400), 1e-6, 0.01)
	p.precRate = clamp(a*span/(112*86400), 1e-7, 0.01)
	p.slotUpdatesPerDay = math.Max(1, 3600/span)
	p.daySlotUpdatesPerDay = math.Max(1, 1800/span)
	// A daily slot remembers about a week of days, a weekend slot about
	// four weekends (eight days).
	p.seasonFloor = clamp(a/(7*math.Max(1, 1800/span)), 1e-5, 0.5)
	p.splitFloor = clamp(a/(8*p.slotUpdatesPerDay), 1e-5, 0.5)
	ch := int64(math.Max(6*3600, 12*span) / a)
	p.ChangeAfter = max(ch, 2*bucketSpanSeconds)
	p.warmAfter = max(2*3600, 7*bucketSpanSeconds)
	p.robustAfter = max(86400, 12*bucketSpanSeconds)
	return p, nil
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// mbDecay is the per-bucket decay of the multi-bucket statistic: a memory
// of about 1/(1-0.85) ≈ 7 buckets, close to Elastic's 12-bucket mean in
// reach but weighted to the recent buckets so that a shift shows sooner
// (NAB: 0.85 beat 0.9 and 0.95; 0.8-0.875 all within 1 point).
const mbDecay = 0.85

// Number of seasonal models (none, daily, weekday/weekend) and corrections
// (none, medium, fast).
const (
	nSeason  = 3
	nCorr    = 3
	slots    = 24 // hourly slots of the weekday/weekend profiles and the variance profile
	daySlots = 48 // half-hourly slots of the daily profile
)

const (
	flagNonInteger uint8 = 1 << iota // a value that is not a non-negative integer was seen
	flagWeekday                      // a weekday bucket was learnt
	flagWeekend                      // a weekend bucket was learnt
)

// Series is the state of one series: fixed size, no pointers. The zero value
// is an empty model.
type Series struct {
	n        uint32 // buckets learnt (saturating)
	mbN      uint16 // buckets in the multi-bucket window (saturates at 255)
	season   uint8  // seasonal model in use
	corr     uint8  // correction in use
	flags    uint8
	runSide  int8   // side of the current significant run, 0 when none
	runN     uint16 // buckets in the current run (saturating)
	calPrev  uint8  // calibration levels the previous bucket reached
	first    int64  // time of the first bucket learnt
	last     int64  // time of the last bucket learnt
	runStart int64  // time the current run started
	base     float64
	corrLvl  [nSeason][nCorr - 1]float32
	err      [nSeason][nCorr]float64 // decayed one-step squared errors
	m2, m4   float64                 // decayed 2nd and 4th moments of standardised residuals
	mbS      float64                 // Σ mbDecay^k z_{t-k}
	mbVar    float64                 // decayed E[mbS²] under normal conditions
	runMean  float64                 // recent mean residual within the run
	calN     float64                 // decayed count of scored buckets
	calE     [calLevels]float64      // decayed count of episodes reaching each calibration level
	prec     ranges                  // precedent
	precA    ranges                  // ranges of today's buckets, precedent from the day after tomorrow
	precB    ranges                  // ranges of yesterday's buckets, precedent from tomorrow
	day      [daySlots]float32       // daily profile, offsets from base
	split    [2][slots]float32       // weekday (0) and weekend (1) profiles
	vscale   [slots]int8             // hourly variance scale, ln(ratio)·vqScale; 0 is a ratio of 1
}

// Result is the score of one bucket value.
type Result struct {
	// Probability is the combined probability of a value at least as
	// extreme, in (0, 1], after Sensitivity.
	Probability float64
	// SingleBucketP and MultiBucketP are the two tests' probabilities
	// before combination (MultiBucketP is 1 when not applicable).
	SingleBucketP, MultiBucketP float64
	// Typical is the predicted value; Lower and Upper bound its 95%
	// prediction interval.
	Typical, Lower, Upper float64
	// MultiBucketImpact is Elastic's -5..5 measure of how much the
	// multi-bucket evidence dominates the single-bucket one.
	MultiBucketImpact float64
	// Warm reports enough history to score; before that Probability is 1.
	Warm bool
}

// Count returns the number of buckets learnt.
func (s *Series) Count() int { return int(s.n) }

// Last returns the start time of the last bucket learnt and whether there
// is one.
func (s *Series) Last() (int64, bool) { return s.last, s.n > 0 }

// eval is everything Score and Update need to know about a value.
type eval struct {
	pred     [nSeason][nCorr]float64
	chosen   float64 // chosen prediction
	v        float64 // the value
	side     Side
	sd       float64 // residual standard deviation of the chosen model, seasonally scaled
	scale    float64 // the seasonal variance scale's factor on sd
	nu       float64 // Student-t degrees of freedom
	z        float64 // standardised residual of the chosen model
	hourPos  float64 // position in hourly slots (fractional)
	dayPos   float64 // position in daily-profile slots
	dayType  int
	pSB, pMB float64 // side-specific single and multi-bucket p
	pMBTwo   float64 // two-sided multi-bucket p
	pTwo     float64 // two-sided single-bucket p, for outlier weighting
	mbNext   float64 // mbS after this value
	mbZ      float64 // standardised multi-bucket statistic
	prof     [nSeason]float64
	warm     bool
}

// phase returns the bucket's position in hourly slots and its day type.
func phase(p *Params, t int64) (pos float64, dayType int) {
	mid := t + p.BucketSpan/2
	sec := mid % 86400
	if sec < 0 {
		sec += 86400
	}
	pos = float64(sec)/3600 - 0.5
	days := mid / 86400
	if mid < 0 && mid%86400 != 0 {
		days--
	}
	wd := (days + 4) % 7 // 1970-01-01 was a Thursday; 0 is Sunday
	if wd < 0 {
		wd += 7
	}
	if wd == 0 || wd == 6 {
		dayType = 1
	}
	return pos, dayType
}

// interp returns the linear interpolation of a circular profile at pos and
// the two slots and weights it used.
func interp(prof []float32, pos float64) (v float64, i0, i1 int, w1 float64) {
	n := len(prof)
	f := math.Floor(pos)
	w1 = pos - f
	i0 = int(f) % n
	if i0 < 0 {
		i0 += n
	}
	i1 = (i0 + 1) % n
	v = float64(prof[i0])*(1-w1) + float64(prof[i1])*w1
	return v, i0, i1, w1
}

// nearest returns the value of a circular profile's slot holding pos (slot
// i holds positions [i-1/2, i+1/2)) as interp's signature does, with the
// whole weight on that slot. The daily profile is a step function so that
// the square-wave shapes of scheduled work (a job switched on at 09:00) are
// predicted sharply instead of smeared over a slot; its 48 half-hourly
// slots make the steps of a smooth shape small.
func nearest(prof []float32, pos float64) (v float64, i0, i1 int, w1 float64) {
	_, i0, i1, w1 = interp(prof, pos)
	if w1 >= 0.5 {
		i0 = i1
	}
	return float64(prof[i0]), i0, i0, 0
}

func meanOf(prof []float32) float64 {
	var s float64
	for _, x := range prof {
		s += float64(x)
	}
	return s / float64(len(prof))
}

// dayPos converts an hourly position to a daily-profile position.
func dayPos(hourPos float64) float64 { return (hourPos+0.5)*daySlots/slots - 0.5 }

// profiles returns the centred seasonal offsets of each seasonal model.
func (s *Series) profiles(hourPos float64, dayType int) (out [nSeason]float64) {
	d, _, _, _ := nearest(s.day[:], dayPos(hourPos))
	out[1] = d - meanOf(s.day[:])
	w, _, _, _ := interp(s.split[dayType][:], hourPos)
	m := (5*meanOf(s.split[0][:]) + 2*meanOf(s.split[1][:])) / 7
	out[2] = w - m
	return out
}

func (s *Series) evaluate(p *Params, t int64, v float64, side Side) (e eval) {
	e.hourPos, e.dayType = phase(p, t)
	e.dayPos = dayPos(e.hourPos)
	e.prof = s.profiles(e.hourPos, e.dayType)
	for m := 0; m < nSeason; m++ {
		b := s.base + e.prof[m]
		e.pred[m][0] = b
		for c := 1; c < nCorr; c++ {
			e.pred[m][c] = b + float64(s.corrLvl[m][c-1])
		}
	}
	e.chosen = e.pred[s.season][s.corr]
	e.v, e.side = v, side
	e.sd, e.nu = s.spread()
	e.scale = s.sdScale(p, t, e.hourPos)
	e.sd *= e.scale
	e.warm = s.n >= 8 && t-s.first >= p.warmAfter
	r := v - e.chosen
	e.z = r / e.sd
	e.pSB, e.pTwo = s.tailP(e.chosen, e.sd, e.nu, v, side)
	// Multi-bucket statistic including this bucket.
	zc := clamp(e.z, -4, 4)
	e.mbNext = mbDecay*s.mbS + zc
	e.pMB, e.pMBTwo = 1, 1
	if s.mbN >= 8 && s.mbVar > 0 {
		e.mbZ = e.mbNext / math.Sqrt(s.mbVar)
		nuMB := clamp(e.nu, 5, 30)
		hi, lo := tTails(e.mbZ, nuMB)
		e.pMBTwo = math.Min(1, 2*math.Min(hi, lo))
		switch side {
		case High:
			e.pMB = hi
		case Low:
			e.pMB = lo
		default:
			e.pMB = math.Min(1, 2*math.Min(hi, lo))
		}
	}
	return e
}

// spread returns the residual standard deviation and Student-t degrees of
// freedom of the chosen model.
func (s *Series) spread() (sd, nu float64) {
	vr := s.err[s.season][s.corr]
	floor := 1e-8 * math.Max(s.base*s.base, 1e-300)
	if floor < 1e-300 {
		floor = 1e-300
	}
	vr = math.Max(vr, floor)
	nu = 100
	if s.m2 > 0 {
		k := s.m4 / (s.m2 * s.m2)
		if k > 3.06 {
			// 4+6/(k-3) is the t's kurtosis relation; the residuals
			// are clipped, which biases k low, so the map is steepened
			// to reach ν = 3 for very heavy tails.
			nu = clamp(2.5+9/(k-3), 3, 100)
		}
	}
	return math.Sqrt(vr), nu
}

// tTail is P(T > z) for a Student-t with nu degrees of freedom scaled to
// unit variance.
func tTail(z, nu float64) float64 {
	hi, _ := tTails(z, nu)
	return hi
}

// tTails returns P(T > z) and P(T < z) for a Student-t with nu degrees of
// freedom scaled to unit variance. It uses Wallace's (1959) normal
// transformation of t, z' = (8ν+1)/(8ν+3)·sqrt(ν·ln(1+t²/ν)), whose error is
// small on the log scale out to the extreme tails (tested against the exact
// incomplete beta in stats_test.go) and which costs one log and one erfc
// instead of a series of hundreds of terms.
func tTails(z, nu float64) (hi, lo float64) {
	x := z * math.Sqrt(nu/(nu-2)) // unit variance -> unit scale
	if math.IsNaN(x) {
		return 1, 1
	}
	zn := (8*nu + 1) / (8*nu + 3) * math.Sqrt(nu*math.Log1p(x*x/nu))
	tail := 0.5 * math.Erfc(zn/math.Sqrt2)
	if x >= 0 {
		return tail, 1 - tail
	}
	return 1 - tail, tail
}

// tailP returns the side-specific and the two-sided probability of v under
// the predictive distribution centred on pred.
func (s *Series) tailP(pred, sd, nu, v float64, side Side) (pSide, pTwo float64) {
	hi, lo := tTails((v-pred)/sd, nu)
	if s.flags&flagNonInteger == 0 && s.n > 0 {
		// Counts: also a negative binomial (or Poisson) around the
		// prediction; the larger p of the two models is kept. Only the
		// tail v lies in is computed; the other is near or above 1/2.
		// Above a mean of 30 the t alone describes counts well.
		mu := math.Max(pred, 0.05)
		if mu > 30 {
			// nothing to add
		} else if v >= mu {
			hi = math.Max(hi, countTail(mu, sd*sd, v, true))
		} else {
			lo = math.Max(lo, countTail(mu, sd*sd, v, false))
		}
	}
	hi, lo = math.Min(hi, 1), math.Min(lo, 1)
	pTwo = math.Min(1, 2*math.Min(hi, lo))
	switch side {
	case High:
		pSide = hi
	case Low:
		pSide = lo
	default:
		pSide = pTwo
	}
	return pSide, pTwo
}

// countTail returns P(X ≥ v) (upper) or P(X ≤ v) for a count X with the
// given mean and variance: negative binomial when over-dispersed, else
// Poisson. A non-integer v is rounded.
func countTail(mu, variance, v float64, upper bool) float64 {
	k := math.Round(v)
	if k < 0 {
		if upper {
			return 1
		}
		return 0
	}
	if upper && k == 0 {
		return 1
	}
	if variance <= mu*1.0001 {
		// Poisson: P(X ≥ k) = P(k, mu), P(X ≤ k) = Q(k+1, mu).
		if upper {
			return gammaIncReg(k, mu)
		}
		return gammaIncRegComp(k+1, mu)
	}
	r := mu * mu / (variance - mu)
	q := mu / (r + mu) // 1 - success probability
	// P(X ≥ k) = I_q(k, r); P(X ≤ k) = I_{1-q}(r, k+1).
	if upper {
		return regIncBeta(k, r, q)
	}
	return regIncBeta(r, k+1, 1-q)
}

// Score returns the probability of value v in the bucket starting at t
// (unix seconds) under the model, and its typical value and bounds. It does
// not change s.
//
// A non-finite v scores Probability 1 (the engine refuses such values
// before they reach the model).
func (s *Series) Score(p *Params, t int64, v float64, side Side) Result {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		typ, lo, hi := s.Predict(p, t)
		return Result{Probability: 1, SingleBucketP: 1, MultiBucketP: 1, Typical: typ, Lower: lo, Upper: hi}
	}
	e := s.evaluate(p, t, v, side)
	return s.result(p, &e)
}

// result turns an evaluation into a Result.
func (s *Series) result(p *Params, e *eval) Result {
	typ, lo, hi := s.bounds(e.chosen, e.sd, e.nu)
	res := Result{Typical: typ, Lower: lo, Upper: hi, Probability: 1, SingleBucketP: 1, MultiBucketP: 1, Warm: e.warm}
	if !e.warm {
		return res
	}
	psb := math.Max(e.pSB, math.SmallestNonzeroFloat64)
	pmb := math.Max(e.pMB, math.SmallestNonzeroFloat64)
	res.SingleBucketP, res.MultiBucketP = psb, pmb
	tsb, tmb := psb, pmb
	if !s.novel(e, e.side) {
		// Precedent: the series has produced this value and this
		// deviation before.
		tsb = math.Pow(psb, precedentPower)
	}
	if !s.novelMB(e, e.side) {
		// ... or a sustained deviation as large.
		tmb = math.Pow(pmb, precedentPower)
	}
	m := s.calibrate(e.minP(tsb, tmb))
	pc := 2*m - m*m
	if pc > 1 {
		pc = 1
	}
	if p.Sensitivity != 1 {
		pc = math.Exp(p.Sensitivity * math.Log(pc))
	}
	res.Probability = math.Max(pc, math.SmallestNonzeroFloat64)
	res.MultiBucketImpact = multiBucketImpact(psb, pmb)
	return res
}

// precedentPower tempers the probability of a bucket with precedent: p^0.1
// maps 1e-30 to 1e-3, so only a bucket with no precedent can reach a high
// score (on NAB 0.1 beat 0.25 and 0.5; smaller powers change nothing more).
const precedentPower = 0.1

// novel reports whether the bucket's value or its deviation from the
// prediction lies, on the tested side, beyond the precedent ranges by more
// than one residual deviation or novelRel of the precedent excursion,
// whichever is larger (recurring events are never exactly alike: a nightly
// spike 2% above last night's is not news however small the noise).
func (s *Series) novel(e *eval, side Side) bool {
	// Deviations are compared in units of the slot's spread scale (1
	// without a seasonal variance scale), so a nightly backup's large
	// deviation is no precedent for a daytime one of half its size.
	v, r, m := e.v, (e.v-e.chosen)/e.scale, e.sd/e.scale
	g := &s.prec
	b := s.base
	hi := v > float64(g[0])+math.Max(m, novelRel*(float64(g[0])-b)) || r > float64(g[2])+math.Max(m, novelRel*float64(g[2]))
	lo := v < float64(g[1])-math.Max(m, novelRel*(b-float64(g[1]))) || r < float64(g[3])-math.Max(m, -novelRel*float64(g[3]))
	switch side {
	case High:
		return hi
	case Low:
		return lo
	}
	return hi || lo
}

// novelRel is the fraction of a precedent excursion (from the level, or
// from the prediction) a bucket must exceed it by to be novel. On NAB 0.05
// and 0.1 beat 0 (recurring 5 MB spikes in a series of tens flagged anew
// each time they grow by a few kB); 0.2 loses real anomalies.
const novelRel = 0.1

// ranges are precedent ranges in float32: high and low value, high and low
// residual, high and low standardised multi-bucket statistic.
type ranges [6]float32

// novelMB reports whether the multi-bucket statistic lies, on the tested
// side, beyond its precedent range by more than 1.
func (s *Series) novelMB(e *eval, side Side) bool {
	hi, lo := e.mbZ > float64(s.prec[4])+1, e.mbZ < float64(s.prec[5])-1
	switch side {
	case High:
		return hi
	case Low:
		return lo
	}
	return hi || lo
}

// widen widens ranges g to hold x, rounding outwards to float32.
func widen(g *ranges, x [len(ranges{})]float64) {
	for i := range g {
		if i%2 == 0 && x[i] > float64(g[i]) {
			g[i] = math.Nextafter32(float32(x[i]), float32(math.Inf(1)))
		} else if i%2 == 1 && x[i] < float64(g[i]) {
			g[i] = math.Nextafter32(float32(x[i]), float32(math.Inf(-1)))
		}
	}
}

// neutral is the empty range: the level, and no residual.
func (s *Series) neutral() ranges {
	b := float32(s.base)
	return ranges{b, b, 0, 0, 0, 0}
}

// learnPrecedent records the bucket in today's ranges. At each new day
// (UTC) yesterday's ranges join the precedent and today's become
// yesterday's, so a bucket is precedent one to two days after it was seen:
// a recurring pattern (a nightly backup) gains precedent, an attack of a
// few hours never is its own. The precedent decays towards the level and
// zero residual (about sixteen weeks of buckets).
func (s *Series) learnPrecedent(p *Params, t int64, v float64, e *eval) {
	day, lastDay := (t+p.BucketSpan/2)/86400, (s.last+p.BucketSpan/2)/86400
	if day > lastDay {
		if day-lastDay >= 2 {
			s.precB = mergeRanges(s.precB, s.precA)
			s.precA = s.neutral()
		}
		keep := math.Max(0, 1-p.precRate*float64(day-lastDay)*86400/float64(p.BucketSpan))
		b := s.base
		s.prec = ranges{
			float32(b + keep*(float64(s.prec[0])-b)), float32(b + keep*(float64(s.prec[1])-b)),
			float32(keep * float64(s.prec[2])), float32(keep * float64(s.prec[3])),
			float32(keep * float64(s.prec[4])), float32(keep * float64(s.prec[5])),
		}
		s.prec = mergeRanges(s.prec, s.precB)
		s.precB, s.precA = s.precA, s.neutral()
	}
	r := 0.0
	if e.warm {
		r = (v - e.chosen) / e.scale
	}
	widen(&s.precA, [len(ranges{})]float64{v, v, r, r, e.mbZ, e.mbZ})
}

func mergeRanges(a, b ranges) ranges {
	for i := range a {
		if i%2 == 0 {
			a[i] = max(a[i], b[i])
		} else {
			a[i] = min(a[i], b[i])
		}
	}
	return a
}

// minP is the smaller of the single- and multi-bucket p. The multi-bucket
// test counts only while this bucket deviates by at least 1.5 residual
// deviations on the same side, so the buckets after a lone spike, and the
// ordinary buckets inside a long mild run, are not flagged (NAB: 1.5 and
// 1.75 beat 1 and 1.25 by a quarter to a third of a point).
func (e *eval) minP(psb, pmb float64) float64 {
	if math.Abs(e.z) >= 1.5 && e.z*e.mbZ > 0 && pmb < psb {
		return pmb
	}
	return psb
}

// Calibration: the model counts, with a slow decay, how often episodes
// (runs of consecutive buckets) reach p < 1e-2, 1e-3 and 1e-4, and scales p
// up by the ratio of observed to nominal rates, with 2 pseudo-episodes at
// the nominal rate, never below 1 and growing at most tenfold per decade so
// that calibrated p stays monotone in p. A well-specified series is left
// as it is; one whose residuals are burstier than the model's tails is
// scored on its own record, as Elastic's quantile normalisation does for
// record scores, but without rewriting earlier results.
const (
	calLevels = 3
	calPrior  = 2
)

func (s *Series) calFactors() (c [calLevels]float64) {
	nominal := 1e-2
	prev := 1.0
	for k := range c {
		f := (s.calE[k] + calPrior) / (s.calN*nominal + calPrior)
		f = clamp(f, prev, 10*prev)
		c[k], prev = f, f
		nominal /= 10
	}
	return c
}

// calibrate maps a probability through the series' calibration.
func (s *Series) calibrate(p float64) float64 {
	if s.calN == 0 || p >= 0.1 {
		return p
	}
	c := s.calFactors()
	var f float64
	switch lp := -math.Log10(p); {
	case lp <= 2:
		f = 1 + (c[0]-1)*(lp-1)
	case lp >= 2+calLevels-1:
		f = c[calLevels-1]
	default:
		k := int(lp - 2)
		w := lp - 2 - float64(k)
		f = math.Exp(math.Log(c[k])*(1-w) + math.Log(c[k+1])*w)
	}
	return math.Min(1, p*f)
}

// calUpdate counts the bucket and the episodes it starts.
func (s *Series) calUpdate(p *Params, m float64) {
	a := p.calRate
	s.calN += 1 - a*s.calN
	lv := uint8(0)
	th := 1e-2
	for k := 0; k < calLevels; k++ {
		if m < th {
			lv |= 1 << k
		}
		th /= 10
	}
	for k := 0; k < calLevels; k++ {
		s.calE[k] -= a * s.calE[k]
		if lv&(1<<k) != 0 && s.calPrev&(1<<k) == 0 {
			s.calE[k]++
		}
	}
	s.calPrev = lv
}

// multiBucketImpact is Elastic's measure (reference §3.6.5).
func multiBucketImpact(psb, pmb float64) float64 {
	ls, lm := math.Log(psb), math.Log(pmb)
	scale := 5 * math.Min(ls, lm) / math.Min(math.Max(ls, lm), -0.001) / math.Log(1000)
	mbi := clamp(scale*(ls-lm), -5, 5)
	return math.Floor(mbi*100) / 100
}

// bounds returns the typical value and 95% prediction interval around pred.
func (s *Series) bounds(pred, sd, nu float64) (typ, lo, hi float64) {
	q := tQuantile975(nu) * math.Sqrt((nu-2)/nu) * sd
	typ, lo, hi = pred, pred-q, pred+q
	if s.flags&flagNonInteger == 0 && s.n > 0 {
		// Non-negative series: truncate as Elastic does, and widen to
		// the count model's spread when that is larger.
		mu := math.Max(pred, 0)
		qc := 1.96 * math.Sqrt(math.Max(sd*sd, mu))
		hi = math.Max(hi, mu+qc)
		typ = mu
		lo = math.Max(0, math.Min(lo, mu-qc))
	}
	return typ, lo, hi
}

// Predict returns the typical value and 95% bounds of the bucket starting
// at t.
func (s *Series) Predict(p *Params, t int64) (typical, lower, upper float64) {
	pos, dt := phase(p, t)
	prof := s.profiles(pos, dt)
	pred := s.base + prof[s.season]
	if s.corr > 0 {
		pred += float64(s.corrLvl[s.season][s.corr-1])
	}
	sd, nu := s.spread()
	return s.bounds(pred, sd*s.sdScale(p, t, pos), nu)
}

// outlierWeight is Elastic's weight of a sample in the update given its
// two-sided p (reference §3.5).
func outlierWeight(p float64) float64 {
	const lo, hi, wmin = 1e-5, 1e-3, 0.01
	if p >= hi {
		return 1
	}
	if p <= lo {
		return wmin
	}
	lp := math.Log(p)
	c := math.Log(1/wmin) / (math.Log(lo) * (math.Log(lo) - math.Log(hi)))
	return math.Exp(-c * lp * (lp - math.Log(hi)))
}

// Update learns the value v of the bucket starting at t. Non-finite values
// are ignored.
func (s *Series) Update(p *Params, t int64, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if s.n == 0 {
		s.init(p, t, v)
		return
	}
	e := s.evaluate(p, t, v, TwoSided)
	s.learn(p, t, v, &e, 1)
}

// Observe scores v as Score does and then learns it as Update does, with a
// single evaluation.
func (s *Series) Observe(p *Params, t int64, v float64, side Side) Result {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Result{Probability: 1, SingleBucketP: 1, MultiBucketP: 1}
	}
	if s.n == 0 {
		r := s.Score(p, t, v, side)
		s.init(p, t, v)
		return r
	}
	e := s.evaluate(p, t, v, side)
	r := s.result(p, &e)
	s.learn(p, t, v, &e, 1)
	return r
}

// UpdateWeighted learns v with an extra weight in (0, 1], for instance the
// occupancy weight Elastic gives empty buckets of sparse series
// (clamp(2·occupancy, 1e-6, 1), reference §3.2).
func (s *Series) UpdateWeighted(p *Params, t int64, v, weight float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || !(weight > 0) {
		return
	}
	if s.n == 0 {
		s.init(p, t, v)
		return
	}
	e := s.evaluate(p, t, v, TwoSided)
	s.learn(p, t, v, &e, math.Min(weight, 1))
}

func (s *Series) init(p *Params, t int64, v float64) {
	*s = Series{}
	s.n = 1
	s.first, s.last = t, t
	s.base = v
	s.prec = ranges{float32(v), float32(v), 0, 0, 0, 0}
	s.precA, s.precB = s.prec, s.prec
	if v < 0 || v != math.Trunc(v) {
		s.flags |= flagNonInteger
	}
	s.markDay(p, t)
	s.mbVar = 1 / (1 - mbDecay*mbDecay)
}

func (s *Series) markDay(p *Params, t int64) {
	if _, dt := phase(p, t); dt == 1 {
		s.flags |= flagWeekend
	} else {
		s.flags |= flagWeekday
	}
}

func (s *Series) learn(p *Params, t int64, v float64, e *eval, weight float64) {
	novSB, novMB := s.novel(e, TwoSided), s.novelMB(e, TwoSided)
	w := weight
	// Outlier weighting starts once the series has a day of history:
	// before, the model cannot tell a daily phase it has not yet learnt
	// from an outlier, and down-weighting it would lock the scale and the
	// profiles into the first hours it saw.
	if e.warm && t-s.first >= p.robustAfter {
		w *= outlierWeight(e.pTwo)
	}
	if v < 0 || v != math.Trunc(v) {
		s.flags |= flagNonInteger
	}
	s.markDay(p, t)
	n := float64(s.n)

	s.learnVarScale(p, t, v, e, w)

	// Errors of every candidate, clipped at 6 of its own deviations.
	ae := math.Max(1/(n+1), p.errRate[0]) * w
	for m := 0; m < nSeason; m++ {
		for c := 0; c < nCorr; c++ {
			r := v - e.pred[m][c]
			if s.n > 1 {
				lim := 36 * s.err[m][c]
				r2 := math.Min(r*r, lim)
				if lim == 0 {
					r2 = r * r
				}
				s.err[m][c] += ae * (r2 - s.err[m][c])
			} else {
				s.err[m][c] = r * r
			}
		}
	}
	// Moments of the standardised residual for the tail shape.
	zc := clamp(e.z, -8, 8)
	z2 := zc * zc
	s.m2 += ae * (z2 - s.m2)
	s.m4 += ae * (z2*z2 - s.m4)

	// Multi-bucket feature and its variance.
	if s.mbN >= 8 {
		s.mbVar += ae * (e.mbNext*e.mbNext - s.mbVar)
	}
	s.mbS = e.mbNext
	if s.mbN < 255 {
		s.mbN++
	}

	// The level, profiles and corrections learn a Huber-clipped value: a
	// residual beyond 3 deviations of the chosen model counts as 3, so
	// that a spike of any height moves them no more than a large ordinary
	// deviation (the outlier weight then scales that down further).
	vRaw := v
	s.learnPrecedent(p, t, v, e)
	if e.warm {
		lim := 3 * e.sd
		v = e.chosen + clamp(v-e.chosen, -lim, lim)
	}

	// Corrections learn what base+season leaves over.
	for m := 0; m < nSeason; m++ {
		for c := 1; c < nCorr; c++ {
			a := math.Max(1/(n+1), p.corrRate[c-1]) * w
			res := v - e.pred[m][0]
			s.corrLvl[m][c-1] += float32(a * (res - float64(s.corrLvl[m][c-1])))
		}
	}

	// Seasonal profiles learn the value's offset from base.
	dev := v - s.base
	days := float64(t-s.first) / 86400
	g := math.Max(1/(1+days*p.daySlotUpdatesPerDay), p.seasonFloor) * w
	_, i0, i1, w1 := nearest(s.day[:], e.dayPos)
	s.day[i0] += float32(g * (1 - w1) * (dev - float64(s.day[i0])))
	s.day[i1] += float32(g * w1 * (dev - float64(s.day[i1])))
	gs := math.Max(1/(1+days/7*2*p.slotUpdatesPerDay), p.splitFloor) * w
	if e.dayType == 0 {
		gs = math.Max(1/(1+days/7*5*p.slotUpdatesPerDay), p.splitFloor) * w
	}
	sp := &s.split[e.dayType]
	_, h0, h1, hw := interp(sp[:], e.hourPos)
	sp[h0] += float32(gs * (1 - hw) * (dev - float64(sp[h0])))
	sp[h1] += float32(gs * hw * (dev - float64(sp[h1])))

	// Base level.
	ab := math.Max(1/(n+1), p.baseRate[0]) * w
	s.base += ab * (v - s.base)

	if e.warm {
		tsb, tmb := math.Max(e.pTwo, math.SmallestNonzeroFloat64), e.pMBTwo
		if !novSB {
			tsb = math.Pow(tsb, precedentPower)
		}
		if !novMB {
			tmb = math.Pow(tmb, precedentPower)
		}
		// Calibration counts the episodes the series reports: after
		// precedent, as Score does.
		s.calUpdate(p, e.minP(tsb, tmb))
	}
	s.runChange(p, t, vRaw, e)
	s.choose(t)

	if s.n < math.MaxUint32 {
		s.n++
	}
	s.last = t
}

// runChange tracks a significant one-sided run of the multi-bucket
// statistic and adopts it as a level shift once it has lasted ChangeAfter.
func (s *Series) runChange(p *Params, t int64, v float64, e *eval) {
	side := int8(0)
	if e.warm && e.pMB < 1 {
		// |z| > 3.17 is a two-sided p < 0.01 under a t with 10 degrees
		// of freedom, the tail the multi-bucket test uses at most.
		if math.Abs(e.mbZ) > 3.17 {
			side = 1
			if e.mbZ < 0 {
				side = -1
			}
		}
	}
	if side == 0 || side != s.runSide {
		s.runSide = side
		s.runN = 0
		s.runStart = t
		s.runMean = v - e.chosen
		if side == 0 {
			return
		}
	}
	if s.runN < math.MaxUint16 {
		s.runN++
	}
	s.runMean += 0.2 * (v - e.chosen - s.runMean)
	if t-s.runStart >= p.ChangeAfter && s.runN >= 4 {
		shift := s.runMean
		s.base += shift
		s.mbS = 0
		s.runSide, s.runN, s.runStart = 0, 0, t
	}
}

// choose picks the seasonal model by the one-step error of base+season
// alone (a seasonal model must explain 10% more than the simpler one), then
// the correction with the lowest error under that seasonal model.
func (s *Series) choose(t int64) {
	elapsed := t - s.first
	m := 0
	if elapsed >= 2*86400 && s.err[1][0] < 0.9*s.err[0][0] {
		m = 1
	}
	if elapsed >= 8*86400 && s.flags&(flagWeekday|flagWeekend) == flagWeekday|flagWeekend &&
		s.err[2][0] < 0.9*s.err[m][0] {
		m = 2
	}
	c := 0
	for k := 1; k < nCorr; k++ {
		if s.err[m][k] < s.err[m][c] {
			c = k
		}
	}
	s.season, s.corr = uint8(m), uint8(c)
}

// String describes the model in use, for debugging and examples.
func (s *Series) String() string {
	seasons := [...]string{"none", "daily", "weekday/weekend"}
	corrs := [...]string{"none", "medium", "fast"}
	return fmt.Sprintf("tsmodel.Series{n=%d base=%.4g season=%s correction=%s sd=%.4g}",
		s.n, s.base, seasons[s.season%3], corrs[s.corr%3], math.Sqrt(s.err[s.season%3][s.corr%3]))
}
